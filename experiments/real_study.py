"""The study on real listening tweets (imported by real/dvc.yaml), as DVC experiments.

    python experiments/real_study.py search            # validation users only -> reports/real_lastfm_search.json
    python experiments/real_study.py final --seeds 42 43 44    # test users, once -> reports/real_lastfm.md

`search` runs the 6-class task (seed 42) once per setting of SEARCH, each a change from the
defaults (history length; a smaller model: fewer units, more dropout; learning rate), and ranks
the settings by the validation accuracy of LSTM and GRU (mean of the two, at each model's best
epoch by val_loss). The test metrics those runs also compute are
not read. `final` takes the best setting and runs the 6-, 4- and 3-class tasks (LSTM, GRU and
every baseline) over the seeds, then writes the report with the data's own tables. Every run
is `-j 1` by default (the machine is shared); `-S` adds a setting to every experiment.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from nextgenre import grid, stats
from nextgenre.errors import NextgenreError
from nextgenre.outputs import atomic_file, write_json
from nextgenre.provenance import PIPELINE, record
from nextgenre.realdata.summary import data_tables, render_tables
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
FINAL = {
    "real-6-class": {"features.classes": 6},
    "real-4-class": {"features.classes": 4},
    "real-3-class": {"features.classes": 3},
}
SEARCH_FILE = Path("reports/real_lastfm_search.json")
CODE = ["experiments/real_study.py", "real", *PIPELINE]  # what the reports' numbers depend on


def search(jobs: int, extra: dict) -> dict:
    queued = grid.queue_grid(SEARCH, [42], {**COMMON, **extra}, reuse=True)
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
        "common": {**COMMON, **extra},
        "settings": rows,
        "best": best,
    }
    write_json(SEARCH_FILE, result)
    record(SEARCH_FILE, "python experiments/real_study.py " + " ".join(sys.argv[1:]), CODE, "reports/real_lastfm.md")
    print(json.dumps(result, indent=1))
    return result


def _search_table(result: dict) -> str:
    lines = [
        "| setting | changed | LSTM val acc (epoch) | GRU val acc (epoch) | mean |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for config, row in sorted(result["settings"].items(), key=lambda kv: -kv[1]["mean_val_accuracy"]):
        changed = ", ".join(f"{k}={v}" for k, v in row["settings"].items()) or "defaults"
        cells = [
            f"{row['models'][m]['val_accuracy']:.3f} ({row['models'][m]['epoch'] + 1}/{row['models'][m]['epochs']})"
            for m in grid.MODELS
        ]
        mark = " **chosen**" if config == result["best"] else ""
        lines.append(f"| {config}{mark} | {changed} | " + " | ".join(cells) + f" | {row['mean_val_accuracy']:.3f} |")
    return "\n".join(lines) + "\n"


def _pm(values) -> str:
    return f"{np.mean(values):.3f} ± {np.std(values, ddof=1):.3f}" if len(values) > 1 else f"{values[0]:.3f}"


def _p(p: float) -> str:
    return "< 0.001" if p < 0.001 else f"{p:.3g}"


def _final_tables(queued, comparisons) -> tuple[str, str, dict]:
    """Accuracy table, margin/McNemar table, and the numbers behind them."""
    acc = [
        "| task | seeds | test samples (users) | LSTM | GRU | majority | repeat last | user's top | Markov | linear |",
        "| --- | ---: | --- | --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    margin = [
        "| task | model | margin over the best baseline, per seed [95% CI] | McNemar vs best baseline (b/c, p), per seed | McNemar vs repeat last, per seed | LSTM vs GRU p |",  # noqa: E501 (a markdown table header)
        "| --- | --- | --- | --- | --- | --- |",
    ]
    numbers = {}
    for config in dict.fromkeys(q.config for q in queued):
        runs = [q for q in queued if q.config == config]
        comps = [comparisons[q.name] for q in runs]
        cells = []
        for m in grid.MODELS:
            cis = ", ".join(f"[{c['models'][m]['ci_low']:.3f}, {c['models'][m]['ci_high']:.3f}]" for c in comps)
            cells.append(f"{_pm([c['models'][m]['accuracy'] for c in comps])} ({cis})")
        for b in ("majority", "repeat_last", "user_top", "markov", "linear"):
            cells.append(f"{np.mean([c['baselines'][b]['accuracy'] for c in comps]):.3f}")
        n = sorted({f"{c['n_test']:,} ({c['n_test_users']})" for c in comps})
        acc.append(f"| {config} | {len(runs)} | {'/'.join(n)} | " + " | ".join(cells) + " |")
        numbers[config] = {"seeds": [q.seed for q in runs], "comparisons": comps, "mcnemar": {}}
        for m in grid.MODELS:
            margins, vs_best, vs_repeat = [], [], []
            for q, c in zip(runs, comps):
                mg = c["margins"][m]
                margins.append(
                    f"{c['best_baseline']['name']} {mg['over_best']:+.3f} "
                    f"[{mg['over_best_ci_low']:+.3f}, {mg['over_best_ci_high']:+.3f}]"
                )
                targets, correct, _ = grid.read_correct(q.name, m)
                best = stats.mcnemar(correct, grid.read_baseline_correct(q.name, c["best_baseline"]["name"], targets))
                rep = stats.mcnemar(correct, grid.read_baseline_correct(q.name, "repeat_last", targets))
                numbers[config]["mcnemar"][f"{m}-s{q.seed}"] = {"vs_best_baseline": best, "vs_repeat_last": rep}
                vs_best.append(f"{best['b']}/{best['c']}, {_p(best['p_value'])}")
                vs_repeat.append(f"{rep['b']}/{rep['c']}, {_p(rep['p_value'])}")
            lvg = ", ".join(_p(c["mcnemar_lstm_vs_gru"]["p_value"]) for c in comps) if m == "lstm" else ""
            margin.append(
                f"| {config} | {m.upper()} | {'; '.join(margins)} | {'; '.join(vs_best)} | "
                f"{'; '.join(vs_repeat)} | {lvg} |"
            )
    return "\n".join(acc) + "\n", "\n".join(margin) + "\n", numbers


def _switch_table(queued) -> tuple[str, dict]:
    """Beyond repeating the last genre: on the test samples whose target genre differs from the
    user's previous one (switches), each predictor's accuracy; and how often each model predicts
    a class other than the previous session's. Means over seeds."""
    rows, numbers = [], {}
    for config in dict.fromkeys(q.config for q in queued):
        per_seed = []
        for q in (q for q in queued if q.config == config):
            base = grid.read_table(q.name, "data/predictions/baselines.parquet").set_index("target")
            last = base["repeat_last"]
            switch = (base["y_true"] != last).to_numpy()
            row = {"switch_share": float(switch.mean())}
            for m in grid.MODELS:
                pred = grid.read_table(q.name, f"data/predictions/{m}.parquet").set_index("target").loc[base.index]
                row[f"{m}_not_last"] = float((pred["y_pred"] != last).mean())
                row[f"{m}_on_switches"] = float((pred["y_pred"] == pred["y_true"]).to_numpy()[switch].mean())
            for b in ("user_top", "markov", "linear"):
                row[f"{b}_on_switches"] = float((base[b] == base["y_true"]).to_numpy()[switch].mean())
            per_seed.append(row)
        mean = {k: float(np.mean([r[k] for r in per_seed])) for k in per_seed[0]}
        numbers[config] = {"per_seed": per_seed, "mean": mean}
        rows.append(
            f"| {config} | {mean['switch_share']:.3f} | {mean['lstm_not_last']:.3f} | "
            f"{mean['gru_not_last']:.3f} | {mean['lstm_on_switches']:.3f} | "
            f"{mean['gru_on_switches']:.3f} | {mean['user_top_on_switches']:.3f} | "
            f"{mean['markov_on_switches']:.3f} | {mean['linear_on_switches']:.3f} |"
        )
    head = [
        "| task | switches (target ≠ previous genre) | LSTM predicts ≠ previous | GRU predicts ≠ previous | LSTM acc. on switches | GRU acc. on switches | user's top on switches | Markov on switches | linear on switches |",  # noqa: E501 (a markdown table header)
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    return "\n".join(head + rows) + "\n", numbers


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
    search_result: dict, seeds: list[int], jobs: int, extra: dict, command: str, collect_only: bool = False
) -> None:
    chosen = search_result["settings"][search_result["best"]]["settings"]
    common = {**COMMON, **chosen, **extra}
    if collect_only:  # the experiments that have finished, e.g. at a deadline
        queued = [
            grid.Queued(c, seed, grid.experiment_name(c, seed))
            for c in FINAL
            for seed in seeds
            if grid.has_experiment(grid.experiment_name(c, seed))
        ]
    else:
        queued = grid.queue_grid(FINAL, seeds, common, reuse=True)
        grid.run_queue(jobs)
    comparisons = {q.name: grid.read_comparison(q.name) for q in queued}
    accuracy, margins, numbers = _final_tables(queued, comparisons)
    switches, switch_numbers = _switch_table(queued)
    first = queued[0].name
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
                "seeds": seeds,
                "mcnemar": {c: v["mcnemar"] for c, v in numbers.items()},
                "switches": switch_numbers,
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
        seeds=" ".join(map(str, seeds)),
        accuracy=accuracy,
        margins=margins,
        switches=switches,
        command=command,
        search_command=search_cmd,
        names=" ".join(q.name for q in queued),
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
the genre and time of day of each earlier session (and a constant disorder flag of 0).
Only aggregate numbers appear here.

## Import (`dvc repro real/dvc.yaml`, data/raw/lastfm/import.json)

{import_table}
## The data's own tables (ingested sessions)

{data_tables}
## Search (validation users only)

`{search_command}`: the 6-class task, seed 42, one change from the defaults per run
(history 20, units 128, dropout 0.2, learning rate 0.001); ranked by the mean of LSTM's and
GRU's validation accuracy at the epoch with the lowest validation loss (the weights early
stopping restores). Those runs also evaluate on the test users; the choice was made from the
validation numbers alone and written to reports/real_lastfm_search.json before any final run. A
fourth setting (history 50) was started and stopped for the CPU budget. The differences between
settings are within a run-to-run spread, so the search mostly shows that none of them matters.

{search_table}
Chosen: {chosen}.

## Results on the test users (read once, after the search)

Settings of every run: {common}; seeds {seeds}; 2 recurrent layers, dense [64], no attention, no
oversampling. Accuracy: mean ± sd over seeds, with each seed's 95% interval (percentile
bootstrap over test users). The test users differ by seed (the user split follows the seed).

{accuracy}
Margin of each model over the best baseline of its run (paired, 95% bootstrap interval over
test users), and McNemar's test (b = samples only the model got right, c = only the baseline):

{margins}
Beyond repeating the last genre: test samples whose target genre differs from the user's
previous session's (repeat-last is always wrong on them), each predictor's accuracy on those, and
how often each model predicts something other than the previous genre (means over seeds):

{switches}
Produced by `{command}` (`-j 1`);
experiments {names} (`dvc exp show`).
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("phase", choices=["search", "final"])
    parser.add_argument("--seeds", type=int, nargs="+", default=[42, 43, 44])
    parser.add_argument("-j", "--jobs", type=int, default=1)
    parser.add_argument("-S", "--set", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument(
        "--collect-only", action="store_true", help="final: report the experiments that have finished, run nothing"
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
            args.seeds,
            args.jobs,
            extra,
            "python experiments/real_study.py " + " ".join(sys.argv[1:]),
            args.collect_only,
        )


if __name__ == "__main__":
    run_stage(main)
