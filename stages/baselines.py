"""Stage `baselines`: simple predictors on the models' test samples (see nextgenre.baselines)."""

from nextgenre import baselines
from nextgenre.cli import run_stage
from nextgenre.outputs import atomic_outputs, out_file, write_json
from nextgenre.params import load_params

OUTPUTS = ("data/predictions/baselines.parquet", "metrics/baselines.json")


def main() -> None:
    params = load_params()
    data = baselines.load_processed("data/processed")
    predictions = baselines.predict_all(data, seed=params["seed"])
    with atomic_outputs(*map(out_file, OUTPUTS)) as (table, metrics):
        predictions.to_parquet(table, index=False)
        write_json(metrics, baselines.metrics(predictions, data.classes))


if __name__ == "__main__":
    run_stage(main, outputs=OUTPUTS)
