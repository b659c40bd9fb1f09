"""Stage `baselines`: simple predictors on the models' test samples (see nextgenre.baselines).

Writes data/predictions/baselines.parquet and their scores, data/predictions/baselines.json."""

from nextgenre import baselines
from nextgenre.outputs import atomic_outputs, out_file, write_json
from nextgenre.params import stage_params
from nextgenre.processed import read_processed
from nextgenre.runner import run_stage

OUTPUTS = ("data/predictions/baselines.parquet", "data/predictions/baselines.json")


def main() -> None:
    params = stage_params("baselines")
    data = read_processed("data/processed")
    predictions = baselines.predict_all(data, seed=params["seed"])
    scores = baselines.metrics(predictions, data.classes)
    with atomic_outputs(*map(out_file, OUTPUTS)) as (table, scores_json):
        predictions.to_parquet(table, index=False)
        write_json(scores_json, scores)
    best = max(baselines.BASELINES, key=lambda b: scores[b]["accuracy"])
    print(f"baselines: best {best}, accuracy {scores[best]['accuracy']:.3f} on {scores['n_test']} test samples")


if __name__ == "__main__":
    run_stage(main, outputs=OUTPUTS)
