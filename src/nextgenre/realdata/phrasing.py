"""Title and artist from the text of a "now listening" tweet, for every service's phrasing.

The phrasings (upstream README's search queries, and the services' share buttons of 2014):
- Last.fm: `I'm listening to TITLE by ARTIST <link to the user's profile> via @lastfm`
  (apostrophe ' or ’, any letter case, text before or after it);
- Pandora: `I'm listening to "TITLE" by ARTIST on Pandora <link> #pandora` (also "I am";
  quotes optional, a line break may come before the hashtag);
- Spotify: `#NowPlaying TITLE by ARTIST on #Spotify <link>`, `#nowplaying ARTIST – TITLE on
  Spotify <link>` (en dash, em dash or hyphen between spaces), or `I'm listening to TITLE by
  ARTIST on #Spotify`;
- MyJam: a tweet with a `thisismyjam.com` link: `TITLE by ARTIST` or `ARTIST – TITLE`, after an
  optional `My new jam:`-style prefix or `#nowplaying`, quotes optional.

`by` splits title from artist; a title may hold " by " too ("Stand by Me by ..."), so every split
is offered, the last " by " first, and the importer takes the first whose artist it can match.
Text is HTML-unescaped first (the API sends `&amp;`). Nothing here logs or keeps the text.
"""

from __future__ import annotations

import html
import re

SERVICES = ("lastfm", "pandora", "spotify", "myjam")

_APOSTROPHE = r"['’‘`´]"
_LINK = r"(?:https?://|www\.)\S+"
# The body starts and ends with a character that is not white space, so that white space
# around it has one way to match: a text with long runs of it cannot make a search slow.
_BODY = r"(?P<body>\S(?:.*?\S)??)"
_LASTFM = re.compile(
    rf"i{_APOSTROPHE}m listening to\s+{_BODY}(?:\s+{_LINK})*\s+via @lastfm\b", re.IGNORECASE | re.DOTALL
)
_I_AM = rf"i(?:{_APOSTROPHE}m| am)"
_PANDORA = re.compile(rf"{_I_AM} listening to\s+{_BODY}\s+on #?pandora\b", re.IGNORECASE | re.DOTALL)
_SPOTIFY = re.compile(
    rf"(?:#now ?playing:?|{_I_AM} listening to)\s+{_BODY}\s+on #?spotify\b", re.IGNORECASE | re.DOTALL
)
_MYJAM_HOST = re.compile(r"thisismyjam\.com", re.IGNORECASE)
_MYJAM_PREFIX = re.compile(r"^(?:(?:my\s+)?(?:new\s+)?jam\s*:|#now ?playing:?|now playing:?)\s*", re.IGNORECASE)
_BY = re.compile(r"\s+by\s+", re.IGNORECASE)
_DASH = re.compile(r"\s+[–—-]\s+")
_QUOTES = "\"'“”‘’«»「」"


def _clean(part: str) -> str:
    return re.sub(r"\s+", " ", part).strip().strip(_QUOTES).strip()


def by_splits(body: str) -> list[tuple[str, str]]:
    """(title, artist) for each " by " in `body`, the last one first; empty parts are skipped."""
    cuts = list(_BY.finditer(body))
    out = []
    for cut in reversed(cuts):
        title, artist = _clean(body[: cut.start()]), _clean(body[cut.end() :])
        if title and artist:
            out.append((title, artist))
    return out


def dash_split(body: str) -> list[tuple[str, str]]:
    """(title, artist) of `ARTIST – TITLE` (the first dash between spaces)."""
    parts = _DASH.split(body, maxsplit=1)
    if len(parts) == 2 and _clean(parts[0]) and _clean(parts[1]):
        return [(_clean(parts[1]), _clean(parts[0]))]
    return []


def _body_candidates(body: str) -> list[tuple[str, str]]:
    return by_splits(body) or dash_split(body)


def parse_listen(text: str) -> tuple[str, list[tuple[str, str]]] | None:
    """(service, [(title, artist), ...]) of a listening tweet, or None when no phrasing fits."""
    text = html.unescape(text)
    for service, pattern in (("lastfm", _LASTFM), ("pandora", _PANDORA), ("spotify", _SPOTIFY)):
        match = pattern.search(text)
        if match:
            candidates = _body_candidates(match.group("body"))
            return (service, candidates) if candidates else None
    if _MYJAM_HOST.search(text):
        body = re.sub(_LINK, " ", text)
        body = re.sub(r"(?:^|\s)#\w+\s*$", " ", body.strip())  # a trailing hashtag
        body = _MYJAM_PREFIX.sub("", body.strip())
        candidates = _body_candidates(body.strip())
        return ("myjam", candidates) if candidates else None
    return None
