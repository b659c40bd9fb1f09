"""The study on real listening tweets (imported by real/dvc.yaml), as DVC experiments.

    python experiments/real_study.py search    # validation users only -> reports/real_lastfm_search.json
    python experiments/real_study.py final     # 5-fold cross-validation over users -> reports/real_lastfm.md

`search` runs the 6-class task (seed 42, one user split) once per setting of SEARCH, each a
change from the defaults (history length; a smaller model: fewer units, more dropout; learning
rate), and ranks the settings by the validation accuracy of the registered models (mean over
them, at each model's best epoch by val_loss). The test metrics those runs also compute are not
read. `final` takes the best setting and runs each task of TASKS (the 6-class task with the
artist input off and on, the 4- and 3-class tasks without it; `--only` picks some) as a user-level k-fold
cross-validation: one experiment per fold (`-S split.folds=5 -S split.fold=k`, the same model
seed in all), so that every user with a sample is tested exactly once. The folds' test
predictions are pooled (nextgenre.crossval): accuracy over all users with a cluster-bootstrap
interval, each model's margin over the best baseline with a paired interval, McNemar's tests on
the pooled predictions, and the artist input's effect where a task ran both ways. Every run is
`-j 1` by default (the machine is shared); `-S` adds a setting to every experiment.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from nextgenre import crossval, grid, stats
from nextgenre.baselines import BASELINES
from nextgenre.errors import NextgenreError
from nextgenre.outputs import atomic_file, write_json
from nextgenre.provenance import PIPELINE, record
from nextgenre.realdata.summary import data_tables, render_tables
from nextgenre.registry import label
from nextgenre.runner import run_stage

RAW = "data/raw/lastfm"
# At most 30 epochs, patience 3: the CPU budget of one shared 2-core machine (docs/real-data.md).
COMMON = {"data.raw": RAW, "train.epochs": 30, "train.patience": 3}
# A history of 50 sessions was planned too and dropped for the CPU budget (docs/real-data.md).
SEARCH = {
    "search-default": {},
    "search-small": {"model.units": 32, "model.dropout": 0.5},
    "search-lr0.003": {"train.learning_rate": 0.003},
}
ONE_SPLIT = {"split.folds": 0, "features.artist": False}  # the search: one user split, the paper's inputs
ARTIST_SUFFIX = "-artist"
# The artist input on 6 classes only: it did not help there, so the 4- and 3-class tasks leave it
# out (any task with it can still be named: `-S features.artist=true` is one setting).
TASKS = {
    "real-6-class": {"features.classes": 6, "features.artist": False},
    "real-6-class" + ARTIST_SUFFIX: {"features.classes": 6, "features.artist": True},
    "real-4-class": {"features.classes": 4, "features.artist": False},
    "real-3-class": {"features.classes": 3, "features.artist": False},
}
FOLDS = 5
FOLD_SEED = 0  # split.fold_seed: the one partition of the users into folds
SEARCH_FILE = Path("reports/real_lastfm_search.json")
CODE = ["experiments/real_study.py", "real", *PIPELINE]  # what the reports' numbers depend on


def search(jobs: int, extra: dict) -> dict:
    queued = grid.queue_grid(SEARCH, [42], {**COMMON, **ONE_SPLIT, **extra}, reuse=True)
    grid.run_queue(jobs)
    rows = {}
    for q in queued:
        val = {m: grid.read_best_val(q.name, m) for m in grid.MODELS}
        rows[q.config] = {
            "settings": SEARCH[q.config],
            "models": val,
            "mean_val_accuracy": float(np.mean([v["val_accuracy"] for v in val.values()])),
        }
    best = max(rows, key=lambda c: rows[c]["mean_val_accuracy"])
    result = {
        "task": "6 classes, seed 42, validation users only",
        "common": {**COMMON, **ONE_SPLIT, **extra},
        "settings": rows,
        "best": best,
    }
    write_json(SEARCH_FILE, result)
    record(SEARCH_FILE, "python experiments/real_study.py " + " ".join(sys.argv[1:]), CODE, "reports/real_lastfm.md")
    print(json.dumps(result, indent=1))
    return result


def _search_table(result: dict) -> str:
    models = [m for m in grid.MODELS if all(m in row["models"] for row in result["settings"].values())]
    lines = [
        "| setting | changed | " + " | ".join(f"{label(m)} val acc (epoch)" for m in models) + " | mean |",
        "| --- | --- |" + " ---: |" * (len(models) + 1),
    ]
    for config, row in sorted(result["settings"].items(), key=lambda kv: -kv[1]["mean_val_accuracy"]):
        changed = ", ".join(f"{k}={v}" for k, v in row["settings"].items()) or "defaults"
        cells = [
            f"{row['models'][m]['val_accuracy']:.3f} ({row['models'][m]['epoch'] + 1}/{row['models'][m]['epochs']})"
            for m in models
        ]
        mark = " **chosen**" if config == result["best"] else ""
        lines.append(f"| {config}{mark} | {changed} | " + " | ".join(cells) + f" | {row['mean_val_accuracy']:.3f} |")
    return "\n".join(lines) + "\n"


def _p(p: float) -> str:
    return "< 0.001" if p < 0.001 else f"{p:.3g}"


def _ci(d: dict, key: str = "accuracy", signed: bool = False) -> str:
    f = "+.3f" if signed else ".3f"
    return f"{d[key]:{f}} [{d['ci_low']:{f}}, {d['ci_high']:{f}}]"


def fold_experiments(tasks: dict, folds: int, seed: int, common: dict) -> dict[str, dict]:
    """{experiment name: settings}: every task once per fold (`<task>-f<k>`), all with the same
    model seed; only split.fold differs between a task's experiments."""
    return {
        fold_name(task, k): {
            **grid.BASE,
            **common,
            **settings,
            "seed": seed,
            "split.folds": folds,
            "split.fold": k,
            "split.fold_seed": FOLD_SEED,
        }
        for task, settings in tasks.items()
        for k in range(folds)
    }


def fold_name(task: str, fold: int) -> str:
    return f"{task}-f{fold}"


def pooled_predictions(task: str, folds: int) -> pd.DataFrame:
    """The test predictions of every fold of a task, from its experiments, pooled (every user once)."""
    tables = []
    for k in range(folds):
        name = fold_name(task, k)
        predictions = {m: grid.read_table(name, f"data/predictions/{m}.parquet") for m in grid.MODELS}
        baselines = grid.read_table(name, "data/predictions/baselines.parquet")
        samples = grid.read_table(name, "data/processed/samples.parquet")[["target", "user_index"]]
        tables.append(crossval.fold_table(k, predictions, baselines, samples))
    return crossval.pool(tables)


def _accuracy_table(summaries: dict) -> str:
    lines = [
        "| task | test samples (users) | "
        + " | ".join(label(m) for m in grid.MODELS)
        + " | best baseline | "
        + " | ".join(b.replace("_", " ") for b in BASELINES)
        + " |",
        "| --- | --- |" + " --- |" * (len(grid.MODELS) + 1) + " ---: |" * len(BASELINES),
    ]
    for task, s in summaries.items():
        acc = s["accuracy"]
        cells = [_ci(acc[m]) for m in grid.MODELS] + [f"{s['best_baseline']} {_ci(acc[s['best_baseline']])}"]
        cells += [f"{acc[b]['accuracy']:.3f}" for b in BASELINES]
        lines.append(f"| {task} | {s['n_test']:,} ({s['n_test_users']:,}) | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _margin_table(summaries: dict) -> str:
    lines = [
        "| task | model | margin over the best baseline [95% CI] | McNemar vs best baseline (b/c, p) | "
        "McNemar vs the other models (p) |",
        "| --- | --- | --- | --- | --- |",
    ]
    for task, s in summaries.items():
        for m in grid.MODELS:
            mc = s["mcnemar_vs_best_baseline"][m]
            others = [
                f"{label(b if a == m else a)} {_p(r['p_value'])}"
                for key, r in s["mcnemar_pairs"].items()
                for a, b in [key.split("_vs_")]
                if m in (a, b)
            ]
            lines.append(
                f"| {task} | {label(m)} | {s['best_baseline']} {_ci(s['margins'][m], 'margin', signed=True)} | "
                f"{mc['b']}/{mc['c']}, {_p(mc['p_value'])} | {', '.join(others)} |"
            )
    return "\n".join(lines) + "\n"


def artist_effects(pooled: dict[str, pd.DataFrame], seed: int) -> dict:
    """Per class scheme whose tasks ran with the artist input off and on: each model's accuracy
    with it minus without, paired on the same samples, and McNemar's test."""
    effects = {}
    for task in pooled:
        if task.endswith(ARTIST_SUFFIX) and task.removesuffix(ARTIST_SUFFIX) in pooled:
            off, on = crossval.aligned(pooled[task.removesuffix(ARTIST_SUFFIX)], pooled[task])
            effects[task.removesuffix(ARTIST_SUFFIX)] = {
                m: {
                    **crossval.paired_margin(
                        crossval.correct(on, m), crossval.correct(off, m), off["user"].to_numpy(), seed
                    ),
                    "mcnemar": stats.mcnemar(crossval.correct(on, m), crossval.correct(off, m)),
                }
                for m in grid.MODELS
            }
    return effects


def _artist_table(effects: dict) -> str:
    if not effects:
        return "No class scheme ran with the artist input both off and on.\n"
    lines = ["| task | model | artist on minus off [95% CI] | McNemar (b/c, p) |", "| --- | --- | --- | --- |"]
    for task, per_model in effects.items():
        for m, e in per_model.items():
            mc = e["mcnemar"]
            lines.append(
                f"| {task} | {label(m)} | {_ci(e, 'margin', signed=True)} | {mc['b']}/{mc['c']}, {_p(mc['p_value'])} |"
            )
    return "\n".join(lines) + "\n"


def switches(pooled: dict[str, pd.DataFrame]) -> dict:
    """Beyond repeating the last genre: per task, the share of test samples whose genre differs
    from the previous session's (repeat-last is wrong on all of them), each predictor's accuracy
    on those, and how often each model predicts a class other than the previous one."""
    out = {}
    for task, p in pooled.items():
        switch = (p["y_true"] != p["repeat_last"]).to_numpy()
        row = {"switch_share": float(switch.mean())}
        for m in grid.MODELS:
            row[f"{m}_not_last"] = float((p[m] != p["repeat_last"]).mean())
        for name in [*grid.MODELS, "user_top", "markov", "linear"]:
            row[f"{name}_on_switches"] = float(crossval.correct(p, name)[switch].mean())
        out[task] = row
    return out


def _switch_table(rows: dict) -> str:
    named = [*grid.MODELS, "user_top", "markov", "linear"]
    head = (
        "| task | switches (target ≠ previous genre) | "
        + " | ".join(f"{label(m)} predicts ≠ previous" for m in grid.MODELS)
        + " | "
        + " | ".join(f"{label(n) if n in grid.MODELS else n.replace('_', ' ')} on switches" for n in named)
        + " |"
    )
    lines = [head, "| --- |" + " ---: |" * (1 + len(grid.MODELS) + len(named))]
    for task, r in rows.items():
        cells = [r["switch_share"]] + [r[f"{m}_not_last"] for m in grid.MODELS] + [r[f"{n}_on_switches"] for n in named]
        lines.append(f"| {task} | " + " | ".join(f"{v:.3f}" for v in cells) + " |")
    return "\n".join(lines) + "\n"


def _import_table(m: dict) -> str:
    d = m["dropped"]
    lines = [
        "| lines | retweets | unparseable | artist not in the table | artist without genre | ambiguous genre | broken lines | duplicates | kept sessions | users | tracks |",  # noqa: E501 (a markdown table header)
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| {m['lines']:,} | {d['retweet']:,} | {d['unparseable']:,} | {d['no_artist_match']:,} | "
        f"{d['no_genre']:,} | {d['ambiguous_genre']:,} | {d['bad_line']:,} | {d['duplicate']:,} | "
        f"{m['sessions']:,} | {m['users']:,} | {m['tracks']:,} |",
        "",
        f"Artist match rate: {m['artist_match']['tweets_rate']:.3f} of the parsed tweets "
        f"({m['artist_match']['distinct_rate']:.3f} of {m['artist_match']['distinct_artists']:,} "
        f"distinct artists); ambiguous share (artists with genres whose genres name two parents, "
        f"by sessions): {m['ambiguous_share']:.3f}.",
        "",
        "| parent genre | sessions | resolved by |",
        "| --- | ---: | --- |",
    ]
    for g, rules in m["sessions_per_genre_rule"].items():
        shown = ", ".join(f"{r}: {n:,}" for r, n in sorted(rules.items(), key=lambda kv: -kv[1]))
        lines.append(f"| {g} | {m['sessions_per_genre'][g]:,} | {shown} |")
    return "\n".join(lines) + "\n"


def final(
    search_result: dict,
    tasks: dict,
    folds: int,
    seed: int,
    jobs: int,
    extra: dict,
    command: str,
    collect_only: bool = False,
) -> None:
    chosen = search_result["settings"][search_result["best"]]["settings"]
    common = {**COMMON, **chosen, **extra}
    named = fold_experiments(tasks, folds, seed, common)
    if collect_only:  # the tasks whose every fold has finished, e.g. at a deadline
        tasks = {t: v for t, v in tasks.items() if all(grid.has_experiment(fold_name(t, k)) for k in range(folds))}
        if not tasks:
            raise NextgenreError("no task has finished all its folds")
    else:
        grid.queue_experiments(named, reuse=True)
        grid.run_queue(jobs)
    pooled = {task: pooled_predictions(task, folds) for task in tasks}
    summaries = {task: crossval.summary(p, list(grid.MODELS), list(BASELINES), seed) for task, p in pooled.items()}
    effects = artist_effects(pooled, seed)
    switch_rows = switches(pooled)
    first = fold_name(next(iter(tasks)), 0)
    tables = data_tables(grid.read_table(first, "data/interim/sessions.parquet"))
    imported = json.loads(grid.read_git_file(first, f"{RAW}/import.json"))
    write_json(
        "reports/real_lastfm.json",
        {
            "import": imported,
            "data": tables,
            "search": search_result,
            "final": {
                "common": common,
                "seed": seed,
                "folds": folds,
                "fold_seed": FOLD_SEED,
                "tasks": {t: tasks[t] for t in pooled},
                "pooled": summaries,
                "artist_effects": effects,
                "switches": switch_rows,
            },
        },
    )
    record("reports/real_lastfm.json", command, CODE, "reports/real_lastfm.md")  # reports/provenance.yaml
    search_cmd = "python experiments/real_study.py search" + "".join(f" -S {k}={v}" for k, v in extra.items())
    text = REPORT.format(
        import_table=_import_table(imported),
        data_tables=render_tables(tables),
        search_table=_search_table(search_result),
        chosen=", ".join(f"{k}={v}" for k, v in chosen.items()) or "the defaults",
        common=", ".join(f"{k}={v}" for k, v in common.items()),
        seed=seed,
        folds=folds,
        fold_seed=FOLD_SEED,
        accuracy=_accuracy_table(summaries),
        margins=_margin_table(summaries),
        artist=_artist_table(effects),
        switches=_switch_table(switch_rows),
        command=command,
        search_command=search_cmd,
        names=", ".join(f"{fold_name(t, 0)} .. {fold_name(t, folds - 1)}" for t in pooled),
        models=", ".join(label(m) for m in grid.MODELS),
    )
    with atomic_file("reports/real_lastfm.md") as tmp:
        tmp.write_text(text)
    record("reports/real_lastfm.md", command, CODE)  # reports/provenance.yaml
    print(text)


REPORT = """# The study on real listening tweets (Last.fm, Dooms et al. 2014)

**Real public data, not the paper's:** the "now listening" tweets that Last.fm posted for its
users, 2014-01-30 to 2014-11-28 (Dooms, De Pessemier, Martens, MSM workshop at WWW 2014, MIT
licence), with per-artist Spotify genres from the artists file of the Kaggle "Spotify Dataset
1921-2020". Everyone is in group `control` (the data says nothing about health) and there are no
ordinary tweets, hence **no stress**: only the sequence part of the study applies. The tracks
have **no lyrics**, so the lyrics embedding of every session is a zero vector; the models see
the genre and time of day of each earlier session (and a constant disorder flag of 0), and with
the artist input (`-artist` tasks) the artist of each earlier session too, as a learned embedding
of the artists in the training users' sessions (every other artist one shared "unknown" id).
Only aggregate numbers appear here.

## Import (`dvc repro real/dvc.yaml`, data/raw/lastfm/import.json)

{import_table}
## The data's own tables (ingested sessions)

{data_tables}
## Search (validation users only)

`{search_command}`: the 6-class task, seed 42, one user split, one change from the defaults per
run (history 20, units 128, dropout 0.2, learning rate 0.001); ranked by the mean over the models
of their validation accuracy at the epoch with the lowest validation loss (the weights early
stopping restores). Those runs also evaluate on their test users; the choice was made from the
validation numbers alone and written to reports/real_lastfm_search.json before any final run.
The cross-validation below tests every user, so the users whose validation accuracy chose the
setting are among its test users too: a choice among three settings, not a tuning toward them.

{search_table}
Chosen: {chosen}.

## Results: {folds}-fold cross-validation over users, every user tested once

Settings of every run: {common}; model seed {seed}; 2 layers, dense [64], no attention pooling,
no oversampling. The users with a sample are cut once into {folds} folds (split.fold_seed
{fold_seed}, stratified by group); each fold's experiment tests its users, trains on the others
but a validation share (split.val of all users, drawn from the other folds, for early stopping),
and the folds' test predictions are pooled. Accuracy over all test samples with a 95% percentile
bootstrap interval over users (a user's samples stay together); models: {models}.

{accuracy}
Each model's margin over the best baseline of the pooled predictions (paired: the same
resampled users for both; 95% interval), and McNemar's test on the pooled predictions (b =
samples only the model got right, c = only the baseline):

{margins}
The artist input: each model's accuracy with it minus without, on the same samples (paired 95%
interval over users), and McNemar's test (b = right only with the artists, c = only without):

{artist}
Beyond repeating the last genre: test samples whose target genre differs from the user's
previous session's (repeat-last is always wrong on them), each predictor's accuracy on those, and
how often each model predicts something other than the previous genre:

{switches}
Produced by `{command}` (`-j 1`); experiments {names} (`dvc exp show`).
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("phase", choices=["search", "final"])
    parser.add_argument("--folds", type=int, default=FOLDS, help="final: folds of the cross-validation")
    parser.add_argument("--seed", type=int, default=42, help="final: the models' seed (the same in every fold)")
    parser.add_argument("--only", nargs="+", choices=list(TASKS), help="final: these tasks only")
    parser.add_argument("-j", "--jobs", type=int, default=1)
    parser.add_argument("-S", "--set", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument(
        "--collect-only", action="store_true", help="final: report the tasks whose folds have finished, run nothing"
    )
    args = parser.parse_args()
    extra = grid.parse_settings(args.set)
    if args.phase == "search":
        search(args.jobs, extra)
    else:
        if not SEARCH_FILE.exists():
            raise NextgenreError(f"{SEARCH_FILE} not found: run `python experiments/real_study.py search` first")
        final(
            json.loads(SEARCH_FILE.read_text()),
            {t: TASKS[t] for t in (args.only or TASKS)},
            args.folds,
            args.seed,
            args.jobs,
            extra,
            "python experiments/real_study.py " + " ".join(sys.argv[1:]),
            args.collect_only,
        )


if __name__ == "__main__":
    run_stage(main)
