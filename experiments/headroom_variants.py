"""Why does a model miss part of the headroom? Retrain LSTM/GRU on one experiment's processed data
with a variant and print test accuracy and headroom share (the ceiling and best baseline come from
that experiment's reports/comparison.json; synthetic data only).

    python experiments/headroom_variants.py memory-strong-plain-s1 default notext patience10
    python experiments/headroom_variants.py mood-strong-stress-s1 model.units=32,model.dropout=0.4

Variants: default (the experiment's own params), notext (the text part left out, as
features.text=false), patience10 (train.patience 10, train.epochs 60), textproj8 (the text part
through a shared linear map to 8 numbers, model.text_projection=8), theme (the text part replaced
by a one-hot of each track's planted lyric theme, read from the experiment's truth, with no
projection: an oracle input, never the study's, that tells reading the theme from the lyrics
vectors apart from using it), textstd (each text column centred and scaled to unit variance, with
the mean and standard deviation of the sessions in the training windows), textpca16 (the text part
replaced by its first 16 principal components, whitened, fitted on the same sessions; no
projection), or settings of the
`model` and `train` sections, `section.key=value` joined by commas (values read as YAML, as `-S`).
"""

from __future__ import annotations

import argparse
import copy
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from nextgenre import grid
from nextgenre.constants import GENRES
from nextgenre.evaluation import predict_test
from nextgenre.headroom import SESSIONS, TRUTH_INPUTS
from nextgenre.params import validate
from nextgenre.processed import FILES, read_processed
from nextgenre.pseudonym import PUBLIC_KEY
from nextgenre.runner import run_stage
from nextgenre.sources import SYNTHETIC_TRUTH
from nextgenre.synthetic.truth import read_truth, theme_codes, truth_rows
from nextgenre.training import train_model

NAMED = ("default", "notext", "patience10", "textproj8", "theme", "textstd", "textpca16")


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


def replace_text(processed, columns: np.ndarray):
    """The text part of every session vector replaced by `columns` (n_sessions x k; k = 0 leaves
    it out, and the layout then has no text part), the other parts' offsets moved to match."""
    a, b = processed.meta["layout"]["text"]
    processed.vectors = np.ascontiguousarray(np.hstack([processed.vectors[:, :a], columns, processed.vectors[:, b:]]))
    k = columns.shape[1]
    layout = {
        name: [s + k - (b - a), e + k - (b - a)] if s >= b else [s, e]
        for name, (s, e) in processed.meta["layout"].items()
    }
    layout["text"] = [a, a + k]
    processed.meta["layout"] = layout if k else {name: span for name, span in layout.items() if name != "text"}
    processed.meta["input_dim"] = processed.vectors.shape[1]
    return processed


def without_text(processed):
    return replace_text(processed, np.empty((len(processed.vectors), 0), dtype=processed.vectors.dtype))


def with_theme(processed, folder: Path):
    """The text part replaced by the one-hot (none, then GENRES) of the planted theme of each
    session's track, from the experiment's truth in `folder` (data/truth, data/interim)."""
    truth = read_truth(folder / SYNTHETIC_TRUTH)
    sessions = pd.read_parquet(folder / SESSIONS, columns=["user", "created_at"])
    rows = truth_rows(truth, sessions, np.arange(len(sessions)), PUBLIC_KEY.encode())
    onehot = np.eye(len(GENRES) + 1, dtype=np.float32)[theme_codes(truth.sessions)[rows]]
    return replace_text(processed, onehot)


def training_sessions(processed) -> np.ndarray:
    """Which sessions the training windows hold (booleans per row of the vectors)."""
    train = processed.samples.iloc[processed.positions("train")]
    steps = np.zeros(len(processed.vectors) + 1, dtype=np.int64)
    np.add.at(steps, train["start"].to_numpy(), 1)
    np.add.at(steps, train["target"].to_numpy(), -1)
    return np.cumsum(steps[:-1]) > 0


def principal_text(processed, k: int):
    """The text part replaced by its first k principal components, whitened (unit variance),
    fitted on the sessions that the training windows hold."""
    from sklearn.decomposition import PCA

    a, b = processed.meta["layout"]["text"]
    text = processed.vectors[:, a:b]
    pca = PCA(n_components=k, whiten=True, random_state=0).fit(text[training_sessions(processed)])
    return replace_text(processed, pca.transform(text).astype(processed.vectors.dtype))


def standardized_text(processed):
    """Each text column centred and scaled by its mean and standard deviation over the sessions
    that the training windows hold."""
    a, b = processed.meta["layout"]["text"]
    seen = training_sessions(processed)
    text = processed.vectors[:, a:b]
    mean, std = text[seen].mean(axis=0), text[seen].std(axis=0)
    processed.vectors[:, a:b] = (text - mean) / np.maximum(std, 1e-6)
    return processed


def main() -> None:
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
        files = [f"data/processed/{name}" for name in FILES]
        if any(variant == "theme" for variant, _ in args.variants):
            files += TRUTH_INPUTS
        grid.copy_outputs(args.experiment, files, tmp)
        for variant, changes in args.variants:
            processed = read_processed(Path(tmp) / "data/processed", mmap=False)
            run = copy.deepcopy(params)
            if variant == "notext":
                processed = without_text(processed)
            elif variant == "patience10":
                run["train"].update(patience=10, epochs=60)
            elif variant == "textproj8":
                run["model"]["text_projection"] = 8
            elif variant == "textstd":
                processed = standardized_text(processed)
            elif variant == "textpca16":
                processed = principal_text(processed, 16)
                run["model"]["text_projection"] = 0
            elif variant == "theme":
                processed = with_theme(processed, Path(tmp))
                run["model"]["text_projection"] = 0
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
