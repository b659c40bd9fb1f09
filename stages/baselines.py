"""Stage `baselines`: simple predictors on the models' test samples (see nextgenre.baselines)."""

from nextgenre import baselines
from nextgenre.outputs import atomic_outputs, out_file, write_json
from nextgenre.params import stage_params
from nextgenre.processed import read_processed
from nextgenre.runner import run_stage

OUTPUTS = ("data/predictions/baselines.parquet", "metrics/baselines.json")


def main() -> None:
    params = stage_params("baselines")
    data = read_processed("data/processed")
    predictions = baselines.predict_all(data, seed=params["seed"])
    with atomic_outputs(*map(out_file, OUTPUTS)) as (table, metrics):
        predictions.to_parquet(table, index=False)
        write_json(metrics, baselines.metrics(predictions, data.classes))


if __name__ == "__main__":
    run_stage(main, outputs=OUTPUTS)
