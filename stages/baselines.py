"""Stage `baselines`: simple predictors on the models' test samples (see nextgenre.baselines)."""

from nextgenre import baselines
from nextgenre.runner import run_stage
from nextgenre.outputs import atomic_file, write_json
from nextgenre.params import stage_params
from nextgenre.processed import read_processed


def main() -> None:
    params = stage_params("baselines")
    data = read_processed("data/processed")
    predictions = baselines.predict_all(data, seed=params["seed"])
    with atomic_file("data/predictions/baselines.parquet") as tmp:
        predictions.to_parquet(tmp, index=False)
    write_json("metrics/baselines.json", baselines.metrics(predictions, data.classes))


if __name__ == "__main__":
    run_stage(main, outputs=("data/predictions/baselines.parquet", "metrics/baselines.json"))
