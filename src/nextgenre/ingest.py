"""From a raw folder to the interim tables: music sessions, ordinary tweets with stress, tracks.

- A *music session* is a tweet with a link that, normalised (nextgenre.links), is a track of
  tracks.csv (normalised the same way). A tweet with several catalogue links counts once, for
  its first. A tweet with a music-platform link that is not in the catalogue is dropped and
  counted (`unknown_track`); a tweet with no music-platform link is an *ordinary* tweet.
- Each track's genre comes from its raw tags through the taxonomy; the sessions of a track
  that is dropped there are counted per reason (`ambiguous_genre`, `no_genre`) and removed.
- time_of_day is from the local clock hour: UTC + the user's utc_offset_minutes when given,
  else the clock time as written in created_at (with its own offset).
- Every ordinary tweet gets a stress score (nextgenre.stress). Per session and interval I in
  INTERVALS, stress_I is the mean stress and n_I the count of the same user's ordinary tweets
  with t < created_at <= t + I minutes (t: the session's time); stress_I is NaN when n_I is 0.

data/ingest.json (the paper's Tables I-IV and Fig. 5 from what was read):
users_per_group (users.csv), sessions (kept sessions), sessions_with_stress (sessions with
n_I > 0), genre_by_group (those sessions by group and genre), class_counts (all kept sessions
per class of each class scheme), dropped (per reason), tweets (rows of tweets.csv),
ordinary_tweets, tracks (tracks with kept sessions, the rows of tracks.parquet),
unlisted_tags (distinct normalised tags of tracks.csv that the taxonomy does not list),
sessions_per_user (kept sessions per user of each group, users without sessions included).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from nextgenre import stress as stress_scores
from nextgenre.constants import CLASS_SCHEMES, CONTROL, GENRES, GROUPS, INTERVALS, class_names, time_of_day
from nextgenre.links import LINK_PATTERN, is_music_link, normalize
from nextgenre.pseudonym import pseudonymize
from nextgenre.rawfile import Limits
from nextgenre.schema import RawData, read_raw
from nextgenre.stress_windows import stress_windows
from nextgenre.taxonomy import AMBIGUOUS, NO_GENRE, Taxonomy

UNKNOWN_TRACK = "unknown_track"
DROP_REASONS = (AMBIGUOUS, NO_GENRE, UNKNOWN_TRACK)
_TIME_OF_DAY_BY_HOUR = np.array([time_of_day(h) for h in range(24)], dtype=object)

SESSION_COLUMNS = [
    "user",
    "group",
    "disorder",
    "created_at",
    "time_of_day",
    "track",
    "artist",
    "genre",
    *(f"stress_{i}" for i in INTERVALS),
    *(f"n_{i}" for i in INTERVALS),
]


@dataclass
class Ingested:
    sessions: pd.DataFrame
    tweets: pd.DataFrame
    tracks: pd.DataFrame
    metrics: dict


def catalogue_links(text: pd.Series, catalogue: pd.Index) -> tuple[pd.Series, pd.Series]:
    """Per tweet: its first catalogue track (None if none), and whether it has a music link."""
    found = text.astype(object).str.findall(LINK_PATTERN, flags=re.IGNORECASE).explode().dropna()
    unique = pd.unique(found)
    normalised = pd.Series([normalize(u) for u in unique], index=unique, dtype=object)
    links = pd.DataFrame({"row": found.index, "link": found.map(normalised).to_numpy()}).dropna()
    distinct = pd.unique(links["link"])
    music_hosts = pd.Series([is_music_link(link) for link in distinct], index=distinct, dtype=bool)
    in_catalogue = links["link"].isin(catalogue).to_numpy()
    first_track = links[in_catalogue].groupby("row", sort=False)["link"].first()
    is_music = links["link"].map(music_hosts).to_numpy(dtype=bool)
    music_rows = links.loc[in_catalogue | is_music, "row"].unique()
    track = pd.Series(None, index=text.index, dtype=object)
    track.loc[first_track.index] = first_track.to_numpy()
    return track, pd.Series(text.index.isin(music_rows), index=text.index)


def local_time_of_day(created_at: pd.Series, offset_minutes: pd.Series) -> np.ndarray:
    """The part of the day of UTC times shifted by offsets in minutes."""
    local = created_at + pd.to_timedelta(offset_minutes.to_numpy(dtype=float), unit="min")
    return _TIME_OF_DAY_BY_HOUR[local.dt.hour.to_numpy()]


def resolve_tracks(tracks: pd.DataFrame, taxonomy: Taxonomy) -> tuple[pd.DataFrame, int]:
    """Genre (or drop reason) of each catalogue track; the number of distinct unlisted tags."""
    resolutions = [taxonomy.resolve(g) for g in tracks["genres"]]
    unlisted = {tag for r in resolutions for tag in r.unlisted}
    resolved = pd.DataFrame(
        {
            "track": tracks["track"].to_numpy(),
            "genre": [r.genre for r in resolutions],
            "reason": [r.reason for r in resolutions],
            "lyrics": tracks["lyrics"].to_numpy(),
            "artist": tracks["artist"].to_numpy(),
        }
    )
    return resolved, len(unlisted)


def build(raw: RawData, key: bytes, taxonomy: Taxonomy | None = None) -> Ingested:
    """The interim tables and data metrics from a checked raw folder."""
    taxonomy = taxonomy or Taxonomy.load()
    users = raw.users.set_index("user_id")
    tweets = raw.tweets.reset_index(drop=True)
    tracks, n_unlisted = resolve_tracks(raw.tracks, taxonomy)

    track, has_music_link = catalogue_links(tweets["text"], pd.Index(tracks["track"]))
    is_session = track.notna().to_numpy()
    is_ordinary = ~has_music_link.to_numpy()
    dropped = {reason: 0 for reason in DROP_REASONS}
    dropped[UNKNOWN_TRACK] = int((has_music_link.to_numpy() & ~is_session).sum())

    # Sessions, with the genre of their track; those of dropped tracks are counted and removed.
    s = tweets.loc[is_session, ["user_id", "created_at", "written_offset"]].copy()
    s["order"] = s.index.to_numpy()
    s["track"] = track[is_session].to_numpy()
    by_track = tracks.set_index("track")
    s["genre"] = s["track"].map(by_track["genre"]).to_numpy()
    s["artist"] = s["track"].map(by_track["artist"]).to_numpy()
    reasons = s["track"].map(by_track["reason"]).dropna().value_counts()
    for reason, n in reasons.items():
        dropped[reason] += int(n)
    s = s[s["genre"].notna()]
    s["group"] = s["user_id"].map(users["group"]).to_numpy()
    offset = s["user_id"].map(users["utc_offset"]).fillna(s["written_offset"])
    s["time_of_day"] = local_time_of_day(s["created_at"], offset)

    # Ordinary tweets and their stress; then each session's stress windows.
    o = tweets.loc[is_ordinary, ["user_id", "created_at", "text", "stress"]]
    o_stress = stress_scores.scores(o["text"], override=o["stress"])
    windows = stress_windows(
        s["user_id"].to_numpy(),
        s["created_at"].to_numpy(),
        o["user_id"].to_numpy(),
        o["created_at"].to_numpy(),
        o_stress,
    )
    for name, values in windows.items():
        s[name] = values

    s["user"] = pseudonymize(s["user_id"], key).to_numpy()
    s["disorder"] = (s["group"] != CONTROL).astype(np.int8)
    sessions = s.sort_values(["user", "created_at", "order"], kind="stable")[SESSION_COLUMNS].reset_index(drop=True)

    ordinary = pd.DataFrame(
        {
            "user": pseudonymize(o["user_id"], key).to_numpy(),
            "created_at": o["created_at"].to_numpy(),
            "stress": o_stress,
            "order": o.index.to_numpy(),
        }
    )
    ordinary = ordinary.sort_values(["user", "created_at", "order"], kind="stable")[
        ["user", "created_at", "stress"]
    ].reset_index(drop=True)
    ordinary["created_at"] = ordinary["created_at"].astype("datetime64[ns, UTC]")

    kept_tracks = (
        tracks[tracks["track"].isin(sessions["track"])][["track", "genre", "lyrics"]]
        .sort_values("track", kind="stable")
        .reset_index(drop=True)
    )

    metrics = data_metrics(raw, sessions, dropped, len(ordinary), len(kept_tracks), n_unlisted)
    return Ingested(sessions, ordinary, kept_tracks, metrics)


def data_metrics(
    raw: RawData, sessions: pd.DataFrame, dropped: dict, n_ordinary: int, n_tracks: int, n_unlisted: int
) -> dict:
    """Tables I-IV and Fig. 5 of the paper, from this data (see the module docstring)."""
    users_per_group = raw.users["group"].value_counts()
    sessions_per_group = sessions["group"].value_counts()
    with_stress, genre_by_group = {}, {}
    for i in INTERVALS:
        has = sessions[sessions[f"n_{i}"] > 0]
        with_stress[str(i)] = len(has)
        counts = has.groupby(["group", "genre"]).size()
        genre_by_group[str(i)] = {g: {genre: int(counts.get((g, genre), 0)) for genre in GENRES} for g in GROUPS}
    class_counts = {}
    for scheme in (6, 4, 3):
        classes = sessions["genre"].map(CLASS_SCHEMES[scheme]).value_counts()
        class_counts[str(scheme)] = {c: int(classes.get(c, 0)) for c in class_names(scheme)}
    per_user = {
        g: (float(sessions_per_group.get(g, 0)) / users_per_group[g] if users_per_group.get(g, 0) else 0.0)
        for g in GROUPS
    }
    return {
        "users_per_group": {g: int(users_per_group.get(g, 0)) for g in GROUPS},
        "sessions": len(sessions),
        "sessions_with_stress": with_stress,
        "genre_by_group": genre_by_group,
        "class_counts": class_counts,
        "dropped": {reason: int(dropped.get(reason, 0)) for reason in DROP_REASONS},
        "tweets": len(raw.tweets),
        "ordinary_tweets": n_ordinary,
        "tracks": n_tracks,
        "unlisted_tags": n_unlisted,
        "sessions_per_user": per_user,
    }


def ingest(raw: str | Path, key: bytes, taxonomy: Taxonomy | None = None, limits: Limits = Limits()) -> Ingested:
    """Read and check a raw folder (RawDataError on any problem), then build the interim tables."""
    return build(read_raw(raw, limits), key, taxonomy)
