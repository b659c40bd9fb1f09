import hashlib
import json

import numpy as np
import pytest
import yaml

from nextgenre.features import build_features
from nextgenre.sequences import windows_for
from nextgenre.training import load_model, model_config, save_model, stopping_note, train_model
from tests.conftest import ROOT
from tests.fake_pipeline_data import write_fake_pipeline_data

# Its module-scoped fixtures are built once: all its tests run in one pytest-xdist worker.
pytestmark = pytest.mark.xdist_group("test_training")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    fake = write_fake_pipeline_data(tmp_path_factory.mktemp("fake"), n_users=20, sessions_per_user=8, dim=8)
    params = yaml.safe_load((ROOT / "params.yaml").read_text())
    params["features"].update(history=4, stress=True)
    params["model"].update(units=8, dense=[8], attention=True)
    params["train"].update(epochs=2, batch_size=16, patience=1, oversample=True)
    processed = build_features(fake["sessions"], fake["tweets"], fake["embedding_tracks"], fake["vectors"], params)
    return processed, params


def digest(folder):
    return {name: hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in ("config.json", "weights.npz")}


def assert_loads_with_the_same_predictions(model, folder, processed) -> None:
    loaded, _ = load_model(folder)
    x = windows_for(processed).gather(np.arange(10))
    assert np.allclose(np.asarray(loaded(x)), np.asarray(model(x)), atol=1e-6)


def test_same_seed_gives_same_model_bytes(tiny, tmp_path, capsys):
    processed, params = tiny
    config = model_config("gru", processed, params)
    for run in ("a", "b"):
        model, history = train_model("gru", processed, params)
        save_model(model, tmp_path / run, config)
    assert len(history["loss"]) == 2
    # How training ended, and the epoch whose weights it kept (the lowest val_loss), are printed.
    best = int(np.argmin(history["val_loss"]))
    assert f"restored the best epoch, {best + 1} (val_loss {history['val_loss'][best]:.4f}" in capsys.readouterr().out
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    # The saved model gives the trained model's predictions.
    assert_loads_with_the_same_predictions(model, tmp_path / "b", processed)


def test_a_model_with_a_text_projection_saves_and_loads(tiny, tmp_path):
    processed, params = tiny
    params = {**params, "model": {**params["model"], "text_projection": 3}}
    model, _ = train_model("lstm", processed, params)
    assert model.get_layer("text_projection").dense.kernel.shape == (8, 3)  # the fake vectors have 8 numbers
    save_model(model, tmp_path, model_config("lstm", processed, params))
    assert_loads_with_the_same_predictions(model, tmp_path, processed)


@pytest.fixture(scope="module")
def tiny_artists(tiny, tmp_path_factory):
    """The same sessions with features.artist on: the vectors end in the artist index."""
    fake = write_fake_pipeline_data(tmp_path_factory.mktemp("fake_artists"), n_users=20, sessions_per_user=8, dim=8)
    _, params = tiny
    params = {**params, "features": {**params["features"], "artist": True}}
    processed = build_features(fake["sessions"], fake["tweets"], fake["embedding_tracks"], fake["vectors"], params)
    return processed, params


def test_the_self_attention_model_with_artists_is_deterministic_and_saves_and_loads(tiny_artists, tmp_path):
    processed, params = tiny_artists
    config = model_config("sasrec", processed, params)
    assert config["artist"] == processed.artist_input and config["history"] == 4
    for run in ("a", "b"):
        model, _ = train_model("sasrec", processed, params)
        save_model(model, tmp_path / run, config)
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    assert model.get_layer("artist_embedding").embedding.input_dim == processed.meta["artist_vocabulary"]
    assert_loads_with_the_same_predictions(model, tmp_path / "b", processed)


def test_dvclive_summary_is_the_restored_epoch_not_the_last(tmp_path):
    """dvclive's Keras callback logs every epoch; the summary then describes epoch 1, whose
    weights early stopping restored, and survives the callback's and the context's end()."""
    from dvclive.keras import DVCLiveCallback

    from dvclive import Live
    from nextgenre.training import summarize_restored_epoch

    history = {
        "loss": [1.0, 0.8, 0.7],
        "accuracy": [0.2, 0.5, 0.6],
        "val_loss": [0.9, 0.5, 0.6],
        "val_accuracy": [0.3, 0.6, 0.55],
    }
    with Live(dir=str(tmp_path / "live"), dvcyaml=None, save_dvc_exp=False, report=None) as live:
        callback = DVCLiveCallback(live=live)
        for epoch in range(3):
            callback.on_epoch_end(epoch, {name: values[epoch] for name, values in history.items()})
        callback.on_train_end()
        summarize_restored_epoch(live, history, best=1)
    summary = json.loads((tmp_path / "live/metrics.json").read_text())
    assert summary == {
        "step": 1,
        "epochs": 3,
        "train": {"loss": 0.8, "accuracy": 0.5},
        "eval": {"loss": 0.5, "accuracy": 0.6},
    }
    curve = (tmp_path / "live/plots/metrics/eval/loss.tsv").read_text().splitlines()
    assert len(curve) == 4  # header + every epoch, untouched by the summary


def test_one_console_line_per_epoch():
    from nextgenre.training import epoch_line

    logs = {"loss": 1.23456, "accuracy": 0.5, "val_loss": 1.3, "val_accuracy": 0.25, "learning_rate": 0.001}
    assert epoch_line("gru", 0, 100, logs) == (
        "train@gru: epoch 1/100 loss 1.2346 accuracy 0.5000 val_loss 1.3000 val_accuracy 0.2500"
    )


def test_stopping_note_counts_epochs_from_one():
    note = stopping_note([0.9, 0.8, 0.85, 0.86], stopped_epoch=3, best_epoch=1, epochs=100)
    assert note == (
        "early stopping after epoch 4 of 100 (val_loss stopped improving); restored the best epoch, 2 "
        "(val_loss 0.8000; dvclive step 1)"
    )
    assert stopping_note([0.9, 0.8], stopped_epoch=0, best_epoch=1, epochs=2).startswith("ran all 2 epochs;")


def test_the_training_step_is_traced_once(tiny, monkeypatch):
    # Under TensorFlow, a tf.function whose first trace creates variables (the optimizer's slots,
    # a metric's counters) is traced again; fit runs train_step's Python code only when tracing.
    import keras

    if keras.backend.backend() != "tensorflow":
        pytest.skip("only TensorFlow traces the training step")
    processed, params = tiny
    traced = []
    step = keras.Model.train_step
    monkeypatch.setattr(keras.Model, "train_step", lambda model, data: traced.append(1) or step(model, data))
    _, history = train_model("lstm", processed, params)
    assert len(history["loss"]) == 2 and len(traced) == 1
