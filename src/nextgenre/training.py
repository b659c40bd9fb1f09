"""Training a classifier on the processed data, reproducibly, and saving it so that the file
bytes depend on the weights alone.

Model folder (models/<model>/): `config.json` (kind, input_dim, classes, history, the `model`
params, the text columns and the artist input) and `weights.npz` (a zip of one .npy per weight,
in model.weights order, written with a fixed date and sorted names: no timestamps).
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import numpy as np

from nextgenre.backend import configure, fit_data
from nextgenre.processed import Processed
from nextgenre.sequences import WindowDataset, oversample, windows_for

FIXED_DATE = (1980, 1, 1, 0, 0, 0)


def train_model(kind: str, processed: Processed, params: dict, live=None):
    """Fit a model (early stopping on val_loss, best weights restored); return it and its history.

    `live` (a dvclive.Live) gets every epoch's train/eval loss and accuracy through dvclive's
    Keras callback, and at the end a summary of the epoch whose weights were restored. The
    console gets one line per epoch (epoch_line) and one summary line.
    """
    import keras

    from nextgenre.models import build_model

    seed, mp, tp = params["seed"], params["model"], params["train"]
    machine = configure(seed)
    labels = processed.samples["label"].to_numpy(dtype=np.int64)
    windows = windows_for(processed)
    train_pos, val_pos = processed.positions("train"), processed.positions("val")
    if len(train_pos) == 0 or len(val_pos) == 0:
        from nextgenre.errors import NextgenreError

        raise NextgenreError("data/processed: the train or validation split has no samples")
    if tp["oversample"]:
        train_pos = oversample(train_pos, labels[train_pos], seed)
    input_dim = processed.meta["input_dim"]
    train_data = fit_data(
        WindowDataset(windows, train_pos, labels, tp["batch_size"], shuffle=True, seed=seed), input_dim
    )
    val_data = fit_data(WindowDataset(windows, val_pos, labels, tp["batch_size"]), input_dim)

    text = processed.meta["layout"].get("text")
    model = build_model(
        kind,
        input_dim,
        len(processed.meta["classes"]),
        mp,
        masking=windows.has_gaps(),
        text=text,
        history=processed.meta["history"],
        artist=processed.artist_input,
    )
    compile_model(model, tp["learning_rate"])
    stopper = keras.callbacks.EarlyStopping(monitor="val_loss", patience=tp["patience"], restore_best_weights=True)
    progress = keras.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: print(epoch_line(kind, epoch, tp["epochs"], logs), flush=True)
    )
    callbacks = [stopper, progress]
    if live is not None:
        from dvclive.keras import DVCLiveCallback

        callbacks.append(DVCLiveCallback(live=live))
    history = model.fit(
        train_data, validation_data=val_data, epochs=tp["epochs"], callbacks=callbacks, verbose=0, shuffle=False
    )
    note = stopping_note(history.history["val_loss"], stopper.stopped_epoch, stopper.best_epoch, tp["epochs"])
    print(f"train@{kind}: {note}; {machine}")
    if live is not None:
        summarize_restored_epoch(live, history.history, stopper.best_epoch)
    return model, history.history


def compile_model(model, learning_rate: float, jit_compile="auto") -> None:
    """Adam, sparse categorical cross-entropy and accuracy, with every variable that training
    updates made now: the accuracy's counters as its metric object is built, and the optimizer's
    slots by `optimizer.build`, which Keras would otherwise leave to the first training step.
    Under TensorFlow, a tf.function that creates variables when first traced is traced a second
    time without them, so the training step, traced once per fit, was traced twice: a tiny train
    stage took 5.7 CPU s instead of 5.1 (medians of five, 2026-11-29). The slots start at zero
    either way, and the weights come out the same bytes."""
    import keras

    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")],
        jit_compile=jit_compile,
    )
    model.optimizer.build(model.trainable_variables)


def epoch_line(kind: str, epoch: int, epochs: int, logs: dict) -> str:
    """The one console line of an epoch (`epoch` from 0, as Keras counts; shown from 1)."""
    scores = " ".join(f"{name} {logs[name]:.4f}" for name in ("loss", "accuracy", "val_loss", "val_accuracy"))
    return f"train@{kind}: epoch {epoch + 1}/{epochs} {scores}"


def stopping_note(val_loss: list[float], stopped_epoch: int, best_epoch: int, epochs: int) -> str:
    """One line on how training ended (Keras' EarlyStopping: `stopped_epoch` 0 when it did not
    stop early; epochs counted from 0) and which epoch's weights the model keeps."""
    ran = len(val_loss)
    if stopped_epoch > 0:
        ended = f"early stopping after epoch {stopped_epoch + 1} of {epochs} (val_loss stopped improving)"
    else:
        ended = f"ran all {ran} epochs"
    return (
        f"{ended}; restored the best epoch, {best_epoch + 1} (val_loss {val_loss[best_epoch]:.4f}; "
        f"dvclive step {best_epoch})"
    )


def restored_epoch_summary(history: dict, best: int) -> dict:
    """dvclive's summary of epoch `best` (0-based): {"train": {"loss", "accuracy"}, "eval": {...}},
    under the names that dvclive's Keras callback gives the curves (val_loss -> eval/loss)."""
    from dvclive.utils import standardize_metric_name

    summary: dict = {}
    for metric, values in history.items():
        split, name = standardize_metric_name(metric, "dvclive.keras").split("/", 1)
        summary.setdefault(split, {})[name] = float(values[best])
    return summary


def summarize_restored_epoch(live, history: dict, best: int) -> None:
    """Make dvclive's metrics.json describe the weights that are kept: the restored epoch `best`
    (its `step`, 0-based as on the curves) and its losses and accuracies; `epochs` run in all."""
    live.summary = {**restored_epoch_summary(history, best), "epochs": len(history["val_loss"])}
    live.step = best
    live.make_summary()


def model_config(kind: str, processed: Processed, params: dict) -> dict:
    """The config.json saved beside a model's weights: what load_model needs to rebuild the network
    (its kind, input width, classes, `model` settings, text columns and artist input) and what
    evaluate checks against data/processed (the classes, the input width, the history length and
    the artist input)."""
    return {
        "kind": kind,
        "input_dim": processed.meta["input_dim"],
        "classes": processed.meta["classes"],
        "history": processed.meta["history"],
        "model": params["model"],
        "text_columns": processed.meta["layout"].get("text"),
        "artist": processed.artist_input,
    }


def _npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.ascontiguousarray(array), allow_pickle=False)
    return buffer.getvalue()


def save_model(model, folder, config: dict) -> None:
    """config.json + weights.npz whose bytes depend only on config and weights; config.json also
    says whether the model masks steps."""
    folder = Path(folder)
    config = {**config, "masking": "masking" in {layer.name for layer in model.layers}}
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")
    entries = {f"{i:03d}_{w.path.replace('/', '.')}.npy": _npy_bytes(w.numpy()) for i, w in enumerate(model.weights)}
    with zipfile.ZipFile(folder / "weights.npz", "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=FIXED_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, entries[name])


def load_model(folder):
    """Rebuild the model from config.json and set the weights from weights.npz; return (model, config)."""
    from nextgenre.models import build_model

    folder = Path(folder)
    config = json.loads((folder / "config.json").read_text())
    model = build_model(
        config["kind"],
        config["input_dim"],
        len(config["classes"]),
        config["model"],
        config.get("masking", True),
        config.get("text_columns"),
        history=config["history"],
        artist=config.get("artist"),
    )
    with np.load(folder / "weights.npz") as npz:
        model.set_weights([npz[name] for name in sorted(npz.files)])
    return model, config
