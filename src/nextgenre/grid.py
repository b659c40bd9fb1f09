"""Experiment grids driven through DVC: queue, run, collect, tabulate.

The grids are lists of named configurations (settings for `dvc exp run -S`). `experiments` turns
a grid and its seeds into named experiments ({name: settings}); `queue_experiments` queues each
with `dvc exp run --queue`, and `run_queue` starts `dvc queue start -j N`, waits until the queue
is empty and stops the workers (`grid_remote` spreads the same list over machines). The readers
take each experiment's reports/comparison.json (and, for paired effects, its prediction files)
back from its experiment ref, so `dvc exp show` lists the very same experiments the tables are built from.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from nextgenre import stats
from nextgenre.errors import NextgenreError
from nextgenre.registry import MODELS, label, mcnemar_key, pairs
from nextgenre.report import COMPARISON, paper_models
from nextgenre.threads import THREADS_ENV

# Every grid setting is given explicitly, so the workspace's own values never leak in.
BASE = {
    "features.classes": 6,
    "model.attention": False,
    "features.stress": False,
    "train.oversample": False,
    "data.interval": 30,
}

PAPER = {
    "6-class": {},
    "6-class-oversampled": {"train.oversample": True},
    "4-class": {"features.classes": 4},
    "3-class-attention-stress": {"features.classes": 3, "model.attention": True, "features.stress": True},
}

ABLATIONS = {
    "3c-plain": {"features.classes": 3},
    "3c-attention": {"features.classes": 3, "model.attention": True},
    "3c-stress30": {"features.classes": 3, "features.stress": True},
    "3c-attention-stress30": {"features.classes": 3, "model.attention": True, "features.stress": True},
    "3c-attention-stress60": {
        "features.classes": 3,
        "model.attention": True,
        "features.stress": True,
        "data.interval": 60,
    },
    "3c-attention-stress90": {
        "features.classes": 3,
        "model.attention": True,
        "features.stress": True,
        "data.interval": 90,
    },
}

# Effects that the ablation table reports: (what, configuration with it, configuration without).
EFFECTS = [
    ("attention, stress off", "3c-attention", "3c-plain"),
    ("attention, stress on (30 min)", "3c-attention-stress30", "3c-stress30"),
    ("stress (30 min), attention off", "3c-stress30", "3c-plain"),
    ("stress (30 min), attention on", "3c-attention-stress30", "3c-attention"),
    ("stress window 60 vs 30 min", "3c-attention-stress60", "3c-attention-stress30"),
    ("stress window 90 vs 30 min", "3c-attention-stress90", "3c-attention-stress30"),
]

GRIDS = {"paper": PAPER, "ablations": ABLATIONS}


def select(grid_names: list[str], only: list[str] | None = None) -> dict[str, dict]:
    """The configurations of the named grids, or just those in `only` (which must be among them)."""
    configs = {name: settings for g in grid_names for name, settings in GRIDS[g].items()}
    if not only:
        return configs
    unknown = [name for name in only if name not in configs]
    if unknown:
        raise NextgenreError(
            f"--only: no configuration {', '.join(unknown)} in the "
            f"{'/'.join(grid_names)} grid; choose from {', '.join(configs)}"
        )
    return {name: configs[name] for name in only}


def parse_settings(pairs: list[str]) -> dict:
    """`-S key=value` pairs as {key: value}, each value read as YAML (`true`, `3`, `[64]`)."""
    settings = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        settings[key] = yaml.safe_load(value)
    return settings


def _run(*cmd: str, env: dict | None = None) -> str:
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise NextgenreError(f"`{' '.join(cmd)}` failed:\n{proc.stdout}\n{proc.stderr}")
    return proc.stdout


def _value(v) -> str:
    return json.dumps(v) if isinstance(v, (bool, list)) else str(v)


def experiment_name(config: str, seed: int) -> str:
    return f"{config}-s{seed}"


@dataclass
class Queued:
    config: str
    seed: int
    name: str


def plan(grid: dict[str, dict], seeds: list[int]) -> list[Queued]:
    """Every configuration of the grid once per seed, in the grid's order."""
    return [Queued(config, seed, experiment_name(config, seed)) for config in grid for seed in seeds]


def experiments(grid: dict[str, dict], seeds: list[int], extra: dict) -> dict[str, dict]:
    """The grid's experiments as {name: every setting it runs with}; `extra` settings apply to
    all (e.g. a scale)."""
    return {
        experiment_name(config, seed): {**BASE, **settings, **extra, "seed": seed}
        for config, settings in grid.items()
        for seed in seeds
    }


def queue_experiments(named: dict[str, dict], reuse: bool = False, pull: bool = False) -> None:
    """Queue each experiment under its name with its settings. With `reuse`, an experiment of
    the same name that already ran or waits in the queue is kept (to resume an interrupted grid);
    otherwise it is replaced. With `pull`, stages that need not run (unchanged, or in the
    run-cache) take their outputs from the DVC remote (`dvc exp run --pull`)."""
    pending = _queued_names() if reuse else set()
    for name, settings in named.items():
        if reuse and (name in pending or _exp_ref(name, required=False)):
            continue
        _remove_experiment(name)
        args = [a for k, v in settings.items() for a in ("-S", f"{k}={_value(v)}")]
        _run("dvc", "exp", "run", "--queue", *(["--pull"] if pull else []), "-n", name, *args)


def queue_grid(grid: dict[str, dict], seeds: list[int], extra: dict, reuse: bool = False) -> list[Queued]:
    """Queue every configuration once per seed (see `queue_experiments`)."""
    queue_experiments(experiments(grid, seeds, extra), reuse)
    return plan(grid, seeds)


@contextmanager
def _dvc_queue():
    """DVC's experiment queue of the repository here, read in this process: the same tasks as
    `dvc queue status` lists, for a few CPU milliseconds a read instead of the 0.7 CPU s of a
    `dvc` process (which also asks the workers how they are)."""
    from dvc.repo import Repo

    with Repo() as repo:
        yield repo.experiments.celery_queue


def _queued_names() -> set[str]:
    """Names of the experiments queued or running now."""
    with _dvc_queue() as queue:
        return {entry.name for entry in (*queue.iter_queued(), *queue.iter_active())}


def _remove_experiment(name: str) -> None:
    """Forget an earlier experiment of the same name, so a re-run replaces it."""
    if _exp_ref(name, required=False):
        _run("dvc", "exp", "remove", name)


def threads_per_worker(jobs: int) -> int:
    """Cores shared out among parallel queue workers, so that -j N does not oversubscribe."""
    return max(1, (os.cpu_count() or 1) // jobs)


def run_queue(jobs: int, poll_seconds: float = 1.0) -> None:
    """Start `jobs` queue workers, wait until no task is queued or running, then stop the workers
    and wait until they have exited (a grid run leaves no worker behind).

    `dvc queue start` returns at once, leaving a process that watches the workers and holds its
    output open until the last one exits. Left alone, an idle worker exits only after DVC's
    monitor has found the queue empty, checking every 10 s; so `dvc queue stop` asks them to exit
    as soon as the last experiment is in (a tiny grid: 10 s instead of 17 s).

    That stop is a broadcast, which the filesystem broker keeps for a worker of the same name
    when none is running: the next run's first worker then exits after one experiment, and the
    others would wait for ever (it happened to a real-data search). So while experiments are
    queued and no worker is left, workers are started again. Raises for the experiments that
    failed in this run (not for those that had failed before it)."""
    env = {**os.environ, THREADS_ENV: str(threads_per_worker(jobs))}
    with _dvc_queue() as queue:
        failed_before = {entry.stash_rev for entry, _ in queue.iter_failed()}  # not this run's
        workers = [_start_workers(jobs, env)]
        while True:
            queued, active = any(True for _ in queue.iter_queued()), any(True for _ in queue.iter_active())
            if not (queued or active):
                break
            if queued and not active and workers[-1].is_set():
                workers.append(_start_workers(jobs, env))
            time.sleep(poll_seconds)
        failed = [e.name or e.stash_rev[:7] for e, _ in queue.iter_failed() if e.stash_rev not in failed_before]
    if not workers[-1].is_set():  # no stop for workers that are gone (it would be kept)
        _run("dvc", "queue", "stop")
    for exited in workers:
        exited.wait()  # the end of its output: every worker it started has exited
    if failed:
        raise NextgenreError(f"experiments failed: {', '.join(failed)} (see `dvc queue logs <name>`)")


def _start_workers(jobs: int, env: dict) -> threading.Event:
    """`dvc queue start -j jobs`; the event is set once the last worker it started has exited."""
    command = ["dvc", "queue", "start", "-j", str(jobs)]
    start = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    if start.wait() != 0:
        raise NextgenreError(f"`{' '.join(command)}` failed:\n{start.communicate()[0]}")
    exited = threading.Event()

    def read_to_the_end() -> None:
        start.communicate()
        exited.set()

    threading.Thread(target=read_to_the_end, daemon=True).start()
    return exited


def _exp_ref(name: str, required: bool = True) -> str | None:
    """The git ref of the experiment `name`: the one that ran from this commit, else the only
    one; several from other commits are refused (which is meant cannot be told). dvc.api has no
    lookup from an experiment's name to its ref (dvc.api.exp_show would give it, but collects the
    params and metrics of every experiment to do so), so the refs DVC keeps under refs/exps are
    listed with git."""
    refs = _run("git", "for-each-ref", "--format=%(refname)", "refs/exps").split()
    matches = [r for r in refs if r.rsplit("/", 1)[-1] == name]
    if not matches:
        if required:
            raise NextgenreError(f"no experiment named {name} (did it fail? `dvc queue logs {name}`)")
        return None
    here = baseline_ref(name)  # an experiment of an older commit may have the same name
    if here in matches:
        return here
    if len(matches) > 1:  # from other commits only: which one is meant cannot be told
        commits = ", ".join("".join(ref.split("/")[2:4])[:7] for ref in matches)  # refs/exps/ab/cdef.../name
        raise NextgenreError(
            f"{len(matches)} experiments named {name}, from commits {commits} and none from this one: "
            "check out the commit whose experiments you mean, or remove the others (`dvc exp remove`)"
        )
    return matches[0]


def baseline_ref(name: str) -> str:
    """The ref that the experiment `name` gets when it runs from this commit (HEAD), as DVC
    names it: refs/exps/<first two hex digits of HEAD>/<the rest>/<name>."""
    head = _run("git", "rev-parse", "HEAD").strip()
    return f"refs/exps/{head[:2]}/{head[2:]}/{name}"


def has_experiment(name: str) -> bool:
    """Whether an experiment of this name has finished (has an experiment ref)."""
    return _exp_ref(name, required=False) is not None


def read_git_file(name: str, path: str) -> str:
    """A text file (git-tracked: metrics, plot data, reports; or a DVC output, from the cache) as
    the experiment `name` left it."""
    import dvc.api

    return dvc.api.read(path, rev=_exp_ref(name))


def read_comparison(name: str) -> dict:
    """The report's comparison (nextgenre.report.COMPARISON: accuracies with intervals, baselines,
    McNemar's tests, the paper's row) as the experiment `name` left it."""
    return json.loads(read_git_file(name, COMPARISON))


def read_best_val(name: str, model: str) -> dict:
    """Validation loss and accuracy of a trained model at its best epoch (lowest val_loss: the
    weights that early stopping restored), from the summary of the experiment's dvclive log."""
    summary = json.loads(read_git_file(name, f"dvclive/train/{model}/metrics.json"))
    return {
        "epoch": summary["step"],
        "epochs": summary["epochs"],
        "val_loss": summary["eval"]["loss"],
        "val_accuracy": summary["eval"]["accuracy"],
    }


def read_correct(name: str, model: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(test target rows, was the model right, test users) of an experiment, from the DVC cache."""
    import dvc.api

    rev = _exp_ref(name)
    with dvc.api.open(f"data/predictions/{model}.parquet", rev=rev, mode="rb") as f:
        pred = pd.read_parquet(io.BytesIO(f.read()))
    with dvc.api.open("data/processed/samples.parquet", rev=rev, mode="rb") as f:
        samples = pd.read_parquet(io.BytesIO(f.read()), columns=["target", "user_index"])
    users = samples.set_index("target")["user_index"].loc[pred["target"]].to_numpy()
    return pred["target"].to_numpy(), (pred["y_true"] == pred["y_pred"]).to_numpy(), users


def read_baseline_correct(name: str, baseline: str, targets: np.ndarray) -> np.ndarray:
    """Was the baseline right on each of `targets` (test target rows), in the experiment `name`."""
    import dvc.api

    with dvc.api.open("data/predictions/baselines.parquet", rev=_exp_ref(name), mode="rb") as f:
        pred = pd.read_parquet(io.BytesIO(f.read())).set_index("target")
    pred = pred.loc[targets]
    return (pred[baseline] == pred["y_true"]).to_numpy()


def copy_outputs(name: str, paths, dest: str | Path) -> None:
    """Files of the experiment `name` (DVC outputs, from the cache; or git-tracked files) into
    `dest`, at the same paths relative to it."""
    import dvc.api

    rev = _exp_ref(name)
    for path in paths:
        target = Path(dest) / path
        target.parent.mkdir(parents=True, exist_ok=True)
        with dvc.api.open(path, rev=rev, mode="rb") as f:
            target.write_bytes(f.read())


def read_table(name: str, path: str) -> pd.DataFrame:
    """A parquet file of the experiment `name`, from the DVC cache."""
    import dvc.api

    with dvc.api.open(path, rev=_exp_ref(name), mode="rb") as f:
        return pd.read_parquet(io.BytesIO(f.read()))


# --- tables ---------------------------------------------------------------------------------


def tables(queued: list[Queued], seeds: list[int]) -> dict[str, tuple[str, str]]:
    """The grid's reports as {file name: (title, body)}, read from the experiments' refs: the
    paper's table for the paper's configurations; for the ablations, their table and the paired
    effects."""
    comparisons = {q.name: read_comparison(q.name) for q in queued}
    reports = {}
    rows = [q for q in queued if q.config in PAPER]
    if rows:
        reports["paper_table.md"] = ("The paper's table, reproduced", paper_table(rows, comparisons))
    rows = [q for q in queued if q.config in ABLATIONS]
    if rows:
        body = paper_table(rows, comparisons) + "\n" + ablation_table(seeds, {q.config for q in rows})
        reports["ablations.md"] = ("Ablations on the 3-class task", body)
    return reports


def _pm(values: list[float]) -> str:
    if len(values) == 1:
        return f"{values[0]:.3f}"
    return f"{np.mean(values):.3f} ± {np.std(values, ddof=1):.3f}"


def _p_value(p_value: float) -> str:
    return "< 0.001" if p_value < 0.001 else f"{p_value:.3g}"


def paper_table(queued: list[Queued], comparisons: dict[str, dict]) -> str:
    """One row per configuration: each model (mean ± sd over seeds, per-seed 95% CIs), the best
    baseline, McNemar per seed for each pair of models, and the paper's numbers."""
    in_paper = paper_models(comparisons[queued[0].name]["paper"]["table"]) if queued else list(MODELS)
    header = (
        [label(m) for m in MODELS]
        + ["best baseline"]
        + [f"{label(a)} vs {label(b)} (McNemar p)" for a, b in pairs()]
        + [f"paper {label(m)}" for m in in_paper]
    )
    lines = [
        "| configuration | seeds | " + " | ".join(header) + " |",
        "| --- | ---: |" + " --- |" * (len(MODELS) + 1 + len(pairs())) + " ---: |" * len(in_paper),
    ]
    for config in dict.fromkeys(q.config for q in queued):
        runs = [comparisons[q.name] for q in queued if q.config == config]
        cells = []
        for model in MODELS:
            accs = [r["models"][model]["accuracy"] for r in runs]
            cis = ", ".join(f"[{r['models'][model]['ci_low']:.3f}, {r['models'][model]['ci_high']:.3f}]" for r in runs)
            cells.append(f"{_pm(accs)} ({cis})")
        best = [r["best_baseline"] for r in runs]
        names = sorted({b["name"] for b in best})
        cells.append(f"{'/'.join(names)} {_pm([b['accuracy'] for b in best])}")
        cells += [", ".join(_p_value(r[mcnemar_key(a, b)]["p_value"]) for r in runs) for a, b in pairs()]
        row = runs[0]["paper"]["row"] or {}
        paper = [f"{row[m]:.2f}" if row.get(m) is not None else "—" for m in in_paper]
        lines.append(f"| {config} | {len(runs)} | " + " | ".join(cells + paper) + " |")
    return "\n".join(lines) + "\n"


def effect(with_name: str, without_name: str, model: str, seed: int) -> tuple[float, float, float]:
    """Accuracy with minus without, on the same test samples, and its paired cluster-bootstrap CI."""
    t1, c1, users = read_correct(with_name, model)
    t0, c0, _ = read_correct(without_name, model)
    if not np.array_equal(t1, t0):
        raise NextgenreError(f"{with_name} and {without_name} were tested on different samples")
    return paired_difference(c1, c0, users, seed)


def effect_over_baseline(name: str, model: str, baseline: str, seed: int) -> tuple[float, float, float]:
    """A model's accuracy minus a baseline's in the same experiment, with its paired CI."""
    targets, correct, users = read_correct(name, model)
    return paired_difference(correct, read_baseline_correct(name, baseline, targets), users, seed)


def paired_difference(correct_1, correct_0, users, seed: int) -> tuple[float, float, float]:
    """Mean of correct_1 - correct_0 (same samples) and its cluster-bootstrap CI over users."""
    diff = np.asarray(correct_1, dtype=float) - np.asarray(correct_0, dtype=float)
    low, high = stats.bootstrap_mean_ci(diff, clusters=users, seed=seed)
    return float(diff.mean()), low, high


def ablation_table(seeds: list[int], configs: set[str]) -> str:
    """Which of attention, stress and the stress window helps, by how much, with 95% CIs
    (paired: both configurations are tested on the same users; one CI per seed), for the effects
    whose two configurations are both among the `configs` that were run."""
    lines = [
        "| effect | model | change in accuracy (mean over seeds) | 95% CI per seed | helps? |",
        "| --- | --- | ---: | --- | --- |",
    ]
    effects = [e for e in EFFECTS if {e[1], e[2]} <= configs]
    if not effects:
        return "No effect can be computed: no pair of its configurations was run.\n"
    for what, with_config, without_config in effects:
        for model in MODELS:
            results = [
                effect(experiment_name(with_config, s), experiment_name(without_config, s), model, s) for s in seeds
            ]
            mean = np.mean([r[0] for r in results])
            cis = ", ".join(f"[{lo:+.3f}, {hi:+.3f}]" for _, lo, hi in results)
            if all(lo > 0 for _, lo, _ in results):
                verdict = "yes"
            elif all(hi < 0 for _, _, hi in results):
                verdict = "hurts"
            else:
                verdict = "no clear effect"
            lines.append(f"| {what} | {label(model)} | {mean:+.3f} | {cis} | {verdict} |")
    return "\n".join(lines) + "\n"
