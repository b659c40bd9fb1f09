"""Stage `train@<model>`: fit one registered classifier (LSTM, GRU or SASRec) on data/processed/.

Writes models/<model>/ (config.json, weights.npz; atomically) and the dvclive log
dvclive/train/<model>/, written in place while training so that live views (VS Code, Studio) follow
it: DVC removes a stage's outputs before it runs, so a half-written log is never taken as valid.
Usage: python stages/train.py MODEL (a name in nextgenre.registry.MODELS: lstm, gru, sasrec)
"""

from __future__ import annotations

from nextgenre.outputs import atomic_dir
from nextgenre.params import stage_params
from nextgenre.processed import read_processed
from nextgenre.registry import model_argument
from nextgenre.runner import prepare_outputs, run_stage


def main() -> None:
    kind = model_argument(__doc__)
    model_dir, live_dir = f"models/{kind}", f"dvclive/train/{kind}"
    prepare_outputs((model_dir, live_dir))
    params = stage_params("train")
    processed = read_processed("data/processed")

    from nextgenre.backend import import_keras

    import_keras()  # first: TensorFlow's import-time notices kept off the console
    from dvclive import Live
    from nextgenre.training import model_config, save_model, train_model

    with Live(dir=live_dir, dvcyaml=None, save_dvc_exp=False, report=None) as live:
        model, _ = train_model(kind, processed, params, live=live)
    with atomic_dir(model_dir) as tmp:
        save_model(model, tmp, model_config(kind, processed, params))


if __name__ == "__main__":
    run_stage(main)
