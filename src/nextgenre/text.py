"""Cleaning lyrics before they are encoded, as the paper did: stop-word removal, lemmatisation
and stemming, each switchable. Everything here works offline (no NLTK corpus downloads).

The steps, in this order:

1. decode and normalise: bytes are read as UTF-8 (bad bytes replaced), None/NaN become "",
   the text is NFKC-normalised, lowercased, and characters that cannot be written as UTF-8
   (lone surrogates) are dropped;
2. tokenise: words are runs of letters/digits, with inner apostrophes kept ("don't");
3. stop words: words in scikit-learn's ENGLISH_STOP_WORDS are removed (a word with an
   apostrophe is also removed when its part before the apostrophe is a stop word: "i'm");
4. lemmatise: simplemma's English dictionary (e.g. "dogs" -> "dog", "was" -> "be");
5. stem: NLTK's Snowball (Porter2) English stemmer (e.g. "running" -> "run").

The words are joined with single spaces. `max_words` keeps only the first words after stop-word
removal, so that a huge text costs little (the encoder truncates long texts anyway).
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata

import simplemma
from nltk.stem.snowball import SnowballStemmer
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

STOP_WORDS = frozenset(ENGLISH_STOP_WORDS)
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})
_STEMMER = SnowballStemmer("english")


def to_text(value) -> str:
    """Any lyrics cell as a clean Python string: bytes decoded as UTF-8, None/NaN as ""."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, (bytes, bytearray)):
        value = bytes(value).decode("utf-8", errors="replace")
    text = str(value)
    # Lone surrogates (from badly decoded input) cannot be encoded: drop them.
    text = text.encode("utf-8", errors="ignore").decode("utf-8")
    return unicodedata.normalize("NFKC", text)


def tokenize(text) -> list[str]:
    """Lowercased words of a text (letters and digits, inner apostrophes kept)."""
    return _WORD.findall(to_text(text).lower().translate(_APOSTROPHES))


def is_stop_word(word: str) -> bool:
    return word in STOP_WORDS or word.split("'", 1)[0] in STOP_WORDS


@functools.lru_cache(maxsize=200_000)
def lemmatize(word: str) -> str:
    return simplemma.lemmatize(word, lang="en").lower()


@functools.lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    return _STEMMER.stem(word)


def clean(
    text, stopwords: bool = True, lemmatize_words: bool = True, stem_words: bool = True, max_words: int | None = None
) -> str:
    """The cleaned form of one text (see the module docstring for the steps and their order)."""
    words = tokenize(text)
    if stopwords:
        words = [w for w in words if not is_stop_word(w)]
    if max_words is not None:
        words = words[:max_words]
    if lemmatize_words:
        words = [lemmatize(w) for w in words]
    if stem_words:
        words = [stem(w) for w in words]
    return " ".join(w for w in words if w)


def clean_all(texts, clean_params: dict, max_words: int | None = None) -> list[str]:
    """Clean many texts with the `embed.clean` params (stopwords, stem, lemmatize)."""
    return [
        clean(
            t,
            stopwords=clean_params["stopwords"],
            lemmatize_words=clean_params["lemmatize"],
            stem_words=clean_params["stem"],
            max_words=max_words,
        )
        for t in texts
    ]
