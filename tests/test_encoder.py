"""The encoder: offline loading (packaged MiniLM, a RoBERTa-architecture folder by path), fast
failure for a missing encoder, semantic sanity, determinism, empty and huge texts."""

import time

import numpy as np
import pytest

from nextgenre.encoder import DEFAULT_MODEL, load_encoder, weights_sha256
from nextgenre.errors import EncoderError
from nextgenre.text import clean_all
from tests.conftest import collections_during
from tests.tiny_roberta import HIDDEN, make_tiny_roberta

# Its module-scoped fixtures are built once: all its tests run in one pytest-xdist worker.
pytestmark = pytest.mark.xdist_group("test_encoder")

DOGS = [
    "My dog loves to chase the ball in the park.",
    "Puppies bark and wag their tails when they see their owner.",
    "The hound sleeps by the fire after a long walk with the family dog.",
]
FINANCE = [
    "The stock market fell sharply as investors sold their shares.",
    "Interest rates and inflation worry the central bank.",
    "The company reported higher quarterly profits and paid a dividend.",
]


@pytest.fixture(scope="module")
def minilm():
    return load_encoder(DEFAULT_MODEL)


def unit(v):
    return v / np.linalg.norm(v, axis=1, keepdims=True)


@pytest.mark.parametrize("cleaned", [False, True])
def test_same_subject_texts_are_closer(minilm, cleaned):
    texts = DOGS + FINANCE
    if cleaned:
        texts = clean_all(texts, {"stopwords": True, "stem": True, "lemmatize": True})
    sim = unit(minilm.encode(texts, 128, 4)) @ unit(minilm.encode(texts, 128, 4)).T
    within = [sim[i, j] for g in (range(0, 3), range(3, 6)) for i in g for j in g if i < j]
    across = [sim[i, j] for i in range(3) for j in range(3, 6)]
    assert np.mean(within) > np.mean(across) + 0.15
    np.fill_diagonal(sim, -1)
    nearest = sim.argmax(axis=1)
    assert [n // 3 for n in nearest] == [0, 0, 0, 1, 1, 1]  # each text's nearest is on its subject
    if not cleaned:  # raw text, as the encoder was trained on: every same-subject pair wins
        assert min(within) > max(across)


def test_default_encoder_shape_and_name(minilm):
    vectors = minilm.encode(DOGS, 64, 2)
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    assert minilm.dim == 384 and len(minilm.weights_sha256) == 64


def test_encoding_is_deterministic_and_keeps_input_order(minilm):
    texts = DOGS + FINANCE + ["short", "a much longer text " * 20]
    first = minilm.encode(texts, 64, 3)
    assert first.tobytes() == minilm.encode(texts, 64, 3).tobytes()
    # Length bucketing reorders internally; rows still follow the input order.
    reversed_rows = minilm.encode(texts[::-1], 64, 3)[::-1]
    np.testing.assert_allclose(reversed_rows, first, atol=1e-5)
    repeated = minilm.encode(texts + [texts[2]], 64, 3)
    assert repeated[-1].tobytes() == repeated[2].tobytes()  # identical texts, identical rows
    alone = minilm.encode([texts[4]], 64, 1)[0]
    np.testing.assert_allclose(alone, first[4], atol=1e-5)


def test_empty_texts_get_zero_vectors_and_huge_ones_are_truncated(minilm):
    texts = ["", "   ", "word " * 100_000, "caf\u00e9 \U0001f600 \u200b \x00"]
    vectors, tokens = minilm.encode_counted(texts, 32, 2)
    assert not vectors[:2].any()
    assert np.isfinite(vectors).all() and vectors[2].any() and vectors[3].any()
    assert tokens <= 2 * 32
    assert minilm.encode([], 32, 2).shape == (0, 384)


def test_tiny_random_roberta_loads_by_path_offline(tmp_path):
    folder = make_tiny_roberta(tmp_path / "tiny-roberta")
    encoder = load_encoder(str(folder))
    assert encoder.model.config.model_type == "roberta"
    assert encoder.dim == HIDDEN
    vectors = encoder.encode(DOGS + [""], 64, 2)
    assert vectors.shape == (4, HIDDEN) and vectors[:3].any(axis=1).all() and not vectors[3].any()
    assert encoder.weights_sha256 == weights_sha256(folder)
    # max_length beyond the model's positions is capped, not an index error.
    long = encoder.encode_counted(["dog " * 1000], 4096, 1)
    assert long[1] == encoder.max_tokens == 128 and np.isfinite(long[0]).all()


def test_loading_an_encoder_sets_off_no_garbage_collection(tmp_path):
    folder = make_tiny_roberta(tmp_path / "tiny-roberta")
    assert collections_during(lambda: load_encoder(str(folder))) == []  # nextgenre.backend.lasting_imports


@pytest.mark.parametrize(
    "name", ["nextgenre-test/no-such-encoder", "no-such-encoder-xyz", "/nonexistent/folder/roberta-base"]
)
def test_missing_encoder_fails_fast_naming_it(name):
    start = time.perf_counter()
    with pytest.raises(EncoderError) as info:
        load_encoder(name)
    assert time.perf_counter() - start < 5
    message = str(info.value)
    assert name in message and "offline" in message and "local folder" in message


def test_folder_that_is_not_a_model_fails_clearly(tmp_path):
    with pytest.raises(EncoderError, match="config.json"):
        load_encoder(str(tmp_path))
    (tmp_path / "config.json").write_text("{not json")
    with pytest.raises(EncoderError, match="could not be loaded"):
        load_encoder(str(tmp_path))
