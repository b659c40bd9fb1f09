"""Archives of listening tweets + the artist genre table -> a raw folder (README "Raw schema").

One music session per listening tweet. Per line of an archive, in this order, a tweet is
dropped and counted under the first reason that applies:
  bad_line (does not fit `<number>,<tweet JSON>`, lacks a field, or has a value the raw schema
  would refuse; counted per field), bad_time (created_at outside the times the pipeline computes
  with: nextgenre.rawvalues.TIME_RANGE), duplicate (an id_str seen before), retweet,
  unparseable (no service phrasing fits,
  nextgenre.realdata.phrasing), no_artist_match (artist not in the genre table),
  no_genre (the artist has no Spotify genre), ambiguous_genre (the artist's genres name two
  parent genres; `realdata.ambiguous`, nextgenre.taxonomy.Taxonomy.resolve_tags).
Broken lines (bad_line and bad_time) up to `realdata.max_bad_share` of an archive's lines are
dropped and counted; more stop the import with the first one's file, line and field.

Every value written passes the raw schema's rules (nextgenre.rawvalues, the ones ingest checks)
by construction: times, ids and offsets are checked per line (nextgenre.realdata.tweets), and
the rest is made here from them (pseudonyms, `t<n>` ids, the links below, normalised keys).

The raw folder holds no tweet text, id or handle:
- users.csv: pseudonymous user_id (HMAC, nextgenre.pseudonym), group `control` for everyone
  (the data says nothing about health), utc_offset_minutes from the user's latest tweet;
- tweets.csv: tweet_id numbered in order, user_id, created_at (UTC), and as text only the
  link of the track: `https://www.last.fm/music/<artist key>/_/<title key>` (a real Last.fm
  track page), so ingest finds the session through tracks.csv. There are no ordinary tweets,
  hence no stress;
- tracks.csv: url, title and artist (their normalised keys), genres = the parent genre the
  taxonomy gave the artist, spotify_genres (the artist's Spotify genres, `;`-separated),
  empty lyrics.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pandas as pd

from nextgenre.constants import CONTROL, GENRES
from nextgenre.errors import RawDataError
from nextgenre.pseudonym import pseudonymize
from nextgenre.realdata.archive import read_archive
from nextgenre.realdata.artists import match_artist, read_genre_table, title_key
from nextgenre.realdata.phrasing import SERVICES, parse_listen
from nextgenre.realdata.tweets import BAD_LINE, BAD_TIME, LineError, parse_line
from nextgenre.taxonomy import AMBIGUOUS, NO_GENRE, Taxonomy

DUPLICATE, RETWEET, UNPARSEABLE, NO_MATCH = ("duplicate", "retweet", "unparseable", "no_artist_match")
DROP_REASONS = (BAD_LINE, BAD_TIME, DUPLICATE, RETWEET, UNPARSEABLE, NO_MATCH, NO_GENRE, AMBIGUOUS)


@dataclass
class Imported:
    users: pd.DataFrame
    tweets: pd.DataFrame
    tracks: pd.DataFrame
    metrics: dict


def track_url(artist: str, title: str) -> str:
    return f"https://www.last.fm/music/{quote(artist, safe='')}/_/{quote(title, safe='')}"


class _Counts:
    def __init__(self):
        self.dropped = Counter({reason: 0 for reason in DROP_REASONS})
        self.bad_fields: Counter = Counter()
        self.services: Counter = Counter()
        self.matches: Counter = Counter()  # exact / lead artist, per kept-or-not session
        self.artists_seen: set = set()
        self.artists_matched: set = set()
        self.lines = 0


class _ArchiveReader:
    """The sessions of one archive, line by line as nextgenre.realdata.archive hands them on."""

    def __init__(self, path: Path, table: dict, resolve, counts: _Counts, seen: set):
        self.path, self.table, self.resolve, self.counts, self.seen = path, table, resolve, counts, seen
        self.rows: list[tuple] = []
        self.first_bad: tuple | None = None
        self.broken = self.lines = 0

    def read(self, max_unpacked_mb: float, max_bad_share: float) -> list[tuple]:
        read_archive(self.path, max_unpacked_mb, self.line)
        self.counts.lines += self.lines
        if self.broken and self.broken > max_bad_share * self.lines:
            member, number, exc = self.first_bad
            raise RawDataError(
                f"{self.path} ({member})",
                None,
                None,
                f"line {number}, field '{exc.field}': {exc.problem} ({self.broken} of {self.lines} "
                f"lines are broken, more than realdata.max_bad_share = {max_bad_share:g})",
            )
        return self.rows

    def line(self, member: str, number: int, line: bytes) -> None:
        counts = self.counts
        self.lines += 1
        try:
            tweet = parse_line(line)
        except LineError as exc:
            self.broken += 1
            counts.dropped[exc.reason] += 1
            if exc.reason == BAD_LINE:
                counts.bad_fields[exc.field] += 1
            self.first_bad = self.first_bad or (member, number, exc)
            return
        if tweet.tweet_id in self.seen:
            counts.dropped[DUPLICATE] += 1
            return
        self.seen.add(tweet.tweet_id)
        if tweet.retweet:
            counts.dropped[RETWEET] += 1
            return
        parsed = parse_listen(tweet.text)
        if parsed is None:
            counts.dropped[UNPARSEABLE] += 1
            return
        service, candidates = parsed
        counts.services[service] += 1
        key, how, title = None, None, None
        for cand_title, cand_artist in candidates:
            key, how = match_artist(cand_artist, self.table)
            title = cand_title
            if how:
                break
        counts.artists_seen.add(key)
        if how is None:
            counts.dropped[NO_MATCH] += 1
            return
        counts.artists_matched.add(key)
        counts.matches[how] += 1
        genre, rule = self.resolve(key)
        if genre is None:
            counts.dropped[rule] += 1
            return
        self.rows.append(
            (tweet.user_id, tweet.created_at, tweet.utc_offset_minutes, key, title_key(title), genre, rule, service)
        )


def import_archives(
    archives: list[str | Path],
    genre_table: str | Path,
    key: bytes,
    taxonomy: Taxonomy | None = None,
    ambiguous: str = "drop",
    max_bad_share: float = 0.01,
    max_unpacked_mb: float = 4096,
) -> Imported:
    """Read every archive and the genre table; the raw folder's tables and the import metrics."""
    taxonomy = taxonomy or Taxonomy.load()
    table = read_genre_table(genre_table)
    resolved: dict[str, tuple] = {}

    def resolve(artist: str) -> tuple:
        if artist not in resolved:
            resolved[artist] = taxonomy.resolve_tags(table[artist], ambiguous)
        return resolved[artist]

    counts, seen, rows = _Counts(), set(), []
    for archive in archives:
        rows += _ArchiveReader(Path(archive), table, resolve, counts, seen).read(max_unpacked_mb, max_bad_share)
    if not rows:
        raise RawDataError(
            ", ".join(str(a) for a in archives),
            None,
            None,
            f"no listening tweet with a genre in it (dropped: {dict(counts.dropped)})",
        )
    s = pd.DataFrame(rows, columns=["user_id", "created_at", "offset", "artist", "title", "genre", "rule", "service"])
    s["created_at"] = pd.to_datetime(s["created_at"], utc=True)
    s["user_id"] = pseudonymize(s["user_id"], key)
    s["order"] = range(len(s))
    s = s.sort_values(["user_id", "created_at", "order"], kind="stable").reset_index(drop=True)
    s["url"] = [track_url(a, t) for a, t in zip(s["artist"], s["title"])]

    latest_offset = s.dropna(subset=["offset"]).groupby("user_id")["offset"].last()
    users = pd.DataFrame({"user_id": s["user_id"].unique()})
    users["group"] = CONTROL
    users["utc_offset_minutes"] = users["user_id"].map(latest_offset).astype("Int64")
    tweets = pd.DataFrame(
        {
            "tweet_id": [f"t{i}" for i in range(1, len(s) + 1)],
            "user_id": s["user_id"],
            "created_at": s["created_at"].dt.strftime("%Y-%m-%dT%H:%M:%S+00:00"),
            "text": s["url"],
        }
    )
    tracks = (
        s.drop_duplicates("url")[["url", "title", "artist", "genre"]]
        .rename(columns={"genre": "genres"})
        .sort_values("url")
        .reset_index(drop=True)
    )
    tracks["spotify_genres"] = [";".join(table[a]) for a in tracks["artist"]]
    tracks["lyrics"] = ""
    return Imported(users, tweets, tracks, _metrics(s, counts, len(users), len(tracks)))


def _metrics(s: pd.DataFrame, counts: _Counts, n_users: int, n_tracks: int) -> dict:
    by_rule = s.groupby(["genre", "rule"]).size()
    considered = len(s) + counts.dropped[AMBIGUOUS]  # sessions whose artist has genres
    with_artist = sum(counts.matches.values()) + counts.dropped[NO_MATCH]
    return {
        "lines": counts.lines,
        "sessions": len(s),
        "users": n_users,
        "tracks": n_tracks,
        "dropped": dict(counts.dropped),
        "bad_line_fields": dict(counts.bad_fields),
        "parsed_per_service": {name: int(counts.services.get(name, 0)) for name in SERVICES},
        "artist_match": {
            "distinct_artists": len(counts.artists_seen),
            "distinct_matched": len(counts.artists_matched),
            "distinct_rate": len(counts.artists_matched) / max(1, len(counts.artists_seen)),
            "tweets_rate": sum(counts.matches.values()) / max(1, with_artist),
            "tweets_by_how": dict(counts.matches),
        },
        "ambiguous_share": counts.dropped[AMBIGUOUS] / max(1, considered),
        "sessions_per_genre": {g: int((s["genre"] == g).sum()) for g in GENRES},
        "sessions_per_genre_rule": {
            g: {rule: int(n) for rule, n in by_rule[g].items()}
            for g in GENRES
            if g in by_rule.index.get_level_values(0)
        },
    }


def write_raw(imported: Imported, folder: Path) -> None:
    """The three CSV files of the raw schema into `folder` (an atomic_dir's temporary folder)."""
    for name in ("users", "tweets", "tracks"):
        getattr(imported, name).to_csv(folder / f"{name}.csv", index=False)


def headline(metrics: dict) -> dict:
    """metrics/import.json: the import's few headline numbers, under `import` so that their names
    say what they count in `dvc exp show`; every count (drops per reason, services, genre rules)
    stays in the raw folder's import.json."""
    keys = ("lines", "sessions", "users", "tracks", "ambiguous_share")
    numbers = {k: metrics[k] for k in keys}
    return {"import": {**numbers, "artist_match_rate": metrics["artist_match"]["tweets_rate"]}}
