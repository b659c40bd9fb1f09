import keras
import numpy as np
import pytest

from nextgenre.backend import configure
from nextgenre.models import build_model, probe_model

DIM = 7


def params(attention, text_projection=0):
    return {
        "units": 8,
        "layers": 2,
        "dense": [6],
        "attention": attention,
        "dropout": 0.2,
        "text_projection": text_projection,
        "heads": 2,
        "artist_dim": 3,
    }


HISTORY = 9  # the longest window these tests give (the self-attention model's positions)
KINDS = ["lstm", "gru", "sasrec"]


def build(kind, attention=False, **kwargs):
    return build_model(kind, DIM, 4, params(attention), history=HISTORY, **kwargs)


def padded(real, length):
    """Front-pad `real` (steps, DIM) with zero steps to `length`."""
    return np.concatenate([np.zeros((length - len(real), DIM), np.float32), real])[None]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("attention", [False, True])
def test_shapes_and_masking(kind, attention):
    configure(0)
    model = build(kind, attention)
    rng = np.random.default_rng(0)
    real = rng.normal(size=(3, DIM)).astype(np.float32)
    out = {n: np.asarray(model(padded(real, n), training=False)) for n in (3, 5, 9)}
    assert out[5].shape == (1, 4) and np.isclose(out[5].sum(), 1, atol=1e-5)
    # Padded steps change nothing: the same history padded to any length gives the same output.
    assert np.allclose(out[3], out[5], atol=1e-6) and np.allclose(out[3], out[9], atol=1e-6)
    # ... while a real step does.
    other = np.concatenate([rng.normal(size=(1, DIM)).astype(np.float32), real])
    assert not np.allclose(np.asarray(model(padded(other, 5))), out[5])


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_text_projection_maps_the_text_columns_only_and_keeps_the_mask(kind):
    configure(0)
    plain = build_model(kind, DIM, 4, params(False), text=[0, 4])
    assert "text_projection" not in {layer.name for layer in plain.layers}  # 0: the default model
    model = build_model(kind, DIM, 4, params(False, text_projection=2), text=[0, 4])
    projection = model.get_layer("text_projection")
    assert projection.dense.kernel.shape == (4, 2) and projection.output.shape[-1] == DIM - 4 + 2
    rng = np.random.default_rng(3)
    steps = rng.normal(size=(1, 3, DIM)).astype(np.float32)
    mapped = np.asarray(projection(steps))
    expected = steps[..., :4] @ np.asarray(projection.dense.kernel) + np.asarray(projection.dense.bias)
    assert np.allclose(mapped[..., :2], expected, atol=1e-6) and np.array_equal(mapped[..., 2:], steps[..., 4:])
    # Padded steps still change nothing (the mask passes through the projection).
    real = steps[0]
    assert np.allclose(np.asarray(model(padded(real, 3))), np.asarray(model(padded(real, 7))), atol=1e-6)
    # No text part (features.text=false): nothing to project.
    assert "text_projection" not in {layer.name for layer in build_model(kind, DIM, 4, params(False, 2)).layers}


@pytest.mark.parametrize("kind", KINDS)
def test_attention_weights_cover_real_steps_only(kind):
    configure(0)
    model = build_model(kind, DIM, 3, params(True), history=6)
    rng = np.random.default_rng(1)
    batch = np.concatenate([padded(rng.normal(size=(n, DIM)).astype(np.float32), 6) for n in (1, 4, 6)])
    probe = probe_model(model)
    out = probe(batch, training=False)
    weights = np.asarray(out["attention"])
    assert weights.shape == (3, 6) and np.asarray(out["hidden"]).shape == (3, 6)
    assert np.allclose(weights.sum(axis=1), 1, atol=1e-5)
    for row, n in zip(weights, (1, 4, 6)):
        assert np.all(row[: 6 - n] == 0) and np.all(row[6 - n :] > 0)
    assert np.allclose(np.asarray(out["probabilities"]), np.asarray(model(batch, training=False)), atol=1e-6)


def test_probe_without_attention_has_no_weights():
    model = build_model("gru", DIM, 3, params(False))
    out = probe_model(model)(padded(np.ones((2, DIM), np.float32), 4))
    assert "attention" not in out and np.asarray(out["hidden"]).shape == (1, 6)


def test_paper_architecture():
    paper = {"units": 128, "layers": 2, "dense": [64], "attention": False, "dropout": 0.2, "text_projection": 0}
    model = build_model("lstm", 395, 6, paper, text=[0, 384])
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds.count("LSTM") == 2 and kinds.count("Dense") == 2 and "Masking" in kinds
    assert model.output.shape[-1] == 6


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("attention", [False, True])
def test_without_masking_unpadded_windows_give_the_same_outputs(kind, attention):
    configure(0)
    masked = build(kind, attention)
    unmasked = build(kind, attention, masking=False)
    assert "masking" not in {layer.name for layer in unmasked.layers}
    unmasked.set_weights(masked.get_weights())
    batch = np.random.default_rng(2).normal(size=(5, 4, DIM)).astype(np.float32)  # no all-zero step
    assert np.array_equal(np.asarray(masked(batch, training=False)), np.asarray(unmasked(batch, training=False)))


@pytest.mark.parametrize("masking", [True, False])
def test_self_attention_is_causal(masking):
    """A later session cannot change an earlier position's output: change the session at step t,
    and every step before t gives the same numbers, t and later do not."""
    configure(0)
    model = build("sasrec", masking=masking)
    sequence = keras.Model(model.input, model.get_layer("sequence").output)  # every step's output
    rng = np.random.default_rng(4)
    x = rng.normal(size=(2, 6, DIM)).astype(np.float32)
    before = np.asarray(sequence(x, training=False))
    for t in range(6):
        changed = x.copy()
        changed[:, t] = rng.normal(size=(2, DIM))
        after = np.asarray(sequence(changed, training=False))
        assert np.array_equal(after[:, :t], before[:, :t]), t
        assert not np.allclose(after[:, t], before[:, t]), t


def test_the_self_attention_model_is_sasrec_shaped():
    paper = {"units": 128, "layers": 2, "dense": [64], "attention": False, "dropout": 0.2, "text_projection": 0}
    model = build_model("sasrec", 395, 6, {**paper, "heads": 2}, text=[0, 384], history=20)
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds.count("MultiHeadAttention") == 2 and kinds.count("LayerNormalization") == 5
    assert model.get_layer("positions").table.shape == (20, 128)  # a learned vector per position
    assert model.get_layer("block_1_self_attention").num_heads == 2
    assert model.get_layer("hidden").units == 64 and model.output.shape[-1] == 6
    with pytest.raises(ValueError, match="history"):
        build_model("sasrec", 395, 6, {**paper, "heads": 2})


@pytest.mark.parametrize("kind", KINDS)
def test_the_artist_column_becomes_a_learned_embedding(kind):
    """The last column holds an artist index; the model looks it up in its own table."""
    configure(0)
    model = build(kind, artist={"column": DIM - 1, "vocabulary": 5})
    embedding = model.get_layer("artist_embedding")
    table = np.asarray(embedding.embedding.embeddings)
    assert table.shape == (5, 3)
    rng = np.random.default_rng(5)
    steps = rng.normal(size=(1, 4, DIM)).astype(np.float32)
    steps[..., -1] = [1, 2, 4, 3]
    mapped = np.asarray(embedding(steps))
    assert np.array_equal(mapped[..., : DIM - 1], steps[..., :-1]) and np.array_equal(
        mapped[0, :, -3:], table[[1, 2, 4, 3]]
    )
    # Another artist at a step changes the prediction; padded steps still change nothing.
    other = steps.copy()
    other[0, 2, -1] = 1
    assert not np.allclose(np.asarray(model(steps)), np.asarray(model(other)))
    assert np.allclose(np.asarray(model(padded(steps[0], 4))), np.asarray(model(padded(steps[0], 7))), atol=1e-6)
