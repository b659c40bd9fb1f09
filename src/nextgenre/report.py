"""The comparison report: this run's LSTM and GRU beside the paper's table and the baselines.

`build_comparison` gathers everything into one dictionary (reports/comparison.json);
`render_markdown` turns it into reports/comparison.md and `headline` picks the few numbers that
are the run's metrics (metrics/headline.json: what `dvc exp show` and `dvc metrics diff` show).
Accuracies are recomputed from the prediction files (and checked against the evaluate stage's
scores), with 95% percentile bootstrap intervals that resample test *users* (see
nextgenre.stats), and McNemar's test of every pair of models (nextgenre.registry) on the same
test samples.
"""

from __future__ import annotations

import json
import posixpath
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from nextgenre import headroom, stats
from nextgenre.baselines import BASELINES, DESCRIPTIONS
from nextgenre.errors import NextgenreError
from nextgenre.metrics import scores
from nextgenre.registry import MODELS, label, mcnemar_key, pairs
from nextgenre.sources import is_imported_public, is_synthetic

PAPER_KEYS = ("classes", "attention", "stress", "oversampling")
PAPER_ENCODER = "roberta-base (768 dimensions)"
ALPHA = 0.05

COMPARISON = "reports/comparison.json"  # everything the report says (a plain output, kept in git)
HEADLINE = "metrics/headline.json"  # the run's metrics: numbers only
MODEL_SCORES = "data/predictions/{}.json"  # evaluate@<model>'s scores (with per-class ones)
BASELINE_SCORES = "data/predictions/baselines.json"
EMBED_SUMMARY = "data/embeddings/summary.json"  # the encoder's name and dimension


@dataclass
class RunResults:
    """This run's outputs that the report reads, all on the same test samples."""

    predictions: dict[str, pd.DataFrame]  # model -> target, y_true, y_pred, p_<class>
    baselines: pd.DataFrame  # target, y_true, one column per baseline
    model_metrics: dict[str, dict]  # data/predictions/<model>.json
    baseline_metrics: dict  # data/predictions/baselines.json
    embed: dict  # data/embeddings/summary.json
    users: np.ndarray  # user_index of every test sample (bootstrap clusters)


def _read_json(path: Path) -> dict:
    if not path.exists():
        raise NextgenreError(f"{path}: not found (run the stage that writes it first)")
    return json.loads(path.read_text())


def _read_parquet(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise NextgenreError(f"{path}: not found (run the stage that writes it first)")
    return pd.read_parquet(path)


def load_results(root: str | Path = ".") -> RunResults:
    """Read predictions, metrics and the test samples' users from a repository root."""
    root = Path(root)
    predictions = {m: _read_parquet(root / f"data/predictions/{m}.parquet") for m in MODELS}
    base = _read_parquet(root / "data/predictions/baselines.parquet")
    samples = _read_parquet(root / "data/processed/samples.parquet")
    user_of = samples.set_index("target")["user_index"]
    targets = base["target"]
    if not targets.isin(user_of.index).all():
        raise NextgenreError("data/predictions/baselines.parquet: targets not in samples.parquet (stale?)")
    return RunResults(
        predictions=predictions,
        baselines=base,
        model_metrics={m: _read_json(root / MODEL_SCORES.format(m)) for m in MODELS},
        baseline_metrics=_read_json(root / BASELINE_SCORES),
        embed=_read_json(root / EMBED_SUMMARY),
        users=user_of.loc[targets].to_numpy(),
    )


def load_paper(path: str | Path = "paper/tables.yaml") -> dict:
    return yaml.safe_load(Path(path).read_text())


def data_source(raw: str) -> dict:
    """Where the data came from: the synthetic stand-in, the public listening tweets that
    real/dvc.yaml imported (its raw folder says so), or the researcher's own folder."""
    raw = posixpath.normpath(str(raw))
    if is_synthetic(raw):
        return {
            "synthetic": True,
            "raw": raw,
            "description": f"the synthetic stand-in that the pipeline generates (`{raw}`)",
        }
    if is_imported_public(raw):
        return {
            "synthetic": False,
            "raw": raw,
            "description": f"public listening tweets (Dooms et al. 2014) imported to `{raw}` "
            "by real/dvc.yaml: everyone in group control, no stress, no lyrics",
        }
    return {"synthetic": False, "raw": raw, "description": f"the researcher's own data at `{raw}`"}


def run_config(params: dict) -> dict:
    """The settings that locate this run in the paper's table, and a few that describe it."""
    return {
        "classes": params["features"]["classes"],
        "attention": params["model"]["attention"],
        "stress": params["features"]["stress"],
        "oversampling": params["train"]["oversample"],
        "history": params["features"]["history"],
        "stress_interval": params["data"]["interval"] if params["features"]["stress"] else None,
    }


def paper_models(table: list[dict]) -> list[str]:
    """The registered models that the paper's table gives numbers for (LSTM, GRU), in registry order."""
    return [m for m in MODELS if any(row.get(m) is not None for row in table)]


def match_paper_row(rows: list[dict], config: dict) -> dict | None:
    """The paper's accuracy row with this run's classes, attention, stress and oversampling."""
    for row in rows:
        if all(row[k] == config[k] for k in PAPER_KEYS):
            return row
    return None


def _check_same_samples(results: RunResults) -> None:
    ref = results.baselines
    for name, pred in results.predictions.items():
        if len(pred) != len(ref) or not (
            np.array_equal(pred["target"].to_numpy(), ref["target"].to_numpy())
            and np.array_equal(pred["y_true"].to_numpy(), ref["y_true"].to_numpy())
        ):
            raise NextgenreError(
                f"data/predictions/{name}.parquet and baselines.parquet are not on the "
                "same test samples in the same order (rerun `dvc repro`)"
            )


def _check_classes(results: RunResults, n_classes: int) -> list[str]:
    classes = results.baseline_metrics.get("classes")
    for name, m in results.model_metrics.items():
        if m.get("classes") != classes:
            raise NextgenreError(f"{MODEL_SCORES.format(name)} and {BASELINE_SCORES} name different classes")
    if classes is None or len(classes) != n_classes:
        raise NextgenreError(
            f"metrics name {classes} as classes but features.classes is {n_classes} (rerun `dvc repro`)"
        )
    return classes


def _scored(y_true, y_pred, users, n_classes: int, seed: int) -> dict:
    out = scores(y_true, y_pred, n_classes)
    out["ci_low"], out["ci_high"] = stats.accuracy_ci(y_true, y_pred, clusters=users, seed=seed)
    return out


def build_comparison(results: RunResults, params: dict, paper: dict, truth: dict | None = None) -> dict:
    """Everything the report says, as one JSON-ready dictionary. `truth`: the known answers on
    the test samples (nextgenre.headroom.truth_correct; None: the data has no truth)."""
    _check_same_samples(results)
    config = run_config(params)
    classes = _check_classes(results, config["classes"])
    seed = params["seed"]
    y_true = results.baselines["y_true"].to_numpy()
    users = results.users

    models = {}
    for name in MODELS:
        y_pred = results.predictions[name]["y_pred"].to_numpy()
        models[name] = _scored(y_true, y_pred, users, len(classes), seed)
        reported = results.model_metrics[name]["accuracy"]
        if abs(reported - models[name]["accuracy"]) > 1e-4:
            raise NextgenreError(
                f"{MODEL_SCORES.format(name)} says accuracy {reported} but its predictions give "
                f"{models[name]['accuracy']:.6f} (stale outputs? rerun `dvc repro`)"
            )
        models[name]["per_class"] = results.model_metrics[name]["per_class"]
    base = {name: _scored(y_true, results.baselines[name].to_numpy(), users, len(classes), seed) for name in BASELINES}

    best = max(BASELINES, key=lambda b: base[b]["accuracy"])  # first in BASELINES order on ties
    correct = {name: results.predictions[name]["y_pred"].to_numpy() == y_true for name in MODELS}
    best_correct = results.baselines[best].to_numpy() == y_true
    margins = {}
    for name in MODELS:
        diff = correct[name].astype(float) - best_correct
        low, high = stats.bootstrap_mean_ci(diff, clusters=users, seed=seed)
        margins[name] = {
            "over_best": models[name]["accuracy"] - base[best]["accuracy"],
            "over_best_ci_low": low,
            "over_best_ci_high": high,
            "over": {b: models[name]["accuracy"] - base[b]["accuracy"] for b in BASELINES},
        }

    row = match_paper_row(paper["accuracy"], config)
    deltas = {
        name: (models[name]["accuracy"] - row[name] if row and row.get(name) is not None else None) for name in MODELS
    }
    return {
        "data_source": data_source(params["data"]["raw"]),
        "encoder": {"name": results.embed.get("encoder", params["embed"]["model"]), "dim": results.embed.get("dim")},
        "config": config,
        "class_names": classes,
        "n_test": int(len(y_true)),
        "n_test_users": int(len(np.unique(users))),
        "bootstrap": {
            "level": stats.LEVEL,
            "resamples": stats.N_RESAMPLES,
            "seed": seed,
            "method": "percentile bootstrap, resampling test users (clusters)",
        },
        "models": models,
        "baselines": base,
        "best_baseline": {"name": best, "accuracy": base[best]["accuracy"]},
        "margins": margins,
        **{mcnemar_key(a, b): stats.mcnemar(correct[a], correct[b]) for a, b in pairs()},
        "paper": {"row": row, "delta": deltas, "table": paper["accuracy"]},
        # --- known answers (issue 12): oracle, from-history ceiling, headroom share per model ---
        "known_answers": headroom.known_answers(truth, correct, best, best_correct, users, seed),
    }


HEADLINE_SCORES = ("accuracy", "ci_low", "ci_high", "macro_f1")


def headline(c: dict) -> dict:
    """The run's metrics (metrics/headline.json), numbers only, picked from the comparison `c`:
    per model its test accuracy with the 95% interval (ci_low, ci_high) and macro-F1, and its
    `headroom_share` where the comparison has one and the headroom is real (synthetic data, whose
    truth is known: the known-answers block, where the headroom's interval lies above zero; with
    no learnable headroom the share is noise and stays in the report only); the best baseline's
    accuracy (its name is in the report); McNemar's p of every pair of models. In that order, which
    is the order of `dvc exp show`'s first columns (the file is written unsorted): every model's
    accuracy comes before the baseline and the tests, whatever the models' names."""
    answers = c.get("known_answers", {})
    learnable = (answers.get("headroom") or {}).get("ci_low") is not None and answers["headroom"]["ci_low"] > 0
    known = answers.get("models", {}) if learnable else {}
    out = {}
    for name in MODELS:
        m = c["models"][name]
        out[name] = {k: m[k] for k in HEADLINE_SCORES}
        if known.get(name, {}).get("headroom_share") is not None:
            out[name]["headroom_share"] = known[name]["headroom_share"]
    out["best_baseline"] = {"accuracy": c["best_baseline"]["accuracy"]}
    for a, b in pairs():
        out[mcnemar_key(a, b)] = {"p_value": c[mcnemar_key(a, b)]["p_value"]}
    return out


# --- markdown -------------------------------------------------------------------------------


def _f(x, digits: int = 3) -> str:
    return "—" if x is None else f"{x:.{digits}f}"


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _ci(d: dict) -> str:
    return f"[{d['ci_low']:.3f}, {d['ci_high']:.3f}]"


def _p(p: float) -> str:
    return "< 0.001" if p < 0.001 else f"= {p:.3f}"


def render_markdown(c: dict) -> str:
    cfg, models, base = c["config"], c["models"], c["baselines"]
    lines = ["# Next-genre prediction: this run against the paper and the baselines", ""]
    if c["data_source"]["synthetic"]:
        lines += [
            "**Synthetic data: these numbers test the pipeline, not the paper's hypothesis.** "
            "The stand-in data is generated by the pipeline itself; only the researcher's own "
            "data can confirm or refute the paper's results.",
            "",
        ]
    in_paper = paper_models(c["paper"]["table"])
    stress = "yes" if cfg["stress"] else "no"
    if cfg["stress"]:
        stress += f" ({cfg['stress_interval']}-minute window)"
    enc = c["encoder"]
    lines += [
        f"- **Data:** {c['data_source']['description']}",
        f"- **Encoder:** `{enc['name']}`"
        + (f" ({enc['dim']} dimensions)" if enc["dim"] else "")
        + f"; the paper used {PAPER_ENCODER}",
        f"- **Configuration:** {cfg['classes']} classes ({', '.join(c['class_names'])}); "
        f"attention: {_yes(cfg['attention'])}; stress: {stress}; oversampling: {_yes(cfg['oversampling'])}; "
        f"history: {cfg['history']} sessions",
        f"- **Test set:** {c['n_test']} samples from {c['n_test_users']} users that no model saw in training",
        "",
        "## The paper's table and this run",
        "",
        "Test accuracy. This run's numbers (with 95% bootstrap intervals) stand in the row of the "
        "paper's configuration that matches this run; — marks a number the paper does not give.",
        "",
        "| classes | attention | stress | oversampling | "
        + " | ".join([f"paper {label(m)}" for m in in_paper] + [f"this run {label(m)}" for m in MODELS])
        + " |",
        "| ---: | :-: | :-: | :-: |" + " ---: |" * (len(in_paper) + len(MODELS)),
    ]
    row = c["paper"]["row"]
    this = {m: f"**{_f(models[m]['accuracy'])}** {_ci(models[m])}" for m in MODELS}
    for r in c["paper"]["table"]:
        mine = row is not None and all(r[k] == row[k] for k in PAPER_KEYS)
        cells = [_f(r.get(m), 2) for m in in_paper] + [this[m] if mine else "" for m in MODELS]
        lines.append(
            f"| {r['classes']} | {_yes(r['attention'])} | {_yes(r['stress'])} | "
            f"{_yes(r['oversampling'])} | " + " | ".join(cells) + " |"
        )
    if row is None:
        cells = ["not in the paper" for _ in in_paper] + [this[m] for m in MODELS]
        lines.append(
            f"| {cfg['classes']} | {_yes(cfg['attention'])} | {_yes(cfg['stress'])} | "
            f"{_yes(cfg['oversampling'])} | " + " | ".join(cells) + " |"
        )
        lines += [
            "",
            "No row of the paper's table has this configuration, so there is nothing to "
            "compare this run with directly.",
        ]
    else:
        parts = [f"{label(m)} {c['paper']['delta'][m]:+.3f}" for m in MODELS if c["paper"]["delta"][m] is not None]
        lines += ["", "This run minus the paper: " + ", ".join(parts) + "."]

    lines += [
        "",
        "## Do the models beat the baselines?",
        "",
        "Every predictor is scored on the same test samples.",
        "",
        "| predictor | what it is | accuracy | 95% CI | macro-F1 | balanced accuracy |",
        "| --- | --- | ---: | :-: | ---: | ---: |",
    ]
    for m in MODELS:
        lines.append(
            f"| **{label(m)}** | {MODELS[m].family} | **{_f(models[m]['accuracy'])}** | {_ci(models[m])} | "
            f"{_f(models[m]['macro_f1'])} | {_f(models[m]['balanced_accuracy'])} |"
        )
    for b in BASELINES:
        lines.append(
            f"| {b} | {DESCRIPTIONS[b]} | {_f(base[b]['accuracy'])} | {_ci(base[b])} | "
            f"{_f(base[b]['macro_f1'])} | {_f(base[b]['balanced_accuracy'])} |"
        )
    best = c["best_baseline"]["name"]
    sentences = [f"The best baseline is **{best}** (accuracy {_f(c['best_baseline']['accuracy'])})."]
    for m in MODELS:
        mg = c["margins"][m]
        if mg["over_best_ci_low"] > 0:
            verdict = "better than it"
        elif mg["over_best_ci_high"] < 0:
            verdict = "worse than it"
        else:
            verdict = "not distinguishable from it"
        sentences.append(
            f"{label(m)} is {mg['over_best']:+.3f} against it (95% CI of the difference "
            f"[{mg['over_best_ci_low']:+.3f}, {mg['over_best_ci_high']:+.3f}]): {verdict}."
        )
    lines += ["", " ".join(sentences)]

    for a, b in pairs():
        mc = c[mcnemar_key(a, b)]
        significant = mc["p_value"] < ALPHA
        a, b = label(a), label(b)
        lines += [
            "",
            f"## {a} against {b} (McNemar's test)",
            "",
            f"On the {c['n_test']} test samples, the {a} was right where the {b} was wrong {mc['b']} times, "
            f"and the {b} right where the {a} was wrong {mc['c']} times. McNemar's test ({mc['method']}) "
            f"gives statistic {mc['statistic']:.3f}, p {_p(mc['p_value'])}: at the 5% level the two "
            "models' accuracies "
            + ("**differ significantly**." if significant else "**do not differ significantly**."),
        ]
    lines += _known_answers_markdown(c["known_answers"], c["n_test"])
    lines += [
        "",
        "## How to read this report",
        "",
        f"- Intervals: {int(c['bootstrap']['level'] * 100)}% percentile bootstrap of accuracy, "
        f"{c['bootstrap']['resamples']} resamples (seed {c['bootstrap']['seed']}). Each resample draws "
        "test *users* with replacement and keeps all their samples, because one user's samples are not "
        "independent of each other; such intervals are usually wider than a per-sample bootstrap's.",
        "- A model is better than the best baseline only when the interval of the paired difference lies above zero.",
        "- McNemar's test looks only at the samples where exactly one of the two models is right; it "
        "treats samples as independent, so with several samples per user its p-value is, if anything, "
        "too small.",
        "- The paper reports single accuracies without intervals; its numbers come from its own data and encoder.",
        "",
    ]
    return "\n".join(lines)


# --- known answers (issue 12) -----------------------------------------------------------------


def _share(m: dict) -> str:
    if m["headroom_share"] is None:
        return "—"
    return f"**{m['headroom_share']:.2f}** [{m['ci_low']:.2f}, {m['ci_high']:.2f}]"


def _known_answers_markdown(k: dict, n_test: int) -> list[str]:
    lines = ["", "## Known answers: how much of what is learnable do the models learn?", ""]
    if not k["truth"]:
        return lines + [k["note"].capitalize() + "."]
    h = k["headroom"]
    lines += [
        f"The synthetic data comes with its truth (`data/truth/`, never a model input). On the same "
        f"{n_test} test samples: the **oracle** predicts the genre with the generator's true "
        "probabilities (it knows each user's hidden taste); the **from-history ceiling** is the best "
        f"prediction from what this run's models see (the last {k['ceiling_window']} sessions before each "
        "target, features.history), computed from the generator's true parameters. "
        "The learnable **headroom** is the ceiling minus the best baseline "
        f"({k['best_baseline']}): {h['accuracy']:+.3f} [{h['ci_low']:+.3f}, {h['ci_high']:+.3f}]. "
        "A model's **headroom share** is (model - best baseline) / (ceiling - best baseline): 1 = it "
        "learns all that can be learned from the history, 0 = no more than the best baseline.",
        "",
        "| predictor | accuracy | 95% CI | headroom share [95% CI] |",
        "| --- | ---: | :-: | :-: |",
        f"| oracle | {_f(k['oracle']['accuracy'])} | {_ci(k['oracle'])} | |",
        f"| from-history ceiling | {_f(k['ceiling']['accuracy'])} | {_ci(k['ceiling'])} | 1 |",
    ]
    for name, m in k["models"].items():
        lines.append(f"| {label(name)} | {_f(m['accuracy'])} | | {_share(m)} |")
    if h["ci_low"] <= 0:
        lines += [
            "",
            "The ceiling is not clearly above the best baseline here (the interval of the headroom "
            "reaches zero), so the headroom shares are noise: with no planted effect there is little "
            "to learn beyond the last genre.",
        ]
    return lines
