"""Links in tweet text: find them, and normalise them so that one track has one key.

A normalised link is `host/path` (no scheme), with
- the host lowercased, without a leading `www.` or `m.`, and without a port;
- the path without a trailing slash; letter case of the path kept (track ids are case-sensitive);
- the query dropped, except the parameters that identify a track: Apple Music's `i`
  (a song inside an album page) and YouTube's `v` (the video);
- `spotify:track:ID` read as `open.spotify.com/track/ID`, and Spotify's `/intl-xx/` path
  prefix dropped (`open.spotify.com/intl-de/track/ID` is `open.spotify.com/track/ID`);
- Deezer's language prefix dropped (`deezer.com/en/track/1` is `deezer.com/track/1`);
- `youtu.be/ID` read as `youtube.com/watch?v=ID`.

A link has a host name made of letters, digits, `-` and dots (so `https://%00.com/x` is not a
link). A catalogue url must also start as links in tweets do (`starts_as_link`): with http://,
https://, www. or spotify:track:.

A *music-platform link* is a link to Spotify, Apple Music (or iTunes), SoundCloud,
YouTube / YouTube Music, or Deezer.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit

# Links as they appear in tweets: with a scheme, starting with www., or Spotify URIs. A link
# ends at white space, a quote, <, > or a control character (none can be part of a URL).
LINK_PATTERN = r"(?:https?://|www\.)[^\s<>\"'\x00-\x1f\x7f]+|spotify:track:[A-Za-z0-9]+"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_EDGES = re.compile(r"^[\s\x00-\x1f\x7f]+|[\s\x00-\x1f\x7f]+$")  # white space, control chars
_LINK_RE = re.compile(LINK_PATTERN, re.IGNORECASE)
_TRAILING_PUNCTUATION = ".,;:!?)]}'\"…"
_HOST = re.compile(r"[\w-]+(?:\.[\w-]+)+")  # letters (any script), digits, -, _; two labels or more
_LINK_START = re.compile(r"(?:https?://|www\.|spotify:track:)", re.IGNORECASE)

# Registered domains of the music platforms; subdomains count too (open.spotify.com).
MUSIC_DOMAINS = (
    "spotify.com",
    "spotify.link",
    "music.apple.com",
    "itunes.apple.com",
    "soundcloud.com",
    "soundcloud.app.goo.gl",
    "youtube.com",
    "youtu.be",
    "deezer.com",
    "deezer.page.link",
)

# Query parameters that identify a track, per host; every other parameter is dropped.
TRACK_PARAMS = {
    "music.apple.com": ("i",),
    "itunes.apple.com": ("i",),
    "youtube.com": ("v",),
    "music.youtube.com": ("v",),
}

_SPOTIFY_INTL = re.compile(r"^/intl-[a-z]{2}(?:-[a-z]{2})?(?=/)", re.IGNORECASE)
_DEEZER_LANG = re.compile(r"^/[a-z]{2}(?:-[a-z]{2})?(?=/(?:track|album|playlist|artist)/)", re.IGNORECASE)


def find_links(text: str) -> list[str]:
    """The links in a text, in order of appearance, trailing punctuation removed."""
    return [link.rstrip(_TRAILING_PUNCTUATION) for link in _LINK_RE.findall(text)]


def _host(netloc: str) -> str:
    host = netloc.rsplit("@", 1)[-1].split(":", 1)[0].lower().rstrip(".")
    for prefix in ("www.", "m."):
        if host.startswith(prefix):
            host = host[len(prefix) :]
    return host


def normalize(link: str) -> str | None:
    """The normalised form of a link (see the module docstring); None if it is not a link."""
    link = _EDGES.sub("", link).rstrip(_TRAILING_PUNCTUATION)
    if _CONTROL.search(link):  # inside a link: not a link
        return None
    uri = re.fullmatch(r"spotify:track:([A-Za-z0-9]+)", link, re.IGNORECASE)
    if uri:
        return f"open.spotify.com/track/{uri.group(1)}"
    if not re.match(r"https?://", link, re.IGNORECASE):
        link = "http://" + link
    try:
        parts = urlsplit(link)
    except ValueError:
        return None
    host = _host(parts.netloc)
    if not _HOST.fullmatch(host):
        return None
    path = parts.path.rstrip("/")
    if host.endswith("spotify.com"):
        path = _SPOTIFY_INTL.sub("", path)
    elif host.endswith("deezer.com"):
        path = _DEEZER_LANG.sub("", path)
    elif host == "youtu.be" and path.strip("/"):
        host, parts = "youtube.com", parts._replace(query=urlencode({"v": path.strip("/")}))
        path = "/watch"
    keep = TRACK_PARAMS.get(host, ())
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=False) if k in keep]
    query.sort()
    return host + path + ("?" + urlencode(query) if query else "")


def starts_as_link(text: str) -> bool:
    """Whether a text, without surrounding white space, starts as a link in a tweet does."""
    return _LINK_START.match(_EDGES.sub("", text)) is not None


def is_music_link(normalized: str) -> bool:
    """Whether a normalised link points at one of the music platforms."""
    host = normalized.split("/", 1)[0]
    return any(host == d or host.endswith("." + d) for d in MUSIC_DOMAINS)
