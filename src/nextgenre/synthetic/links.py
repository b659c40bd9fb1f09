"""Music-platform links for the synthetic stand-in data.

Each track has one canonical url (written to tracks.csv); tweets share it in one of several
surface forms that the ingest link normaliser must map back onto the canonical url: tracking
query parameters (`?si=`, `utm_source=`, `feature=share`), a trailing slash, an uppercase
host, `http://`, `www.`/`m.` host prefixes, Spotify's `spotify:track:ID` URI and `/intl-xx/`
path prefix, and Apple Music / YouTube query parameters in another order.
"""

from __future__ import annotations

import numpy as np

PLATFORMS = ("spotify", "apple", "soundcloud", "youtube", "deezer")
PLATFORM_WEIGHTS = (0.45, 0.2, 0.1, 0.15, 0.1)

_B62 = np.array(list("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"))
_YT = np.array(list("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_"))
_HEX = np.array(list("0123456789abcdef"))


def _codes(rng: np.random.Generator, alphabet: np.ndarray, n: int, length: int) -> list[str]:
    idx = rng.integers(0, len(alphabet), size=(n, length))
    return ["".join(row) for row in alphabet[idx]]


def _slug(text: str) -> str:
    return "-".join("".join(c for c in word.lower() if c.isalnum()) for word in text.split())


def canonical_urls(rng: np.random.Generator, platforms: np.ndarray, titles: list[str], artists: list[str]) -> list[str]:
    """One canonical url per track (platform index per track); all distinct."""
    n = len(platforms)
    spotify = _codes(rng, _B62, n, 22)
    youtube = _codes(rng, _YT, n, 11)
    numbers = 10_000_000 + rng.choice(90_000_000, size=n, replace=False)
    albums = rng.integers(1_000_000_000, 1_999_999_999, size=n)
    urls = []
    for i, p in enumerate(platforms):
        name = PLATFORMS[p]
        if name == "spotify":
            urls.append(f"https://open.spotify.com/track/{spotify[i]}")
        elif name == "apple":
            urls.append(f"https://music.apple.com/us/album/{_slug(titles[i]) or 'track'}/{albums[i]}?i={numbers[i]}")
        elif name == "soundcloud":
            urls.append(f"https://soundcloud.com/{_slug(artists[i])}/{_slug(titles[i])}-{numbers[i]}")
        elif name == "youtube":
            urls.append(f"https://music.youtube.com/watch?v={youtube[i]}")
        else:
            urls.append(f"https://www.deezer.com/track/{numbers[i]}")
    return urls


def _upper_host(url: str) -> str:
    scheme, rest = url.split("://", 1)
    host, _, path = rest.partition("/")
    return f"{scheme}://{host.upper()}/{path}"


def _with_query(url: str, extra: str) -> str:
    return url + ("&" if "?" in url else "?") + extra


def surface_forms(url: str, platform: str, token: str) -> list[str]:
    """The ways a tweet may write the canonical `url`; the first is the url itself.

    `token` is a random lowercase hex string used as a tracking-parameter value.
    """
    forms = [url, _upper_host(url), url.replace("https://", "http://", 1)]
    if platform == "spotify":
        track_id = url.rsplit("/", 1)[1]
        forms += [
            _with_query(url, f"si={token}"),
            f"spotify:track:{track_id}",
            url.replace(".com/track/", ".com/intl-de/track/") + f"?si={token}",
            url + "/",
        ]
    elif platform == "apple":
        base, _, query = url.partition("?")
        forms += [_with_query(url, "uo=4"), f"{base}?ls=1&{query}", url.replace("https://", "https://www.", 1)]
    elif platform == "soundcloud":
        forms += [
            url.replace("://", "://m.", 1),
            _with_query(url, "utm_source=clipboard&utm_medium=text&utm_campaign=social_sharing"),
            url + "/",
            url.replace("://", "://www.", 1),
        ]
    elif platform == "youtube":
        base, _, query = url.partition("?")
        forms += [_with_query(url, "feature=share"), f"{base}?feature=share&{query}", _with_query(url, f"si={token}")]
    else:  # deezer
        number = url.rsplit("/", 1)[1]
        forms += [
            url.replace("www.", "", 1),
            url + "/",
            _with_query(url, f"utm_source=deezer&utm_content=track-{number}&utm_medium=share"),
        ]
    return forms


def shared_links(
    rng: np.random.Generator, urls: list[str], platforms: list[int], plain_share: float = 0.5
) -> list[str]:
    """How each share writes its track's url: the canonical form with probability
    `plain_share`, else one of the other surface forms at random."""
    n = len(urls)
    plain = rng.random(n) < plain_share
    picks = rng.random(n)
    tokens = _codes(rng, _HEX, n, 16)
    out = []
    for i in range(n):
        if plain[i]:
            out.append(urls[i])
            continue
        forms = surface_forms(urls[i], PLATFORMS[platforms[i]], tokens[i])[1:]
        out.append(forms[int(picks[i] * len(forms))])
    return out
