"""Why does a model miss part of the headroom? Retrain LSTM/GRU on one experiment's processed data
with a variant and print test accuracy and headroom share (the ceiling and best baseline come from
that experiment's reports/comparison.json; synthetic data only).

    python experiments/headroom_variants.py memory-strong-plain-s1 default notext patience10
    python experiments/headroom_variants.py mood-strong-stress-s1 model.units=32,model.dropout=0.4

Variants: default (the experiment's own params), notext (the text part left out, as
features.text=false), patience10 (train.patience 10, train.epochs 60), textproj8 (the text part
through a shared linear map to 8 numbers, model.text_projection=8), or settings of the `model`
and `train` sections, `section.key=value` joined by commas (values read as YAML, as `-S`).
"""

from __future__ import annotations

import argparse
import copy
import tempfile
from pathlib import Path

import numpy as np
import yaml

from nextgenre import grid
from nextgenre.evaluation import predict_test
from nextgenre.params import validate
from nextgenre.processed import FILES, read_processed
from nextgenre.runner import run_stage
from nextgenre.training import train_model

NAMED = ("default", "notext", "patience10", "textproj8")


def parse_variant(text: str) -> tuple[str, dict]:
    """(text, {(section, key): value}): a named variant (no settings), or `section.key=value[,...]`
    settings of the model and train sections."""
    if text in NAMED:
        return text, {}
    changes = {}
    for key, value in grid.parse_settings(text.split(",")).items():
        section, _, name = key.partition(".")
        if section not in ("model", "train") or not name:
            raise argparse.ArgumentTypeError(f"{text!r}: expected one of {', '.join(NAMED)} or model./train. settings")
        changes[section, name] = value
    return text, changes


def without_text(processed):
    d = processed.meta["layout"]["text"][1]
    processed.vectors = np.ascontiguousarray(processed.vectors[:, d:])
    processed.meta["layout"] = {k: [a - d, b - d] for k, (a, b) in processed.meta["layout"].items() if k != "text"}
    processed.meta["input_dim"] = processed.vectors.shape[1]
    return processed


def main() -> None:
    import dvc.api

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("experiment")
    parser.add_argument("variants", nargs="+", type=parse_variant)
    parser.add_argument("--models", nargs="+", default=["lstm", "gru"])
    args = parser.parse_args()

    c = grid.read_comparison(args.experiment)
    known = c["known_answers"]
    best, ceiling = c["best_baseline"]["accuracy"], known["ceiling"]["accuracy"]
    print(f"{args.experiment}: best baseline {c['best_baseline']['name']} {best:.3f}, ceiling {ceiling:.3f}")
    params = yaml.safe_load(grid.read_git_file(args.experiment, "params.yaml"))
    params["model"].setdefault("text_projection", 0)  # experiments from before the setting existed
    with tempfile.TemporaryDirectory() as tmp:
        for name in FILES:
            with dvc.api.open(f"data/processed/{name}", rev=grid._exp_ref(args.experiment), mode="rb") as src:
                (Path(tmp) / name).write_bytes(src.read())
        for variant, changes in args.variants:
            processed = read_processed(tmp, mmap=False)
            run = copy.deepcopy(params)
            if variant == "notext":
                processed = without_text(processed)
            elif variant == "patience10":
                run["train"].update(patience=10, epochs=60)
            elif variant == "textproj8":
                run["model"]["text_projection"] = 8
            elif changes:
                for (section, name), value in changes.items():
                    run[section][name] = value
                validate(run)  # a misspelt setting or a wrong value stops here, named
            for model_name in args.models:
                model, history = train_model(model_name, processed, run)
                result = predict_test(model, processed)
                acc = float((result["probabilities"].argmax(axis=1) == result["y_true"]).mean())
                share = f"{(acc - best) / (ceiling - best):.2f}" if ceiling > best else "— (no headroom)"
                print(f"| {variant} | {model_name} | {acc:.3f} | {share} | {len(history['loss'])} |")


if __name__ == "__main__":
    run_stage(main)
