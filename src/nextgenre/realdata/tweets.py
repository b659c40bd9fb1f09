"""One line of the collection -> the fields the import needs, or the field that is wrong.

A line is `<collection time, epoch seconds>,<Twitter API v1.1 tweet JSON>`. From the JSON:
`created_at` (e.g. `Wed Jan 29 23:58:00 +0000 2014`), `text`, `user.id_str`, `user.utc_offset`
(seconds east of UTC, or null), `id_str` (to drop a tweet collected twice) and
`retweeted_status` (present on retweets). Problems are reported by field name, never by value:
tweet texts and ids are personal data.

Every value the import writes must pass the raw schema's rules (nextgenre.rawvalues), so a line
whose value would not is a LineError here: ids are taken as ingest takes them (no surrounding
white space, not empty, text), the offset is a finite number of seconds within +-14 hours, and
a `created_at` outside the times the pipeline computes with is a LineError whose `reason` is
BAD_TIME (counted apart from the other broken lines, BAD_LINE). A line must be UTF-8 text, and a
text longer than MAX_TEXT characters is no tweet (a tweet has at most 280, HTML-escaped).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime

from nextgenre.rawvalues import MAX_UTC_OFFSET, TIME_RANGE_TEXT, clean_id, offset_in_range, time_in_range

BAD_LINE, BAD_TIME = "bad_line", "bad_time"
MAX_TEXT = 2000  # characters
_PREFIX = re.compile(rb"^\s*[0-9]+(?:\.[0-9]+)?\s*,")
TWITTER_TIME = "%a %b %d %H:%M:%S %z %Y"


class LineError(ValueError):
    """A line that does not fit `<number>,<tweet JSON>`; `field` names what is wrong."""

    def __init__(self, field: str, problem: str, reason: str = BAD_LINE):
        self.field, self.problem, self.reason = field, problem, reason
        super().__init__(f"{field}: {problem}")


@dataclass
class Tweet:
    tweet_id: str
    user_id: str
    created_at: datetime  # timezone-aware
    utc_offset_minutes: int | None
    text: str
    retweet: bool


def parse_line(line: bytes) -> Tweet:
    """The tweet of one line; LineError naming the field when the line does not fit."""
    prefix = _PREFIX.match(line)
    if prefix is None:
        raise LineError("collection time", "the line does not start with `<number>,`")
    try:
        body = line[prefix.end() :].decode("utf-8")
    except UnicodeDecodeError:
        raise LineError("encoding", "bytes that are not UTF-8") from None
    try:
        tweet = json.loads(body)
    except (ValueError, RecursionError):
        raise LineError("tweet JSON", "not valid JSON after the collection time") from None
    if not isinstance(tweet, dict):
        raise LineError("tweet JSON", "not a JSON object")
    user = tweet.get("user")
    if not isinstance(user, dict):
        raise LineError("user", "missing or not an object")
    user_id = _id(user.get("id_str"), "user.id_str")
    created = tweet.get("created_at")
    if not isinstance(created, str):
        raise LineError("created_at", "missing")
    try:
        created_at = datetime.strptime(created, TWITTER_TIME)
    except ValueError:
        raise LineError("created_at", "not a Twitter time such as `Wed Jan 29 23:58:00 +0000 2014`") from None
    text = tweet.get("text")
    if not isinstance(text, str):
        raise LineError("text", "missing")
    if len(text) > MAX_TEXT:
        raise LineError("text", f"longer than {MAX_TEXT} characters (a tweet has at most 280)")
    offset = user.get("utc_offset")
    if offset is not None and not _is_offset(offset):
        raise LineError("user.utc_offset", f"not a number of seconds within +-{MAX_UTC_OFFSET // 60} hours")
    tweet_id = _id(tweet.get("id_str"), "id_str")
    if not time_in_range(created_at):
        raise LineError("created_at", f"outside {TIME_RANGE_TEXT}, the times the pipeline computes with", BAD_TIME)
    return Tweet(
        tweet_id,
        user_id,
        created_at,
        None if offset is None else int(round(offset / 60)),
        text,
        tweet.get("retweeted_status") is not None,
    )


def _is_offset(value) -> bool:
    """Whether a JSON value is a UTC offset in seconds that the raw schema accepts."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return offset_in_range(value / 60)
    except OverflowError:  # an integer too large for a float
        return False


def _id(value, field: str) -> str:
    """An id as the raw schema reads it (nextgenre.rawvalues.clean_id), or a LineError."""
    cleaned = clean_id(value) if isinstance(value, str) else None
    if cleaned is None:
        raise LineError(field, "missing, empty or not text")
    return cleaned
