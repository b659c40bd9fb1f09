"""nextgenre.recurrent's LSTM and GRU compute Keras's function with Keras's weights: the same
outputs and the same gradients (up to the order of float sums), masked or not, in the paper's
model with and without attention."""

from unittest import mock

import keras
import numpy as np
import pytest
import tensorflow as tf

from nextgenre import models, recurrent
from nextgenre.backend import configure
from nextgenre.registry import MODELS

DIM, UNITS = 11, 8


def pair(name, **kwargs):
    """(Keras's layer, ours) built with the same weights."""
    ref, ours = getattr(keras.layers, name)(UNITS, **kwargs), getattr(recurrent, name)(UNITS, **kwargs)
    ref.build((None, None, DIM))
    ours.build((None, None, DIM))
    rng = np.random.default_rng(0)
    ref.set_weights([rng.normal(size=w.shape).astype(np.float32) for w in ref.weights])
    ours.set_weights(ref.get_weights())
    return ref, ours


def output_and_gradients(model, x, mask=None):
    x = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = model(x, mask=mask) if mask is not None else model(x, training=False)
        loss = tf.reduce_sum(tf.sin(3 * y))  # weights every output differently
    return [np.asarray(y), *(np.asarray(g) for g in tape.gradient(loss, [x, *model.trainable_weights]))]


def assert_same(ref, ours):
    assert len(ref) == len(ours)
    for a, b in zip(ref, ours):
        assert a.shape == b.shape and np.allclose(a, b, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(
    "name, kwargs",
    [("LSTM", {}), ("GRU", {}), ("GRU", {"reset_after": False}), ("LSTM", {"go_backwards": True})],
)
@pytest.mark.parametrize("return_sequences", [False, True])
def test_layer_matches_keras(name, kwargs, return_sequences):
    configure(0)
    ref, ours = pair(name, return_sequences=return_sequences, **kwargs)
    x = np.random.default_rng(7).normal(size=(5, 6, DIM)).astype(np.float32)
    assert_same(output_and_gradients(ref, x), output_and_gradients(ours, x))


@pytest.mark.parametrize("name", ["LSTM", "GRU"])
def test_masked_steps_match_keras(name):
    configure(0)
    ref, ours = pair(name, return_sequences=True)
    x = np.random.default_rng(3).normal(size=(4, 6, DIM)).astype(np.float32)
    mask = tf.constant(np.arange(6)[None, :] >= np.array([[0], [2], [5], [3]]))
    assert_same(output_and_gradients(ref, x, mask), output_and_gradients(ours, x, mask))


def built_with(library, kind, params, masking):
    """build_model's classifier with the recurrent layers of `library` (keras.layers or ours)."""
    chosen = {name: getattr(library, layer) for name, layer in MODELS.items()}
    with mock.patch.dict(models.RECURRENT, chosen):
        return models.build_model(kind, DIM, 4, params, masking=masking)


@pytest.mark.parametrize("kind", list(MODELS))
@pytest.mark.parametrize("attention", [False, True])
@pytest.mark.parametrize("masking", [False, True])
def test_paper_model_matches_keras(kind, attention, masking):
    """The whole classifier with Keras's layers and with ours, the same weights: the same
    probabilities and gradients (dropout off)."""
    configure(0)
    params = {"units": UNITS, "layers": 2, "dense": [6], "attention": attention, "dropout": 0.2}
    ref, ours = (built_with(library, kind, params, masking) for library in (keras.layers, recurrent))
    ours.set_weights(ref.get_weights())
    x = np.random.default_rng(5).normal(size=(3, 7, DIM)).astype(np.float32)
    x[1, :3] = 0  # a padded window, masked where the model has a Masking layer
    assert_same(output_and_gradients(ref, x), output_and_gradients(ours, x))


def test_saved_weights_keep_keras_layout():
    configure(0)
    for name in ("LSTM", "GRU"):
        ref, ours = pair(name)
        assert [w.path.split("/")[-1] for w in ours.weights] == [w.path.split("/")[-1] for w in ref.weights]
        assert [w.shape for w in ours.weights] == [w.shape for w in ref.weights]
        config = keras.saving.serialize_keras_object(ours)
        assert type(keras.saving.deserialize_keras_object(config)) is type(ours)
