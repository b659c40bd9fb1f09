"""Whatever the importer accepts, ingest accepts (issue 31): a property test (hypothesis,
derandomised) over archives of valid listening tweets with random damage.

Each example is an archive of made-up tweets (tests/realdata_fixtures.py) in which a few lines
carry damage to one field each: a value of another JSON type, control characters, line and
paragraph separators, bidi marks, lone surrogates, huge numbers and texts, times at and past the
edges of the range the pipeline computes with, offsets at and past +-14 hours; or damage to the
line itself (bytes that are not UTF-8, a cut line, a missing prefix); and sometimes one byte of
the archive file flipped. The property:
- the import either stops with one NextgenreError (one line, no traceback), or it writes a raw
  folder that ingest's reader (nextgenre.schema.read_raw) accepts with exactly the rows written;
- every line is a session or counted under one drop reason;
- no planted tweet text, handle or id reaches any file of the raw folder.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nextgenre.errors import NextgenreError
from nextgenre.realdata.importer import import_archives, write_raw
from nextgenre.schema import read_raw
from tests.realdata_fixtures import TRACKS, lastfm_text, write_members, write_table

KEY = b"property-test-key"
USERS, PER_USER = 4, 5
PLANTED = ("PlantedUser", "PlantedTweet", "PlantedHandle", "PlantedText")
SETTINGS = dict(
    derandomize=True,
    deadline=None,
    max_examples=120,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def valid_tweet(n: int) -> dict:
    title, artist = TRACKS[n % 5]  # the first five tracks: artists with genres
    return {
        "id_str": f"PlantedTweet{n:04d}",
        "created_at": f"Wed Jan 29 {10 + n // 60:02d}:{n % 60:02d}:00 +0000 2014",
        "text": lastfm_text(title, artist).replace("abc123", "PlantedText"),
        "user": {"id_str": f"PlantedUser{n % USERS}", "screen_name": "PlantedHandle", "utc_offset": 3600},
    }


def twitter_time(year: int, hours: int, minutes: int) -> str:
    sign = "+" if hours >= 0 else "-"
    return f"Mon Jan 01 00:00:00 {sign}{abs(hours):02d}{minutes:02d} {year:04d}"


STRINGS = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "\x1b[31m",
        "\r",
        "\u2028",
        "\u2029",
        "\u202e",
        "\u200f",
        "\ud800",
        "\udfff",
        "x" * 5000,
        " " * 3000,
        "I'm listening to " + " " * 1500 + "x",
        "é\u0301",
        "🎵",
    ]
) | st.text(max_size=40)
NUMBERS = (
    st.sampled_from([0, -1, 10**30, -(10**30), 2**63, 10**400, 1e308, -1e308, math.inf, -math.inf, math.nan, 0.5, -0.0])
    | st.integers()
)
TIMES = st.builds(
    twitter_time,
    st.sampled_from([1, 1899, 1900, 1901, 2014, 2190, 2191, 2192, 9999]),
    st.integers(-23, 23),
    st.sampled_from([0, 30, 59]),
)
OFFSETS = st.sampled_from([14 * 3600, 14 * 3600 + 1, -14 * 3600, -14 * 3600 - 60, 14 * 3600 + 30, 86400]) | NUMBERS
ANY = st.none() | st.booleans() | NUMBERS | STRINGS | st.lists(st.integers(), max_size=2) | st.just({"a": 1})
FIELDS = {
    "created_at": TIMES | ANY,
    "text": STRINGS | ANY,
    "id_str": STRINGS | ANY,
    "user": ANY,
    "user.id_str": STRINGS | ANY,
    "user.utc_offset": OFFSETS | ANY,
    "retweeted_status": ANY,
}
LINE_DAMAGE = ("not utf-8", "cut", "no prefix", "raw separators", "surrogate bytes")


@st.composite
def damaged_lines(draw) -> list[bytes]:
    n = USERS * PER_USER
    tweets = [valid_tweet(i) for i in range(n)]
    damage = draw(st.dictionaries(st.integers(0, n - 1), st.sampled_from([*FIELDS, *LINE_DAMAGE]), max_size=3))
    lines = []
    for i, tweet in enumerate(tweets):
        kind = damage.get(i)
        if kind in FIELDS:
            value = draw(FIELDS[kind])
            if kind.startswith("user."):
                tweet["user"][kind[5:]] = value
            else:
                tweet[kind] = value
        ensure_ascii = kind != "raw separators" and kind != "surrogate bytes"
        text = json.dumps(tweet, ensure_ascii=ensure_ascii)
        line = ("1391000000," + text).encode("utf-8", "surrogatepass")
        if kind == "raw separators":
            line = line.replace(b"Blue", "Bl\u2028ue\u202e".encode())
        elif kind == "surrogate bytes":
            line = line.replace(b"Blue", "Bl\ud800ue".encode("utf-8", "surrogatepass"))
        elif kind == "not utf-8":
            line = line.replace(b"Blue", b"Bl\xe9ue")
        elif kind == "cut":
            line = line[: draw(st.integers(0, len(line) - 1))]
        elif kind == "no prefix":
            line = text.encode()
        lines.append(line)
    return lines


@given(
    lines=damaged_lines(),
    flip=st.none() | st.tuples(st.floats(0, 1, exclude_max=True), st.integers(1, 255)),
    max_bad_share=st.sampled_from([0.0, 0.1, 0.5]),
)
@settings(**SETTINGS)
def test_whatever_the_importer_accepts_ingest_accepts(tmp_path_factory, lines, flip, max_bad_share):
    tmp = tmp_path_factory.mktemp("prop")
    archive = write_members(tmp / "a.7z", [("tweets.json", b"\n".join(lines) + b"\n")])
    if flip is not None:
        data = bytearray(archive.read_bytes())
        data[int(flip[0] * len(data))] ^= flip[1]
        archive.write_bytes(bytes(data))
    table = write_table(tmp / "g.csv")
    try:
        imported = import_archives([archive], table, KEY, max_bad_share=max_bad_share)
    except NextgenreError as exc:  # a clean refusal: one line, nothing planted in it
        message = str(exc)
        assert "\n" not in message and not any(p in message for p in PLANTED)
        return
    m = imported.metrics
    assert m["sessions"] + sum(m["dropped"].values()) == m["lines"]
    raw = tmp / "raw"
    raw.mkdir()
    write_raw(imported, raw)
    checked = read_raw(raw)  # raises RawDataError (failing the test) if ingest would refuse it
    assert len(checked.users) == len(imported.users) == m["users"]
    assert len(checked.tweets) == len(imported.tweets) == m["sessions"]
    assert len(checked.tracks) == len(imported.tracks) == m["tracks"]
    written = b"".join(p.read_bytes() for p in Path(raw).iterdir())
    assert not any(p.encode() in written for p in PLANTED)
