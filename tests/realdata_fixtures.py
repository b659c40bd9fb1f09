"""Made-up listening tweets and archives for the realdata tests (no real tweet text)."""

from __future__ import annotations

import json
from pathlib import Path

import py7zr

GENRE_TABLE = """artists,popularity,genres
The Paper Lanterns,40,"['indie rock', 'modern rock']"
Señora Volt,30,"['electro house', 'edm']"
MC Fictional,50,"['southern hip hop', 'trap']"
Glass Harbour,20,"['dance pop', 'pop rap', 'rap']"
Quiet Quartet,10,"['cool jazz']"
Nobody Knows,5,[]
Mellow Band,15,"['mellow gold', 'soft rock']"
"""

# (title, artist) of made-up tracks; the artist names are the table's, spelled as tweets do.
TRACKS = [
    ("Blue Window", "Paper Lanterns"),
    ("Night Drive", "Senora Volt"),
    ("Loud Streets", "MC Fictional feat. Someone Else"),
    ("Stand By The Door", "The Paper Lanterns"),
    ("Slow Blues", "Quiet Quartet"),
    ("Unknown Song", "Nobody Knows"),
]


def lastfm_text(title: str, artist: str) -> str:
    return f"I’m listening to {title} by {artist} http://t.co/abc123 via @lastfm"


def tweet_json(
    n: int, user: str, text: str, minute: int = 0, offset: int | None = 3600, retweet: bool = False, drop: tuple = ()
) -> str:
    """A tweet's JSON; the top-level fields in `drop` left out."""
    tweet = {
        "id_str": f"9{n:06d}",
        "created_at": f"Wed Jan 29 {10 + minute // 60:02d}:{minute % 60:02d}:00 +0000 2014",
        "text": text,
        "lang": "en",
        "user": {"id_str": user, "utc_offset": offset},
    }
    if retweet:
        tweet["retweeted_status"] = {"id_str": "1"}
    for key in drop:
        tweet.pop(key)
    return json.dumps(tweet)


def good_lines(n_users: int = 4, per_user: int = 6) -> list[str]:
    lines, n = [], 0
    for u in range(n_users):
        for i in range(per_user):
            title, artist = TRACKS[(u + i) % len(TRACKS)]
            lines.append(f"1391000000,{tweet_json(n, f'10{u}', lastfm_text(title, artist), minute=10 * i)}")
            n += 1
    return lines


def write_archive(path: Path, lines: list[str], name: str = "tweets.json") -> Path:
    with py7zr.SevenZipFile(path, "w") as archive:
        archive.writestr("\n".join(lines) + "\n", name)
    return path


def write_table(path: Path, text: str = GENRE_TABLE) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def write_members(path: Path, members: list[tuple[str, bytes]]) -> Path:
    """An archive of the given (name, bytes) members, in that order; names are not checked, so
    that a test can plant an unsafe one (py7zr's public writestr refuses them)."""
    with py7zr.SevenZipFile(path, "w") as archive:
        for name, data in members:
            archive._writestr(data, name)
    return path
