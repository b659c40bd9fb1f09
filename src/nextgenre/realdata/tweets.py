"""One line of the collection -> the fields the import needs, or the field that is wrong.

A line is `<collection time, epoch seconds>,<Twitter API v1.1 tweet JSON>`. From the JSON:
`created_at` (e.g. `Wed Jan 29 23:58:00 +0000 2014`), `text`, `user.id_str`, `user.utc_offset`
(seconds east of UTC, or null), `id_str` (to drop a tweet collected twice) and
`retweeted_status` (present on retweets). Problems are reported by field name, never by value:
tweet texts and ids are personal data.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime

_PREFIX = re.compile(rb"^\s*[0-9]+(?:\.[0-9]+)?\s*,")
TWITTER_TIME = "%a %b %d %H:%M:%S %z %Y"


class LineError(ValueError):
    """A line that does not fit `<number>,<tweet JSON>`; `field` names what is wrong."""

    def __init__(self, field: str, problem: str):
        self.field, self.problem = field, problem
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
        tweet = json.loads(line[prefix.end() :])
    except (ValueError, RecursionError):
        raise LineError("tweet JSON", "not valid JSON after the collection time") from None
    if not isinstance(tweet, dict):
        raise LineError("tweet JSON", "not a JSON object")
    user = tweet.get("user")
    if not isinstance(user, dict):
        raise LineError("user", "missing or not an object")
    user_id = user.get("id_str")
    if not isinstance(user_id, str) or not user_id:
        raise LineError("user.id_str", "missing or empty")
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
    offset = user.get("utc_offset")
    if offset is not None and (
        isinstance(offset, bool) or not isinstance(offset, (int, float)) or abs(offset) > 14 * 3600
    ):
        raise LineError("user.utc_offset", "not a number of seconds within +-14 hours")
    tweet_id = tweet.get("id_str")
    if not isinstance(tweet_id, str) or not tweet_id:
        raise LineError("id_str", "missing or empty")
    return Tweet(
        tweet_id,
        user_id,
        created_at,
        None if offset is None else int(round(offset / 60)),
        text,
        tweet.get("retweeted_status") is not None,
    )
