import pytest

from nextgenre.links import find_links, is_music_link, normalize

SPOTIFY = "open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC"


@pytest.mark.parametrize(
    "link",
    [
        "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC",
        "http://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC/",
        "https://OPEN.Spotify.com/track/4uLU6hMCjMI75M1A2tKUQC?si=abc123&utm_source=x",
        "https://open.spotify.com/intl-de/track/4uLU6hMCjMI75M1A2tKUQC",
        "https://www.open.spotify.com/intl-pt-br/track/4uLU6hMCjMI75M1A2tKUQC",
        "spotify:track:4uLU6hMCjMI75M1A2tKUQC",
        "open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC",
    ],
)
def test_spotify_forms_are_one_track(link):
    assert normalize(link) == SPOTIFY


def test_path_case_is_kept():
    assert normalize("https://open.spotify.com/track/AbC") != normalize("https://open.spotify.com/track/abc")


@pytest.mark.parametrize(
    "link, expected",
    [
        ("https://music.apple.com/us/album/x/123?i=456&uo=4", "music.apple.com/us/album/x/123?i=456"),
        ("https://music.apple.com/us/album/x/123?uo=4", "music.apple.com/us/album/x/123"),
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ&feature=share&t=3", "youtube.com/watch?v=dQw4w9WgXcQ"),
        ("https://m.youtube.com/watch?v=dQw4w9WgXcQ", "youtube.com/watch?v=dQw4w9WgXcQ"),
        ("https://youtu.be/dQw4w9WgXcQ", "youtube.com/watch?v=dQw4w9WgXcQ"),
        ("https://music.youtube.com/watch?v=abc&list=RD", "music.youtube.com/watch?v=abc"),
        ("https://m.soundcloud.com/artist/song/?in=x", "soundcloud.com/artist/song"),
        ("https://www.deezer.com/en/track/999", "deezer.com/track/999"),
        ("https://www.deezer.com/track/999", "deezer.com/track/999"),
    ],
)
def test_platform_forms(link, expected):
    assert normalize(link) == expected
    assert is_music_link(normalize(link))


def test_non_music_links():
    assert not is_music_link(normalize("https://example.com/news?id=3"))
    assert not is_music_link(normalize("https://notspotify.com/track/1"))
    assert is_music_link(normalize("https://open.spotify.com/album/1"))


def test_not_a_link():
    assert normalize("hello") is None
    assert normalize("") is None


def test_find_links_strips_trailing_punctuation():
    text = "listen: https://open.spotify.com/track/A1!, also (www.youtube.com/watch?v=b2). spotify:track:C3"
    assert find_links(text) == ["https://open.spotify.com/track/A1", "www.youtube.com/watch?v=b2", "spotify:track:C3"]
