"""Small but realistic stand-ins for the outputs of `ingest` and `embed`, in the format of
docs/data-contract.md, for testing the stages downstream of them.

Users mostly repeat their favourite genre (and tracks' text vectors lie near their genre's
centre), so a sequence model can learn to beat chance on them. Some sessions follow each other
within a stress window, so stress windows must be cut at the next session's time.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from nextgenre.constants import GENRES, GROUPS, INTERVALS, time_of_day


def write_fake_pipeline_data(
    folder,
    n_users: int = 40,
    sessions_per_user: int = 15,
    dim: int = 16,
    n_tracks: int = 90,
    favourite_share: float = 0.75,
    seed: int = 0,
) -> dict:
    """Write data/interim/{sessions,tweets,tracks}.parquet and data/embeddings/{vectors.npy,
    tracks.parquet} under `folder`; return the frames and the embedding matrix."""
    rng = np.random.default_rng(seed)
    folder = Path(folder)

    # Tracks: a genre each, text vectors near the genre's centre.
    track_genres = np.array([GENRES[i % len(GENRES)] for i in range(n_tracks)])
    tracks = pd.DataFrame(
        {
            "track": [f"https://music.example/track/{i:04d}" for i in range(n_tracks)],
            "genre": track_genres,
            "lyrics": [f"la la {g} song {i}" if i % 7 else "" for i, g in enumerate(track_genres)],
            "artist": [f"artist {i % (n_tracks // 3)}" for i in range(n_tracks)],
        }
    )
    centres = rng.normal(size=(len(GENRES), dim))
    genre_index = {g: i for i, g in enumerate(GENRES)}
    track_vectors = (centres[[genre_index[g] for g in track_genres]] + 0.5 * rng.normal(size=(n_tracks, dim))).astype(
        np.float32
    )

    session_rows, tweet_rows = [], []
    start = pd.Timestamp("2021-01-01", tz="UTC")
    for u in range(n_users):
        user = f"u{u:03d}"
        group = GROUPS[u % len(GROUPS)]
        favourite = GENRES[rng.integers(len(GENRES))]
        n = int(sessions_per_user + rng.integers(-3, 4))
        # Gaps between sessions: often minutes (inside a stress window), usually hours.
        gaps = np.where(rng.random(n) < 0.25, rng.integers(5, 80, n), rng.integers(120, 3000, n))
        times = start + pd.to_timedelta(rng.integers(0, 10_000), "min") + pd.to_timedelta(np.cumsum(gaps), "min")
        for t in times:
            genre = favourite if rng.random() < favourite_share else GENRES[rng.integers(len(GENRES))]
            choices = np.flatnonzero(track_genres == genre)
            session_rows.append(
                {
                    "user": user,
                    "group": group,
                    "disorder": int(group != "control"),
                    "created_at": t,
                    "time_of_day": time_of_day(t.hour),
                    "track": tracks.track.iloc[rng.choice(choices)],
                    "genre": genre,
                }
            )
            # Ordinary tweets: some minutes after most sessions, a few at random.
            for _ in range(rng.integers(0, 4)):
                tweet_rows.append(
                    {
                        "user": user,
                        "created_at": t + pd.Timedelta(minutes=int(rng.integers(1, 100))),
                        "stress": float(rng.integers(-5, 0)),
                    }
                )
        for _ in range(5):
            tweet_rows.append(
                {
                    "user": user,
                    "created_at": times[0] + pd.Timedelta(minutes=int(rng.integers(0, 20_000))),
                    "stress": float(rng.integers(-5, 0)),
                }
            )

    sessions = pd.DataFrame(session_rows).sort_values(["user", "created_at"], kind="stable").reset_index(drop=True)
    artist_of = tracks.set_index("track").artist
    sessions.insert(sessions.columns.get_loc("track") + 1, "artist", sessions.track.map(artist_of))
    tweets = pd.DataFrame(tweet_rows).sort_values(["user", "created_at"], kind="stable").reset_index(drop=True)
    # Stress of each window (t, t + I], as ingest computes it.
    for interval in INTERVALS:
        means, counts = [], []
        for row in sessions.itertuples():
            mine = tweets[
                (tweets.user == row.user)
                & (tweets.created_at > row.created_at)
                & (tweets.created_at <= row.created_at + pd.Timedelta(minutes=interval))
            ]
            means.append(mine.stress.mean() if len(mine) else np.nan)
            counts.append(len(mine))
        sessions[f"stress_{interval}"] = np.asarray(means, dtype=np.float64)
        sessions[f"n_{interval}"] = np.asarray(counts, dtype=np.int64)

    used = tracks[tracks.track.isin(sessions.track)][["track", "genre", "lyrics"]].reset_index(drop=True)
    # The embedding table in another row order than tracks.parquet, as the contract allows.
    order = rng.permutation(len(used))
    emb_tracks = used.iloc[order][["track"]].reset_index(drop=True)
    vectors = track_vectors[[int(t.rsplit("/", 1)[1]) for t in emb_tracks.track]]

    (folder / "data" / "interim").mkdir(parents=True, exist_ok=True)
    (folder / "data" / "embeddings").mkdir(parents=True, exist_ok=True)
    sessions.to_parquet(folder / "data/interim/sessions.parquet", index=False)
    tweets.to_parquet(folder / "data/interim/tweets.parquet", index=False)
    used.to_parquet(folder / "data/interim/tracks.parquet", index=False)
    emb_tracks.to_parquet(folder / "data/embeddings/tracks.parquet", index=False)
    np.save(folder / "data/embeddings/vectors.npy", vectors)
    return {"sessions": sessions, "tweets": tweets, "tracks": used, "embedding_tracks": emb_tracks, "vectors": vectors}
