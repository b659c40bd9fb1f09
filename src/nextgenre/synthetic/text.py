"""Words for the synthetic stand-in data: lyrics, track titles and artists, and ordinary tweets.

Lyrics draw on a word pool per parent genre plus common words, so that a text encoder can
(imperfectly) tell genres apart from lyrics. Ordinary tweets carry their latent stress in their
words: words picked from VADER's own lexicon (negative valence for high stress, positive for
low), mixed with neutral filler words that VADER does not score, so that a VADER-based stress
scorer recovers the stress ordering. Everything is drawn from a seeded numpy Generator.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

GENRE_WORDS = {
    "jazz": [
        "blue",
        "smoke",
        "velvet",
        "saxophone",
        "midnight",
        "lounge",
        "swing",
        "moonlight",
        "whiskey",
        "trumpet",
        "rhythm",
        "brush",
        "cafe",
        "melody",
        "rain",
        "avenue",
        "piano",
        "bass",
        "slow",
        "dance",
        "candle",
        "street",
        "harlem",
        "cigarette",
        "satin",
        "sway",
        "glass",
    ],
    "electronic": [
        "neon",
        "pulse",
        "circuit",
        "laser",
        "signal",
        "frequency",
        "wave",
        "drop",
        "machine",
        "static",
        "voltage",
        "strobe",
        "digital",
        "echo",
        "sync",
        "orbit",
        "chrome",
        "loop",
        "system",
        "glow",
        "motion",
        "warehouse",
        "beam",
        "data",
        "horizon",
    ],
    "hiphop": [
        "block",
        "hustle",
        "crew",
        "money",
        "grind",
        "street",
        "flow",
        "verse",
        "chain",
        "corner",
        "city",
        "mic",
        "beat",
        "bars",
        "hood",
        "check",
        "stack",
        "real",
        "game",
        "rhyme",
        "boss",
        "ride",
        "paper",
        "squad",
        "cipher",
    ],
    "pop": [
        "heart",
        "baby",
        "tonight",
        "dance",
        "forever",
        "kiss",
        "summer",
        "dream",
        "sparkle",
        "party",
        "crush",
        "shine",
        "together",
        "sugar",
        "butterfly",
        "radio",
        "bubble",
        "glitter",
        "candy",
        "wish",
        "starlight",
        "holiday",
        "perfect",
        "sweet",
    ],
    "rock": [
        "thunder",
        "highway",
        "fire",
        "engine",
        "wild",
        "rebel",
        "guitar",
        "scream",
        "stone",
        "road",
        "storm",
        "steel",
        "riot",
        "amp",
        "gasoline",
        "tear",
        "shout",
        "edge",
        "wolves",
        "iron",
        "burn",
        "revolution",
        "asphalt",
        "crow",
    ],
    "others": [
        "river",
        "country",
        "home",
        "porch",
        "mountain",
        "prayer",
        "soul",
        "harvest",
        "dust",
        "wagon",
        "morning",
        "fiddle",
        "valley",
        "church",
        "sun",
        "ocean",
        "village",
        "song",
        "cotton",
        "garden",
        "lantern",
        "breeze",
        "island",
        "saint",
    ],
}

COMMON_LYRIC_WORDS = [
    "i",
    "you",
    "we",
    "the",
    "a",
    "and",
    "in",
    "on",
    "my",
    "your",
    "me",
    "love",
    "time",
    "night",
    "day",
    "way",
    "know",
    "feel",
    "go",
    "come",
    "see",
    "light",
    "life",
    "world",
    "back",
    "down",
    "up",
    "all",
    "now",
    "never",
    "again",
]

ARTIST_PARTS = [
    "nova",
    "luna",
    "kid",
    "echo",
    "mira",
    "sol",
    "jay",
    "rex",
    "ivy",
    "max",
    "zed",
    "cleo",
    "juno",
    "otto",
    "vera",
    "blaze",
    "ash",
    "remy",
    "lux",
    "kai",
    "nico",
    "ruby",
    "sage",
    "theo",
    "wren",
    "yuri",
    "ada",
    "bo",
]
ARTIST_SUFFIX = ("", "", "", " band", " trio", " collective", " and the crew", " quartet")

# Neutral words for ordinary tweets; any that VADER scores (or treats as a negation or
# booster) are removed at load time, so that only the chosen stress words move the score.
FILLER_WORDS = [
    "today",
    "went",
    "to",
    "the",
    "bus",
    "coffee",
    "work",
    "meeting",
    "then",
    "home",
    "later",
    "with",
    "my",
    "sister",
    "brother",
    "train",
    "station",
    "lunch",
    "dinner",
    "after",
    "class",
    "walk",
    "dog",
    "cat",
    "weather",
    "outside",
    "office",
    "laptop",
    "phone",
    "email",
    "kitchen",
    "window",
    "morning",
    "evening",
    "week",
    "monday",
    "friday",
    "store",
    "bought",
    "some",
    "bread",
    "milk",
    "tea",
    "shoes",
    "jacket",
    "traffic",
    "city",
    "park",
    "street",
    "movie",
    "show",
    "episode",
    "book",
    "page",
    "room",
    "desk",
    "chair",
    "car",
    "parking",
    "appointment",
    "doctor",
    "dentist",
    "call",
    "message",
    "reply",
    "plan",
    "trip",
    "weekend",
]


@lru_cache(maxsize=1)
def vader_word_pools() -> dict[str, tuple[str, ...]]:
    """Words from VADER's lexicon by valence, and neutral filler words VADER ignores.

    Pools: strong_negative (mean valence <= -2), mild_negative (-2 < v <= -1),
    mild_positive (1 <= v < 2), strong_positive (v >= 2), filler.
    """
    import vaderSentiment.vaderSentiment as vader

    path = Path(vader.__file__).with_name("vader_lexicon.txt")
    lexicon: dict[str, float] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) >= 2:
            lexicon[parts[0]] = float(parts[1])
    special = set(vader.NEGATE) | set(vader.BOOSTER_DICT) | set(lexicon)
    words = sorted(w for w in lexicon if w.isalpha() and w.isascii() and len(w) >= 3)
    pools = {
        "strong_negative": tuple(w for w in words if lexicon[w] <= -2.0),
        "mild_negative": tuple(w for w in words if -2.0 < lexicon[w] <= -1.0),
        "mild_positive": tuple(w for w in words if 1.0 <= lexicon[w] < 2.0),
        "strong_positive": tuple(w for w in words if lexicon[w] >= 2.0),
        "filler": tuple(w for w in dict.fromkeys(FILLER_WORDS) if w not in special),
    }
    return pools


# Per latent stress level (-1 calm .. -5 very stressed): how many words of each pool a tweet
# gets. The VADER compound score falls monotonically with stress.
STRESS_RECIPES = {
    -1: {"strong_positive": 2, "mild_positive": 1},
    -2: {"mild_positive": 1},
    -3: {},
    -4: {"mild_negative": 2},
    -5: {"strong_negative": 2, "mild_negative": 1},
}


def ordinary_tweets(rng: np.random.Generator, stress: np.ndarray) -> list[str]:
    """One short ordinary tweet per latent stress value (integers -5..-1)."""
    pools = vader_word_pools()
    n = len(stress)
    n_filler = rng.integers(4, 11, size=n)
    texts: list[str] = []
    # Pre-draw pool words per tweet for every pool (vectorised), then assemble.
    draws = {name: rng.integers(0, len(words), size=(n, 3)) for name, words in pools.items() if name != "filler"}
    filler = rng.integers(0, len(pools["filler"]), size=(n, 10))
    order_keys = rng.random((n, 14))
    fill_words = pools["filler"]
    for i in range(n):
        words = [fill_words[j] for j in filler[i, : n_filler[i]]]
        for name, count in STRESS_RECIPES[int(stress[i])].items():
            words.extend(pools[name][j] for j in draws[name][i, :count])
        order = np.argsort(order_keys[i, : len(words)], kind="stable")
        texts.append(" ".join(words[j] for j in order))
    return texts


def lyrics(rng: np.random.Generator, genre: str, share_genre_words: float = 0.45) -> str:
    """A few lines of lyrics: genre-pool words mixed with common words."""
    pool = GENRE_WORDS[genre]
    n_lines = int(rng.integers(4, 9))
    lines = []
    for _ in range(n_lines):
        n_words = int(rng.integers(5, 10))
        from_genre = rng.random(n_words) < share_genre_words
        g = rng.integers(0, len(pool), size=n_words)
        c = rng.integers(0, len(COMMON_LYRIC_WORDS), size=n_words)
        lines.append(" ".join(pool[gi] if fg else COMMON_LYRIC_WORDS[ci] for fg, gi, ci in zip(from_genre, g, c)))
    return "\n".join(lines)


def title(rng: np.random.Generator, genre: str) -> str:
    """A track title of two or three words, mostly from the genre's pool."""
    pool = GENRE_WORDS[genre] + COMMON_LYRIC_WORDS[10:]
    n = int(rng.integers(1, 4))
    return " ".join(pool[i].capitalize() for i in rng.integers(0, len(pool), size=n))


def artist(rng: np.random.Generator) -> str:
    """An artist name such as 'Mira Sol trio'."""
    a, b = rng.integers(0, len(ARTIST_PARTS), size=2)
    suffix = ARTIST_SUFFIX[int(rng.integers(0, len(ARTIST_SUFFIX)))]
    return f"{ARTIST_PARTS[a].capitalize()} {ARTIST_PARTS[b].capitalize()}{suffix}"
