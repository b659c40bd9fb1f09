"""From sessions and lyrics embeddings to model inputs: one vector per session, samples that point
at history windows by session row, and a user-level train/validation/test split.

Every session's vector is stored once (`vectors`, n_sessions x input_dim). A sample is a target
session with at least one earlier session of the same user; its history is the rows
`start..target-1` (at most `history` of them). Windows are gathered by index when a batch is
built (nextgenre.sequences), never materialised for the whole data set.

Leakage rules: a history session's stress window (s, s + I] is cut at the target's time when it
reaches it; those few (target, session) pairs get a recomputed value in `overrides`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from nextgenre.constants import (GENRES, GROUPS, STRESS_MAX, STRESS_MIN, TIMES_OF_DAY,
                                 CLASS_SCHEMES, class_names)
from nextgenre.errors import NextgenreError
from nextgenre.processed import SPLITS, Processed, no_overrides


class FeaturesError(NextgenreError):
    """The inputs of the features stage do not fit the pipeline contract."""


def scale_stress(stress):
    """TensiStrength -1 (no stress) .. -5 (very stressed) onto 0 .. 1 (higher = more stressed)."""
    return (STRESS_MAX - np.asarray(stress, dtype=np.float64)) / (STRESS_MAX - STRESS_MIN)


def _nanoseconds(column: pd.Series) -> np.ndarray:
    return pd.to_datetime(column, utc=True).dt.as_unit("ns").astype("int64").to_numpy()


def _one_hot(values: pd.Series, names: tuple, what: str) -> np.ndarray:
    index = {n: i for i, n in enumerate(names)}
    codes = values.map(index)
    if codes.isna().any():
        bad = values[codes.isna()].iloc[0]
        raise FeaturesError(f"sessions.parquet: unknown {what} {bad!r} (expected one of {', '.join(names)})")
    return np.eye(len(names), dtype=np.float32)[codes.to_numpy(dtype=np.int64)]


def layout(text_dim: int, stress: bool) -> dict:
    """Offsets [start, end) of each part of a session vector."""
    parts = {"text": text_dim, "disorder": 1, "genre": len(GENRES), "time_of_day": len(TIMES_OF_DAY)}
    if stress:
        parts["stress"] = 1
    offsets, at = {}, 0
    for name, width in parts.items():
        offsets[name] = [at, at + width]
        at += width
    return offsets


def text_vectors(sessions: pd.DataFrame, emb_tracks: pd.DataFrame, emb_vectors: np.ndarray) -> np.ndarray:
    """Each session's lyrics embedding, looked up by track."""
    if len(emb_tracks) != len(emb_vectors):
        raise FeaturesError(f"data/embeddings: {len(emb_tracks)} tracks but {len(emb_vectors)} vectors")
    row_of = pd.Series(np.arange(len(emb_tracks)), index=emb_tracks["track"].to_numpy())
    rows = sessions["track"].map(row_of)
    if rows.isna().any():
        raise FeaturesError(f"data/embeddings/tracks.parquet: no vector for track {sessions.track[rows.isna()].iloc[0]!r}")
    return np.asarray(emb_vectors, dtype=np.float32)[rows.to_numpy(dtype=np.int64)]


def session_stress(sessions: pd.DataFrame, interval: int, missing: str) -> tuple[np.ndarray, np.ndarray]:
    """Scaled stress of each session's window, and which sessions are kept.

    missing = "zero": no tweet in the window gives 0 (the value of an unstressed tweet, -1).
    missing = "drop": such sessions are left out (kept False); their value is 0.
    """
    raw = sessions[f"stress_{interval}"].to_numpy(dtype=np.float64)
    have = ~np.isnan(raw)
    scaled = np.where(have, scale_stress(np.where(have, raw, STRESS_MAX)), 0.0).astype(np.float32)
    kept = have if missing == "drop" else np.ones(len(sessions), dtype=bool)
    return scaled, kept


def session_vectors(sessions, emb_tracks, emb_vectors, stress: bool, interval: int, missing: str):
    """The (n_sessions, input_dim) float32 matrix, the layout, and the kept flags.

    Sessions left out by missing_stress=drop get an all-zero vector: the models' masking skips
    them wherever they fall in a history window.
    """
    parts = [text_vectors(sessions, emb_tracks, emb_vectors),
             sessions["disorder"].to_numpy(dtype=np.float32)[:, None],
             _one_hot(sessions["genre"], GENRES, "genre"),
             _one_hot(sessions["time_of_day"], TIMES_OF_DAY, "time_of_day")]
    kept = np.ones(len(sessions), dtype=bool)
    if stress:
        scaled, kept = session_stress(sessions, interval, missing)
        parts.append(scaled[:, None])
    vectors = np.concatenate(parts, axis=1).astype(np.float32)
    vectors[~kept] = 0.0
    return vectors, layout(emb_vectors.shape[1], stress), kept


def candidate_samples(sessions: pd.DataFrame, history: int, classes: int, kept: np.ndarray) -> pd.DataFrame:
    """Targets and their history windows, before the split.

    A kept session is a target when an earlier session of the same user is kept and the session
    just before it is strictly earlier in time (shares in the same second are not ordered, so
    the later of them is no target). Its history is rows max(first row of the user,
    target - history) .. target - 1. Targets whose class is None in the scheme are dropped.
    """
    user = sessions["user"].to_numpy()
    times = _nanoseconds(sessions["created_at"])
    n = len(sessions)
    rows = np.arange(n)
    new_user = np.r_[True, user[1:] != user[:-1]]
    first_row = np.maximum.accumulate(np.where(new_user, rows, 0))
    if np.any(np.diff(times)[~new_user[1:]] < 0):
        raise FeaturesError("sessions.parquet: rows are not sorted by user then created_at")
    start = np.maximum(first_row, rows - history)
    kept_before = np.r_[0, np.cumsum(kept)]          # kept sessions in rows [0, r)
    has_kept_history = kept_before[rows] - kept_before[start] > 0
    strictly_later = np.r_[False, times[1:] > times[:-1]]
    is_target = ~new_user & strictly_later & kept & has_kept_history

    scheme = CLASS_SCHEMES[classes]
    names = class_names(classes)
    target_class = sessions["genre"].map(scheme)
    is_target &= target_class.notna().to_numpy()
    targets = rows[is_target]
    return pd.DataFrame({
        "target": targets.astype(np.int64),
        "start": start[targets].astype(np.int64),
        "label": target_class.iloc[targets].map({c: i for i, c in enumerate(names)}).to_numpy(dtype=np.int64),
    })


def stress_overrides(sessions, tweets, samples, interval: int, missing: str) -> pd.DataFrame:
    """Stress of every history session whose window (s, s + I] reaches its target's time,
    recomputed from the tweets strictly between the session and the target.

    Columns: target, session (rows), stress (float32, scaled; NaN under missing=drop when the
    cut window has no tweet: the step is then masked for this target only).
    """
    times = _nanoseconds(sessions["created_at"])
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
    tw_times = _nanoseconds(tweets["created_at"])
    tw_stress = tweets["stress"].to_numpy(dtype=np.float64)
    order = np.lexsort((tw_times, tw_user))
    tw_user, tw_times, tw_stress = tw_user[order], tw_times[order], tw_stress[order]
    pair_user = sessions["user"].to_numpy()[pair_t]
    for u in np.unique(pair_user):
        lo_u, hi_u = np.searchsorted(tw_user, u, "left"), np.searchsorted(tw_user, u, "right")
        t_u, st_u = tw_times[lo_u:hi_u], tw_stress[lo_u:hi_u]
        csum = np.r_[0.0, np.cumsum(st_u)]
        mine = np.flatnonzero(pair_user == u)
        lo = np.searchsorted(t_u, times[pair_s[mine]], "right")   # tweet > session time
        hi = np.searchsorted(t_u, times[pair_t[mine]], "left")    # tweet < target time
        count = hi - lo
        with np.errstate(invalid="ignore", divide="ignore"):
            values[mine] = np.where(count > 0, (csum[hi] - csum[lo]) / np.maximum(count, 1), np.nan)
    scaled = np.where(np.isnan(values), np.nan, scale_stress(np.where(np.isnan(values), STRESS_MAX, values)))
    if missing == "zero":
        scaled = np.where(np.isnan(scaled), 0.0, scaled)
    table = pd.DataFrame({"target": pair_t.astype(np.int64), "session": pair_s.astype(np.int64),
                          "stress": scaled.astype(np.float32)})
    return table.sort_values(["target", "session"], kind="stable").reset_index(drop=True)


def split_users(users: pd.DataFrame, val: float, test: float, seed: int) -> pd.Series:
    """train/val/test per user, stratified by group (sklearn, seeded).

    Groups with too few users to stratify are pooled into one stratum; with too few users in
    all, the split is plain random.
    """
    users = users.sort_values("user").reset_index(drop=True)

    def strata(frame, n_hold):
        counts = frame.group.value_counts()
        s = frame.group.where(frame.group.map(counts) >= 2, "_pooled")
        if s.value_counts().min() < 2 or s.nunique() > min(n_hold, len(frame) - n_hold):
            return None
        return s

    def cut(frame, share):
        n_hold = int(np.ceil(share * len(frame)))
        try:
            return train_test_split(frame, test_size=n_hold, random_state=seed, stratify=strata(frame, n_hold))
        except ValueError:
            return train_test_split(frame, test_size=n_hold, random_state=seed)

    if len(users) < 3:
        raise FeaturesError(f"only {len(users)} users have samples: at least 3 are needed for train/val/test")
    rest, test_users = cut(users, test)
    train_users, val_users = cut(rest, val / (1 - test))
    split = pd.Series("train", index=users.user.to_numpy())
    split[val_users.user.to_numpy()] = "val"
    split[test_users.user.to_numpy()] = "test"
    return split


def build_features(sessions, tweets, emb_tracks, emb_vectors, params: dict) -> Processed:
    """The whole features stage on in-memory tables."""
    f, sp = params["features"], params["split"]
    interval, stress, missing = params["data"]["interval"], f["stress"], f["missing_stress"]
    for column in ["user", "group", "disorder", "created_at", "time_of_day", "track", "genre", f"stress_{interval}"]:
        if column not in sessions.columns:
            raise FeaturesError(f"sessions.parquet: missing column '{column}'")
    sessions = sessions.reset_index(drop=True)
    vectors, offsets, kept = session_vectors(sessions, emb_tracks, emb_vectors, stress, interval, missing)
    samples = candidate_samples(sessions, f["history"], f["classes"], kept)

    users = sessions.iloc[samples.target][["user", "group"]].drop_duplicates("user")
    split = split_users(users, sp["val"], sp["test"], params["seed"])
    user_codes = {u: i for i, u in enumerate(sorted(sessions.user.unique()))}
    target_user = sessions.user.to_numpy()[samples.target]
    samples["split"] = split.loc[target_user].to_numpy()
    samples["group"] = sessions.group.to_numpy()[samples.target]
    samples["user_index"] = pd.Series(target_user).map(user_codes).to_numpy(dtype=np.int64)

    overrides = (stress_overrides(sessions, tweets, samples, interval, missing) if stress
                 else no_overrides())
    names = class_names(f["classes"])
    genre_codes = sessions["genre"].map({g: i for i, g in enumerate(GENRES)}).to_numpy(dtype=np.int8)
    meta = {
        "classes": names,
        "genres": list(GENRES),
        "times_of_day": list(TIMES_OF_DAY),
        "input_dim": int(vectors.shape[1]),
        "layout": offsets,
        "history": f["history"],
        "padding": "front",
        "interval": interval,
        "stress": stress,
        "missing_stress": missing,
        "stress_scale": "(-1 - stress) / 4: -1 (no stress) -> 0, -5 -> 1",
        "n_sessions": int(len(sessions)),
        "n_sessions_kept": int(kept.sum()),
        "n_samples": int(len(samples)),
        "n_overrides": int(len(overrides)),
        "users_per_split": {s: int((split == s).sum()) for s in SPLITS},
        "samples_per_split": {s: int((samples.split == s).sum()) for s in SPLITS},
        "samples_per_class": {s: {c: int(((samples.split == s) & (samples.label == i)).sum())
                                  for i, c in enumerate(names)} for s in SPLITS},
        "groups": list(GROUPS),
    }
    return Processed(vectors, genre_codes, kept, samples, overrides, meta)
