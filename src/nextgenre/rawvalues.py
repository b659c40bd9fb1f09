"""The values the raw schema accepts (README "Raw schema"): the one place that defines them.

`nextgenre.schema` checks a raw folder against these rules (vectorised, over whole columns), and
the importer of the public tweet archives (`nextgenre.realdata`) drops every line whose value
would break one of them, so whatever it writes, ingest reads:
- times: from 1900-01-01T00:00:00Z up to, not including, 2192-01-01T00:00:00Z (TIME_RANGE);
- UTC offsets of users: whole minutes in [-840, 840] (UTC-14:00 .. UTC+14:00);
- ids (user_id, tweet_id): the text without surrounding white space, not empty;
- texts: characters that UTF-8 can encode (no lone surrogates), as every raw file is UTF-8;
- links of tracks (tracks.csv `url`): nextgenre.links.starts_as_link and normalize.
"""

from __future__ import annotations

import math
from datetime import datetime

import pandas as pd

from nextgenre.links import normalize, starts_as_link

# The times the pipeline computes with (UTC, end exclusive). Times are int64 nanoseconds; the
# local time adds an offset (under 24 h), a stress window adds up to 90 minutes, and features
# subtract times of one user: all of that stays inside int64 when any two times are less than
# 2**63 ns (292 years) apart, as in this range.
TIME_RANGE = (pd.Timestamp("1900-01-01", tz="UTC"), pd.Timestamp("2192-01-01", tz="UTC"))
TIME_RANGE_TEXT = "1900-01-01T00:00:00Z .. 2191-12-31T23:59:59Z"
_TIME_RANGE_PY = tuple(t.to_pydatetime() for t in TIME_RANGE)
MAX_UTC_OFFSET = 840  # minutes: UTC-14:00 .. UTC+14:00


def time_in_range(moment: datetime) -> bool:
    """Whether a timezone-aware time lies in TIME_RANGE (compared in UTC, whatever its offset)."""
    return _TIME_RANGE_PY[0] <= moment < _TIME_RANGE_PY[1]


def offset_in_range(minutes: float) -> bool:
    """Whether a UTC offset, in minutes, is a finite number within +-14 hours."""
    return math.isfinite(minutes) and abs(minutes) <= MAX_UTC_OFFSET


def is_text(value: str) -> bool:
    """Whether every character of `value` can be written as UTF-8 (no lone surrogates)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def clean_id(value: str) -> str | None:
    """The id as the raw schema reads it (surrounding white space is not part of it), or None
    when that is empty or not text."""
    value = value.strip()
    return value if value and is_text(value) else None


def is_link(url: str) -> bool:
    """Whether `url` is a track link that tracks.csv accepts."""
    return is_text(url) and starts_as_link(url) and normalize(url) is not None
