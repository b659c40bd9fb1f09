"""Stress windows, the one home of the rule: the stress of a music session is the mean stress of
the same user's ordinary tweets in the window (t, t + I] after it (t: the session's time, I:
`data.interval` minutes).

- `stress_windows` (ingest): every session's window, for every I in INTERVALS.
- `stress_overrides` (features): no leakage: a history session's window that reaches its target's
  time is cut there, i.e. recomputed from the tweets strictly between the session and the target;
  these (target, session) pairs are data/processed/stress_overrides.parquet.
- `Overrides` (sequences, baselines): applying the cut: the override of a (target, session row)
  step, if any, replaces the session's stress for that target only (NaN: the step is left out).
- `scale_stress`: TensiStrength -1..-5 onto 0..1, as the session vectors hold it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from nextgenre.constants import INTERVALS, STRESS_MAX, STRESS_MIN


def scale_stress(stress):
    """TensiStrength -1 (no stress) .. -5 (very stressed) onto 0 .. 1 (higher = more stressed)."""
    return (STRESS_MAX - np.asarray(stress, dtype=np.float64)) / (STRESS_MAX - STRESS_MIN)


def nanoseconds(times) -> np.ndarray:
    """Times (naive UTC or timezone-aware) as int64 nanoseconds since the epoch, UTC."""
    index = pd.DatetimeIndex(times)
    if index.tz is not None:
        index = index.tz_convert("UTC").tz_localize(None)
    return index.as_unit("ns").asi8


def stress_windows(
    session_user, session_time, tweet_user, tweet_time, tweet_stress, intervals=INTERVALS
) -> dict[str, np.ndarray]:
    """Per session and interval I: mean stress (`stress_I`) and count (`n_I`) of the same user's
    tweets with t < time <= t + I minutes. Vectorised: users and times become one sortable key
    (user code * number of distinct times + time rank), searched with np.searchsorted."""
    users = pd.factorize(
        np.concatenate([np.asarray(session_user, dtype=object), np.asarray(tweet_user, dtype=object)])
    )[0]
    s_user, t_user = users[: len(session_user)], users[len(session_user) :]
    s_time, t_time = nanoseconds(session_time), nanoseconds(tweet_time)
    ends = {i: s_time + np.int64(i) * 60_000_000_000 for i in intervals}
    times = np.unique(np.concatenate([t_time, s_time, *ends.values()]))
    n_times = np.int64(len(times))

    def key(user, time):
        return user.astype(np.int64) * n_times + np.searchsorted(times, time)

    t_key = key(t_user, t_time)
    order = np.argsort(t_key, kind="stable")
    t_key = t_key[order]
    cumulative = np.concatenate([[0.0], np.cumsum(np.asarray(tweet_stress, dtype=float)[order])])
    start = np.searchsorted(t_key, key(s_user, s_time), side="right")  # strictly after t
    out = {}
    for i, end_time in ends.items():
        stop = np.searchsorted(t_key, key(s_user, end_time), side="right")  # at most t + I
        count = stop - start
        total = cumulative[stop] - cumulative[start]
        with np.errstate(invalid="ignore", divide="ignore"):
            out[f"stress_{i}"] = np.where(count > 0, total / np.maximum(count, 1), np.nan)
        out[f"n_{i}"] = count.astype(np.int64)
    return out


def stress_overrides(sessions, tweets, samples, interval: int, missing: str) -> pd.DataFrame:
    """Stress of every history session whose window (s, s + I] reaches its target's time,
    recomputed from the tweets strictly between the session and the target.

    Columns: target, session (rows), stress (float32, scaled; NaN under missing=drop when the
    cut window has no tweet: the step is then masked for this target only).
    """
    times = nanoseconds(sessions["created_at"])
    width = np.int64(interval) * 60 * 10**9
    pairs_t, pairs_s = [], []
    max_lag = int((samples.target - samples.start).max()) if len(samples) else 0
    targets, starts = samples.target.to_numpy(), samples.start.to_numpy()
    for lag in range(1, max_lag + 1):
        s = targets - lag
        hit = (s >= starts) & (times[np.maximum(s, 0)] + width >= times[targets])
        if not hit.any():
            break  # times grow along a user's rows: larger lags reach back even further
        pairs_t.append(targets[hit])
        pairs_s.append(s[hit])
    pair_t = np.concatenate(pairs_t) if pairs_t else np.zeros(0, np.int64)
    pair_s = np.concatenate(pairs_s) if pairs_s else np.zeros(0, np.int64)

    values = np.full(len(pair_t), np.nan)
    tw_user = tweets["user"].to_numpy()
    tw_times = nanoseconds(tweets["created_at"])
    tw_stress = tweets["stress"].to_numpy(dtype=np.float64)
    order = np.lexsort((tw_times, tw_user))
    tw_user, tw_times, tw_stress = tw_user[order], tw_times[order], tw_stress[order]
    pair_user = sessions["user"].to_numpy()[pair_t]
    for u in np.unique(pair_user):
        lo_u, hi_u = np.searchsorted(tw_user, u, "left"), np.searchsorted(tw_user, u, "right")
        t_u, st_u = tw_times[lo_u:hi_u], tw_stress[lo_u:hi_u]
        csum = np.r_[0.0, np.cumsum(st_u)]
        mine = np.flatnonzero(pair_user == u)
        lo = np.searchsorted(t_u, times[pair_s[mine]], "right")  # tweet > session time
        hi = np.searchsorted(t_u, times[pair_t[mine]], "left")  # tweet < target time
        count = hi - lo
        with np.errstate(invalid="ignore", divide="ignore"):
            values[mine] = np.where(count > 0, (csum[hi] - csum[lo]) / np.maximum(count, 1), np.nan)
    scaled = np.where(np.isnan(values), np.nan, scale_stress(np.where(np.isnan(values), STRESS_MAX, values)))
    if missing == "zero":
        scaled = np.where(np.isnan(scaled), 0.0, scaled)
    table = pd.DataFrame(
        {"target": pair_t.astype(np.int64), "session": pair_s.astype(np.int64), "stress": scaled.astype(np.float32)}
    )
    return table.sort_values(["target", "session"], kind="stable").reset_index(drop=True)


class Overrides:
    """stress_overrides.parquet looked up by (target row, session row)."""

    def __init__(self, table: pd.DataFrame, n_sessions: int):
        self.n_sessions = np.int64(n_sessions)
        keys = table["target"].to_numpy(np.int64) * self.n_sessions + table["session"].to_numpy(np.int64)
        order = np.argsort(keys, kind="stable")
        self.keys, self.stress = keys[order], table["stress"].to_numpy(np.float32)[order]

    def lookup(self, targets, rows) -> tuple[np.ndarray, np.ndarray]:
        """For each (target, session row) pair (arrays of one shape, or broadcast): whether it
        has an override, and its stress (NaN where none, or where the cut window is left out)."""
        keys = np.asarray(targets, np.int64) * self.n_sessions + np.asarray(rows, np.int64)
        values = np.full(keys.shape, np.nan, np.float32)
        if not len(self.keys):
            return np.zeros(keys.shape, bool), values
        at = np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)
        found = self.keys[at] == keys
        values[found] = self.stress[at[found]]
        return found, values
