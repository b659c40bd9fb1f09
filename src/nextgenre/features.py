"""From sessions and lyrics embeddings to model inputs: one vector per session, samples that point
at history windows by session row, and a user-level train/validation/test split.

Every session's vector is stored once (`vectors`, n_sessions x input_dim). A sample is a target
session with at least one earlier session of the same user; its history is the rows
`start..target-1` (at most `history` of them). Windows are gathered by index when a batch is
built (nextgenre.sequences), never materialised for the whole data set.

Leakage rules: a history session's stress window (s, s + I] is cut at the target's time when it
reaches it; those few (target, session) pairs get a recomputed value in `overrides`
(nextgenre.stress_windows). Users are split, not samples (nextgenre.split).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from nextgenre.artists import artist_indexes, fit_vocabulary, vocabulary_size
from nextgenre.constants import CLASS_SCHEMES, GENRES, GROUPS, STRESS_MAX, TIMES_OF_DAY, class_names
from nextgenre.errors import NextgenreError
from nextgenre.processed import SPLITS, Processed, no_overrides
from nextgenre.split import split_for
from nextgenre.stress_windows import nanoseconds, scale_stress, stress_overrides


class FeaturesError(NextgenreError):
    """The inputs of the features stage do not fit the pipeline contract."""


def _one_hot(values: pd.Series, names: tuple, what: str) -> np.ndarray:
    index = {n: i for i, n in enumerate(names)}
    codes = values.map(index)
    if codes.isna().any():
        bad = values[codes.isna()].iloc[0]
        raise FeaturesError(f"sessions.parquet: unknown {what} {bad!r} (expected one of {', '.join(names)})")
    return np.eye(len(names), dtype=np.float32)[codes.to_numpy(dtype=np.int64)]


def layout(text_dim: int, stress: bool, text: bool, artist: bool = False) -> dict:
    """Offsets [start, end) of each part of a session vector (no "text" part when text is off);
    the artist index, when there is one, is the last column."""
    parts = {"text": text_dim} if text else {}
    parts |= {"disorder": 1, "genre": len(GENRES), "time_of_day": len(TIMES_OF_DAY)}
    if stress:
        parts["stress"] = 1
    if artist:
        parts["artist"] = 1
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
        raise FeaturesError(
            f"data/embeddings/tracks.parquet: no vector for track {sessions.track[rows.isna()].iloc[0]!r}"
        )
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


def session_vectors(sessions, emb_tracks, emb_vectors, stress: bool, interval: int, missing: str, text: bool):
    """The (n_sessions, input_dim) float32 matrix, the layout, and the kept flags.

    `text` = False leaves the lyrics embedding out of the vectors (the text-part ablation).
    Sessions left out by missing_stress=drop get an all-zero vector: the models' masking skips
    them wherever they fall in a history window.
    """
    lyrics = text_vectors(sessions, emb_tracks, emb_vectors)  # checked even when left out
    parts = [
        *([lyrics] if text else []),
        sessions["disorder"].to_numpy(dtype=np.float32)[:, None],
        _one_hot(sessions["genre"], GENRES, "genre"),
        _one_hot(sessions["time_of_day"], TIMES_OF_DAY, "time_of_day"),
    ]
    kept = np.ones(len(sessions), dtype=bool)
    if stress:
        scaled, kept = session_stress(sessions, interval, missing)
        parts.append(scaled[:, None])
    vectors = np.concatenate(parts, axis=1).astype(np.float32)
    vectors[~kept] = 0.0
    return vectors, layout(emb_vectors.shape[1], stress, text), kept


def with_artists(sessions, vectors, kept, split: pd.Series) -> tuple[np.ndarray, int]:
    """The vectors with the artist index appended (0 in left-out sessions, which stay all-zero),
    and the size of the vocabulary: the artists of the training users' sessions (nextgenre.artists)."""
    if "artist" not in sessions.columns:
        raise FeaturesError("sessions.parquet: missing column 'artist' (features.artist needs it; rerun ingest)")
    training = sessions["user"].isin(split.index[split == "train"]).to_numpy()
    vocabulary = fit_vocabulary(sessions["artist"], training)
    index = np.where(kept, artist_indexes(sessions["artist"], vocabulary), 0.0).astype(np.float32)
    return np.concatenate([vectors, index[:, None]], axis=1), vocabulary_size(vocabulary)


def candidate_samples(sessions: pd.DataFrame, history: int, classes: int, kept: np.ndarray) -> pd.DataFrame:
    """Targets and their history windows, before the split.

    A kept session is a target when an earlier session of the same user is kept and the session
    just before it is strictly earlier in time (shares in the same second are not ordered, so
    the later of them is no target). Its history is rows max(first row of the user,
    target - history) .. target - 1. Targets whose class is None in the scheme are dropped.
    """
    user = sessions["user"].to_numpy()
    times = nanoseconds(sessions["created_at"])
    n = len(sessions)
    rows = np.arange(n)
    new_user = np.r_[True, user[1:] != user[:-1]]
    first_row = np.maximum.accumulate(np.where(new_user, rows, 0))
    if np.any(np.diff(times)[~new_user[1:]] < 0):
        raise FeaturesError("sessions.parquet: rows are not sorted by user then created_at")
    start = np.maximum(first_row, rows - history)
    kept_before = np.r_[0, np.cumsum(kept)]  # kept sessions in rows [0, r)
    has_kept_history = kept_before[rows] - kept_before[start] > 0
    strictly_later = np.r_[False, times[1:] > times[:-1]]
    is_target = ~new_user & strictly_later & kept & has_kept_history

    scheme = CLASS_SCHEMES[classes]
    names = class_names(classes)
    target_class = sessions["genre"].map(scheme)
    is_target &= target_class.notna().to_numpy()
    targets = rows[is_target]
    return pd.DataFrame(
        {
            "target": targets.astype(np.int64),
            "start": start[targets].astype(np.int64),
            "label": target_class.iloc[targets].map({c: i for i, c in enumerate(names)}).to_numpy(dtype=np.int64),
        }
    )


def build_features(sessions, tweets, emb_tracks, emb_vectors, params: dict) -> Processed:
    """The whole features stage on in-memory tables."""
    f, sp = params["features"], params["split"]
    interval, stress, missing = params["data"]["interval"], f["stress"], f["missing_stress"]
    for column in ["user", "group", "disorder", "created_at", "time_of_day", "track", "genre", f"stress_{interval}"]:
        if column not in sessions.columns:
            raise FeaturesError(f"sessions.parquet: missing column '{column}'")
    sessions = sessions.reset_index(drop=True)
    vectors, offsets, kept = session_vectors(sessions, emb_tracks, emb_vectors, stress, interval, missing, f["text"])
    samples = candidate_samples(sessions, f["history"], f["classes"], kept)

    users = sessions.iloc[samples.target][["user", "group"]].drop_duplicates("user")
    split = split_for(users, sp, params["seed"])
    user_codes = {u: i for i, u in enumerate(sorted(sessions.user.unique()))}
    target_user = sessions.user.to_numpy()[samples.target]
    samples["split"] = split.loc[target_user].to_numpy()
    samples["group"] = sessions.group.to_numpy()[samples.target]
    samples["user_index"] = pd.Series(target_user).map(user_codes).to_numpy(dtype=np.int64)

    vocabulary = None
    if f["artist"]:
        vectors, vocabulary = with_artists(sessions, vectors, kept, split)
        offsets = layout(emb_vectors.shape[1], stress, f["text"], artist=True)

    overrides = stress_overrides(sessions, tweets, samples, interval, missing) if stress else no_overrides()
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
        "samples_per_class": {
            s: {c: int(((samples.split == s) & (samples.label == i)).sum()) for i, c in enumerate(names)}
            for s in SPLITS
        },
        "groups": list(GROUPS),
    }
    if vocabulary is not None:
        meta["artist_vocabulary"] = vocabulary  # rows of the artist embedding (nextgenre.artists)
    return Processed(vectors, genre_codes, kept, samples, overrides, meta)
