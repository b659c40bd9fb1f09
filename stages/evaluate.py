"""Stage `evaluate@<model>`: score the trained model on the test users only.

Writes data/predictions/<model>.parquet, its scores data/predictions/<model>.json (accuracy,
macro-F1, per-class scores: the report's input; the run's metrics are the report's) and
plots/<model>/: confusion.csv (for the genre_confusion template) and images/ (confusion.png,
tsne.png; with attention, attention.png and its data attention.csv, declared there so that its
plot has its own x and y).
Usage: python stages/evaluate.py MODEL (a name in nextgenre.registry.MODELS: lstm, gru, sasrec)
"""

from __future__ import annotations

from nextgenre.errors import NextgenreError
from nextgenre.metrics import detailed_scores
from nextgenre.outputs import atomic_outputs, out_dir, out_file, write_json
from nextgenre.params import stage_params
from nextgenre.processed import read_processed
from nextgenre.registry import label, model_argument
from nextgenre.runner import prepare_outputs, run_stage
from nextgenre.sources import is_synthetic


def main() -> None:
    kind = model_argument(__doc__)
    predictions = f"data/predictions/{kind}"
    outputs = (out_dir(f"plots/{kind}"), out_file(f"{predictions}.parquet"), out_file(f"{predictions}.json"))
    prepare_outputs([o.path for o in outputs])
    params = stage_params("evaluate")
    seed = params["seed"]
    note = "synthetic data" if is_synthetic(params["data"]["raw"]) else None

    from nextgenre import backend

    backend.import_keras()  # first: TensorFlow's import-time notices kept off the console
    from nextgenre import evaluation as ev
    from nextgenre.plots import evaluation as pe
    from nextgenre.training import load_model

    backend.configure(seed)
    processed = read_processed("data/processed")
    model, config = load_model(f"models/{kind}")
    classes = config["classes"]
    if (
        classes != processed.meta["classes"]
        or config["input_dim"] != processed.meta["input_dim"]
        or config.get("artist") != processed.artist_input
    ):
        raise NextgenreError(f"models/{kind} does not fit data/processed: run `dvc repro` to retrain")
    result = ev.predict_test(model, processed)
    frame = ev.predictions_frame(result, classes)
    metrics = detailed_scores(frame.y_true, frame.y_pred, classes)
    name = label(kind) + (" + attention" if "attention" in result and result["attention"] is not None else "")
    suffix = f" ({note})" if note else ""

    with atomic_outputs(*outputs) as (tmp, predictions, scores_json):
        images = tmp / "images"
        images.mkdir()
        counts = ev.confusion_counts(frame, classes)
        counts.to_csv(tmp / "confusion.csv", index=False)
        pe.confusion_png(images / "confusion.png", counts, classes, f"{name}: confusion matrix{suffix}", note)
        points, labels = ev.tsne_points(result["hidden"], result["y_true"], seed)
        pe.tsne_png(
            images / "tsne.png",
            points,
            labels,
            classes,
            f"{name}: t-SNE of the last hidden layer, test users{suffix}",
            len(result["hidden"]),
            note,
        )
        if result["attention"] is not None:
            by_lag = ev.attention_by_lag(result["attention"], result["real_steps"])
            by_lag.to_csv(images / "attention.csv", index=False)
            pe.attention_png(
                images / "attention.png",
                by_lag,
                result["attention"],
                result["real_steps"],
                f"{name}: attention over past sessions{suffix}",
                note,
            )
        frame.to_parquet(predictions, index=False)
        write_json(scores_json, metrics)
    print(
        f"evaluate@{kind}: test accuracy {metrics['accuracy']:.3f}, macro-F1 {metrics['macro_f1']:.3f} "
        f"on {metrics['n_test']} test samples"
    )


if __name__ == "__main__":
    run_stage(main)
