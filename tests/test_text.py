"""Lyrics cleaning: each switch does what it says, in the documented order, offline."""

import math

from nextgenre.text import clean, clean_all, to_text, tokenize


def test_tokenize_lowercases_and_keeps_inner_apostrophes():
    assert tokenize("Hello, WORLD! Don\u2019t stop-me") == ["hello", "world", "don't", "stop", "me"]


def test_all_switches_off_keeps_every_word():
    assert (
        clean("The Dogs were RUNNING", stopwords=False, lemmatize_words=False, stem_words=False)
        == "the dogs were running"
    )


def test_stopwords_switch_removes_scikit_learn_stop_words():
    kept = clean("the dogs were running", stopwords=True, lemmatize_words=False, stem_words=False)
    assert kept == "dogs running"
    assert clean("I'm here", stopwords=True, lemmatize_words=False, stem_words=False) == ""


def test_lemmatize_switch_uses_dictionary_forms():
    words = clean("dogs were better", stopwords=False, lemmatize_words=True, stem_words=False)
    assert words == "dog be good"


def test_stem_switch_cuts_suffixes():
    assert clean("running happiness", stopwords=False, lemmatize_words=False, stem_words=True) == "run happi"


def test_lemmatisation_comes_before_stemming():
    # "better" lemmatises to "good"; the stemmer alone leaves "better".
    assert clean("better", stopwords=False, lemmatize_words=True, stem_words=True) == "good"
    assert clean("better", stopwords=False, lemmatize_words=False, stem_words=True) == "better"


def test_clean_all_reads_the_params_switches():
    params = {"stopwords": True, "stem": False, "lemmatize": False}
    assert clean_all(["The dogs", ""], params) == ["dogs", ""]


def test_missing_and_odd_encodings_do_not_crash():
    assert clean(None) == ""
    assert clean(math.nan) == ""
    assert clean(b"caf\xc3\xa9 \xff\xfe music", stopwords=False, lemmatize_words=False, stem_words=False).startswith(
        "café"
    )
    assert clean("\ud800 lone surrogate", stopwords=False, lemmatize_words=False, stem_words=False) == "lone surrogate"
    assert to_text("\ufb01ne \uff26\uff55\uff4c\uff4c") == "fine Full"  # NFKC
    assert isinstance(clean("\x00\x01 \u200b emoji \U0001f600 \u202e rtl"), str)


def test_max_words_bounds_a_huge_text():
    huge = "love " * 200_000
    assert clean(huge, max_words=10) == " ".join(["love"] * 10)
