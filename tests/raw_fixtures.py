"""A tiny, valid raw data folder written by hand, for ingest tests (and for tests that damage it).

`write_raw(folder)` writes users.csv, tweets.csv and tracks.csv. The content is chosen so that
every expected number below can be checked by hand:

- alice (control, UTC+120): sessions at 05:00Z (plain http link with a trailing slash; local
  07:00 = morning, whereas the written clock says night), 10:00Z (Spotify /intl-de/ link with a
  query) and 10:45Z (spotify:track URI); ordinary tweets with given stress around them, one
  exactly at 10:00Z (not strictly after), one at 11:30:01Z (just past 90 minutes); a link to a
  Spotify track not in the catalogue (unknown_track); a non-music link (an ordinary tweet).
- bob (depression, no offset): an Apple Music link with extra query parameters, written at
  23:30-05:00 (evening as written; night in UTC); an m.soundcloud.com link; a stressed tweet
  without a given score (scored by VADER); one ordinary tweet inside alice's first window.
- carol (anxiety, UTC-300): YouTube links (m.youtube.com with extra params, youtu.be), a Deezer
  link with a language prefix (unlisted tags -> others), an ambiguous track, an untagged track.
- dave (ptsd): no tweets.
Raw ids and ordinary texts carry markers (RAW_MARKERS) that must never reach an output.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

USERS = [
    {"user_id": "alice_raw_id", "group": "control", "utc_offset_minutes": "120"},
    {"user_id": "bob_raw_id", "group": "depression", "utc_offset_minutes": ""},
    {"user_id": "carol_raw_id", "group": "anxiety", "utc_offset_minutes": "-300"},
    {"user_id": "dave_raw_id", "group": "ptsd", "utc_offset_minutes": ""},
]

TRACKS = [
    {
        "url": "https://open.spotify.com/track/AAA111",
        "title": "Song A",
        "artist": "Artist A",
        "genres": "hip hop;Rap",
        "lyrics": "we rise above",
    },
    {
        "url": "https://music.apple.com/us/album/some-album/123?i=456",
        "title": "Song B",
        "artist": "Artist B",
        "genres": "pop;Dance-Pop",
        "lyrics": "dance all night",
    },
    {
        "url": "https://soundcloud.com/artist/song",
        "title": "Song C",
        "artist": "Artist C",
        "genres": "Indie_Rock",
        "lyrics": "loud guitars",
    },
    {
        "url": "https://www.youtube.com/watch?v=XYZ987",
        "title": "Song D",
        "artist": "Artist D",
        "genres": "jazz;soul",
        "lyrics": "",
    },
    {
        "url": "https://www.deezer.com/track/999",
        "title": "Song E",
        "artist": "Artist E",
        "genres": "polka;afro-cuban",
        "lyrics": "oom pah",
    },
    {
        "url": "https://open.spotify.com/track/AMB222",
        "title": "Song F",
        "artist": "Artist F",
        "genres": "pop;rock",
        "lyrics": "both ways",
    },
    {
        "url": "https://soundcloud.com/artist/notags",
        "title": "Song G",
        "artist": "Artist G",
        "genres": "",
        "lyrics": "nothing",
    },
]

TWEETS = [  # tweet_id, user_id, created_at, text, stress
    (
        "rawtweet_01",
        "alice_raw_id",
        "2020-01-01T10:00:00+00:00",
        "now playing https://open.spotify.com/intl-de/track/AAA111?si=abc",
        "",
    ),
    ("rawtweet_02", "alice_raw_id", "2020-01-01T10:00:00+00:00", "zebra same second", "-5"),
    ("rawtweet_03", "alice_raw_id", "2020-01-01T10:30:00+00:00", "zebra half hour", "-4"),
    ("rawtweet_04", "alice_raw_id", "2020-01-01T10:45:00+00:00", "again spotify:track:AAA111", ""),
    ("rawtweet_05", "alice_raw_id", "2020-01-01T11:00:00Z", "zebra an hour", "-2"),
    ("rawtweet_06", "alice_raw_id", "2020-01-01T11:30:00+00:00", "zebra ninety", "-3"),
    ("rawtweet_07", "alice_raw_id", "2020-01-01T11:30:01+00:00", "zebra past it", "-1"),
    ("rawtweet_08", "bob_raw_id", "2020-01-01T10:10:00+00:00", "zebra bob talks", "-5"),
    ("rawtweet_09", "alice_raw_id", "2020-01-01T10:40:00+00:00", "check https://open.spotify.com/track/NOPE", ""),
    ("rawtweet_10", "alice_raw_id", "2020-01-02T10:00:00+00:00", "zebra news https://example.com/story", ""),
    ("rawtweet_11", "alice_raw_id", "2020-01-01T05:00:00+00:00", "early http://open.spotify.com/track/AAA111/", ""),
    (
        "rawtweet_12",
        "bob_raw_id",
        "2020-01-01T23:30:00-05:00",
        "late https://music.apple.com/us/album/some-album/123?uo=4&i=456",
        "",
    ),
    ("rawtweet_13", "bob_raw_id", "2020-01-02T08:00:00Z", "https://m.soundcloud.com/artist/song/", ""),
    (
        "rawtweet_14",
        "carol_raw_id",
        "2020-01-03T20:00:00+00:00",
        "https://m.youtube.com/watch?v=XYZ987&feature=share",
        "",
    ),
    ("rawtweet_15", "carol_raw_id", "2020-01-03T21:00:00+00:00", "again https://youtu.be/XYZ987", ""),
    ("rawtweet_16", "carol_raw_id", "2020-01-03T22:00:00+00:00", "https://www.deezer.com/en/track/999", ""),
    ("rawtweet_17", "carol_raw_id", "2020-01-03T22:10:00+00:00", "https://open.spotify.com/track/AMB222", ""),
    ("rawtweet_18", "carol_raw_id", "2020-01-03T22:20:00+00:00", "https://soundcloud.com/artist/notags", ""),
    (
        "rawtweet_19",
        "bob_raw_id",
        "2020-01-02T09:00:00Z",
        "zebra I am so stressed and anxious, terrible awful horrible day",
        "",
    ),
    ("rawtweet_20", "carol_raw_id", "2020-01-03T20:05:00+00:00", "zebra lovely", "-1"),
]
TWEET_COLUMNS = ["tweet_id", "user_id", "created_at", "text", "stress"]

RAW_MARKERS = [b"_raw_id", b"rawtweet_", b"zebra"]


def frames() -> dict[str, pd.DataFrame]:
    """The fixture's three tables, as string DataFrames (copy and change them freely)."""
    return {
        "users": pd.DataFrame(USERS, dtype=str),
        "tweets": pd.DataFrame(TWEETS, columns=TWEET_COLUMNS, dtype=str),
        "tracks": pd.DataFrame(TRACKS, dtype=str),
    }


def write_raw(folder: Path, tables: dict[str, pd.DataFrame] | None = None, gz: bool = False) -> Path:
    """Write a raw folder (the fixture, or `tables`) to `folder` and return it."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, df in (tables or frames()).items():
        suffix = ".csv.gz" if gz else ".csv"
        df.to_csv(folder / f"{name}{suffix}", index=False, encoding="utf-8")
    return folder
