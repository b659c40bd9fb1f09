import numpy as np
import pytest

from nextgenre.backend import configure
from nextgenre.models import build_model, probe_model

DIM = 7


def params(attention):
    return {"units": 8, "layers": 2, "dense": [6], "attention": attention, "dropout": 0.2}


def padded(real, length):
    """Front-pad `real` (steps, DIM) with zero steps to `length`."""
    return np.concatenate([np.zeros((length - len(real), DIM), np.float32), real])[None]


@pytest.mark.parametrize("kind", ["lstm", "gru"])
@pytest.mark.parametrize("attention", [False, True])
def test_shapes_and_masking(kind, attention):
    configure(0)
    model = build_model(kind, DIM, 4, params(attention))
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
def test_attention_weights_cover_real_steps_only(kind):
    configure(0)
    model = build_model(kind, DIM, 3, params(True))
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
    model = build_model("lstm", 395, 6, {"units": 128, "layers": 2, "dense": [64], "attention": False, "dropout": 0.2})
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds.count("LSTM") == 2 and kinds.count("Dense") == 2 and "Masking" in kinds
    assert model.output.shape[-1] == 6


@pytest.mark.parametrize("kind", ["lstm", "gru"])
@pytest.mark.parametrize("attention", [False, True])
def test_without_masking_unpadded_windows_give_the_same_outputs(kind, attention):
    configure(0)
    masked = build_model(kind, DIM, 4, params(attention))
    unmasked = build_model(kind, DIM, 4, params(attention), masking=False)
    assert "masking" not in {layer.name for layer in unmasked.layers}
    unmasked.set_weights(masked.get_weights())
    batch = np.random.default_rng(2).normal(size=(5, 4, DIM)).astype(np.float32)  # no all-zero step
    assert np.array_equal(np.asarray(masked(batch, training=False)), np.asarray(unmasked(batch, training=False)))
