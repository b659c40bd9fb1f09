"""Stage `train@<model>`: fit the LSTM or GRU classifier on data/processed/.

Writes models/<model>/ (config.json, weights.npz) and the dvclive log dvclive/train/<model>/.
Usage: python stages/train.py lstm|gru
"""

from __future__ import annotations

import sys

from nextgenre.cli import prepare_outputs, run_stage
from nextgenre.errors import NextgenreError
from nextgenre.features import read_processed
from nextgenre.models import RECURRENT
from nextgenre.outputs import atomic_outputs, out_dir
from nextgenre.params import load_params


def main() -> None:
    if len(sys.argv) != 2 or sys.argv[1] not in RECURRENT:
        raise NextgenreError(f"usage: python stages/train.py {{{','.join(RECURRENT)}}}")
    kind = sys.argv[1]
    outputs = (f"models/{kind}", f"dvclive/train/{kind}")
    prepare_outputs(outputs)
    params = load_params()
    processed = read_processed("data/processed")

    from dvclive import Live
    from nextgenre.training import save_model, train_model

    with atomic_outputs(*map(out_dir, outputs)) as (model_dir, live_dir):
        with Live(dir=str(live_dir), dvcyaml=None, save_dvc_exp=False, report=None) as live:
            model, history = train_model(kind, processed, params, live=live)
        config = {"kind": kind, "input_dim": processed.meta["input_dim"], "classes": processed.meta["classes"],
                  "history": processed.meta["history"], "model": params["model"]}
        save_model(model, model_dir, config)
    print(f"train@{kind}: {len(history['loss'])} epochs, best val_loss {min(history['val_loss']):.4f}")


if __name__ == "__main__":
    run_stage(main)
