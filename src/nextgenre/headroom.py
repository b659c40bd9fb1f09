"""Known answers in the report (synthetic data only): on the report's own test samples, the
oracle's accuracy, the from-history ceiling, and the share of the learnable headroom that each
model captures, (model - best baseline) / (ceiling - best baseline).

The truth (data/truth/, written by `synthesize`) is read here, by the report stage, after every
model has made its predictions: it never reaches a model input. Each test sample's target
session (a row of data/interim/sessions.parquet) is matched to its truth row by pseudonymised
user and time (`nextgenre.synthetic.truth.truth_rows`). The ceiling sees what the run's models
see: the last features.history sessions before each target (the models' window), stress when
features.stress is on (through data.interval's window, where the stress input shows it: a window
whose tweets score as unstressed gives the input of an empty one under
features.missing_stress=zero), the lyrics when features.text is on. Real data has no truth: the
report then says so and skips this part.
Intervals are paired cluster-bootstrap intervals over test users (nextgenre.stats), with the
report's seed, so they use the same resamples as the report's other intervals.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from nextgenre import stats
from nextgenre.constants import STRESS_MAX
from nextgenre.errors import NextgenreError
from nextgenre.pseudonym import pseudonym_key
from nextgenre.sources import SYNTHETIC_TRUTH, is_synthetic
from nextgenre.synthetic.truth import FILES as TRUTH_FILES
from nextgenre.synthetic.truth import known_correct, read_truth, truth_rows

NO_TRUTH = "no truth: real data has no known answers, so there is no oracle, ceiling or headroom"
SESSIONS = "data/interim/sessions.parquet"  # the sessions that the truth is matched to
TRUTH_INPUTS = [f"{SYNTHETIC_TRUTH}/{name}" for name in TRUTH_FILES] + [SESSIONS]  # what truth_correct reads


def truth_correct(
    root: str | Path, params: dict, targets: np.ndarray, y_true: np.ndarray, whole_history: bool = False
) -> dict | None:
    """Was the oracle / the from-history ceiling right on each test sample (`targets`: rows of
    data/interim/sessions.parquet, `y_true`: their classes)? None for data without truth.
    The ceiling sees the last features.history sessions before each target, as the models do
    (the report's); `whole_history`: each user's whole history instead, a looser bound (see
    nextgenre.synthetic.truth.ceiling_probabilities). The result's `window` says which (None:
    the whole history)."""
    root = Path(root)
    raw = params["data"]["raw"]
    if not is_synthetic(raw, root):
        return None
    truth = read_truth(root / SYNTHETIC_TRUTH)
    f, interval = params["features"], params["data"]["interval"]
    sessions = pd.read_parquet(root / SESSIONS, columns=["user", "created_at", f"stress_{interval}"])
    key = pseudonym_key(raw, root)
    targets = np.asarray(targets)
    window = None if whole_history else f["history"]
    visible = None
    if f["stress"]:  # every session's truth row, once: the targets' rows are among them
        every = truth_rows(truth, sessions, np.arange(len(sessions)), key)
        rows, visible = every[targets], stress_visible(truth, sessions, every, interval, f["missing_stress"])
    else:
        rows = truth_rows(truth, sessions, targets, key)
    correct = known_correct(
        truth,
        rows,
        classes=f["classes"],
        interval=interval,
        stress=f["stress"],
        text=f["text"],
        seed=params["seed"],
        visible=visible,
        window=window,
    )
    if len(correct["rows"]) != len(targets) or not np.array_equal(correct["label"], y_true):
        raise NextgenreError(
            f"{SYNTHETIC_TRUTH}/sessions.csv: the classes of the test samples differ from the truth's "
            "(truth from another run? rerun `dvc repro`)"
        )
    return {**correct, "window": window}


def stress_visible(truth, sessions: pd.DataFrame, rows: np.ndarray, interval: int, missing: str) -> np.ndarray:
    """Per row of truth.sessions: does the models' stress input show the window after that
    session? (`rows`: the truth row of every row of `sessions`, `truth_rows`.) Under
    missing_stress=zero only a window more stressed than "no stress" does (an empty window and
    one of unstressed tweets both give 0); under drop, any window with a tweet (the empty ones
    leave the step out, which a model sees)."""
    after = sessions[f"stress_{interval}"].to_numpy(dtype=float)
    visible = np.zeros(len(truth.sessions), dtype=bool)
    visible[rows] = after < STRESS_MAX if missing == "zero" else ~np.isnan(after)
    return visible


def _accuracy(correct: np.ndarray, users: np.ndarray, seed: int) -> dict:
    low, high = stats.bootstrap_mean_ci(correct, clusters=users, seed=seed)
    return {"accuracy": float(np.mean(correct)), "ci_low": low, "ci_high": high}


def headroom_share(model: np.ndarray, best: np.ndarray, ceiling: np.ndarray, users, seed: int) -> dict:
    """(model - best) / (ceiling - best) on the same samples (booleans: right or not), with its
    paired cluster-bootstrap interval; None where the ceiling is not above the best baseline."""
    gained = model.astype(float) - best
    headroom = ceiling.astype(float) - best
    if headroom.sum() <= 0:
        return {"headroom_share": None, "ci_low": None, "ci_high": None}
    low, high = stats.bootstrap_ratio_ci(gained, headroom, clusters=users, seed=seed)
    return {"headroom_share": float(gained.sum() / headroom.sum()), "ci_low": low, "ci_high": high}


def known_answers(
    truth: dict | None, correct: dict[str, np.ndarray], best: str, best_correct: np.ndarray, users, seed: int
) -> dict:
    """The report's known-answers block: `truth` from `truth_correct`, `correct` per model."""
    if truth is None:
        return {"truth": False, "note": NO_TRUTH}
    headroom = truth["ceiling"].astype(float) - best_correct
    low, high = stats.bootstrap_mean_ci(headroom, clusters=users, seed=seed)
    return {
        "truth": True,
        "oracle": _accuracy(truth["oracle"], users, seed),
        "ceiling": _accuracy(truth["ceiling"], users, seed),
        "ceiling_window": truth["window"],  # sessions the ceiling sees before each target (the models' window)
        "best_baseline": best,
        "headroom": {"accuracy": float(headroom.mean()), "ci_low": low, "ci_high": high},
        "models": {
            name: {"accuracy": float(c.mean()), **headroom_share(c, best_correct, truth["ceiling"], users, seed)}
            for name, c in correct.items()
        },
    }
