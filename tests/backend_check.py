"""Trains a tiny LSTM, GRU and SASRec (attention, stress, oversampling on) twice each, and encodes a few
texts, on whatever Keras backend and device this process has; prints one JSON line.

For each model: the backend and device, the epochs, the final loss, whether the two runs saved
the same bytes (same seed, same device: they must), whether the saved model gives the trained
model's predictions, and the seconds. For the encoder (a tiny random RoBERTa built offline):
the device and the vectors. `tests/test_backend.py` runs it with KERAS_BACKEND=torch on the CPU;
on a CUDA machine, `KERAS_BACKEND=torch python -m tests.backend_check` runs the same code on
the GPU (docs/gpu.md).
"""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml
from keras import ops

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from nextgenre.backend import configure, torch_device  # noqa: E402
from nextgenre.features import build_features  # noqa: E402
from nextgenre.training import load_model, save_model, train_model, windows_for  # noqa: E402
from tests.fake_pipeline_data import write_fake_pipeline_data  # noqa: E402


def digest(folder: Path) -> str:
    return hashlib.sha256(b"".join((folder / n).read_bytes() for n in ("config.json", "weights.npz"))).hexdigest()


def check_training(work: Path, users: int) -> list[dict]:
    fake = write_fake_pipeline_data(work / "fake", n_users=users, sessions_per_user=12, dim=8)
    params = yaml.safe_load((ROOT / "params.yaml").read_text())
    params["features"].update(history=6, stress=True)
    params["model"].update(units=16, dense=[16], attention=True)
    params["train"].update(epochs=3, batch_size=32, patience=2, oversample=True)
    processed = build_features(fake["sessions"], fake["tweets"], fake["embedding_tracks"], fake["vectors"], params)
    rows = []
    for kind in ("lstm", "gru", "sasrec"):
        config = {
            "kind": kind,
            "input_dim": processed.meta["input_dim"],
            "classes": processed.meta["classes"],
            "history": 6,
            "model": params["model"],
        }
        digests, seconds = [], []
        for run in ("a", "b"):
            start = time.perf_counter()
            model, history = train_model(kind, processed, params)
            seconds.append(round(time.perf_counter() - start, 2))
            save_model(model, work / kind / run, config)
            digests.append(digest(work / kind / run))
        loaded, _ = load_model(work / kind / "b")
        x = windows_for(processed).gather(np.arange(16))
        same_predictions = bool(np.allclose(ops.convert_to_numpy(loaded(x)), ops.convert_to_numpy(model(x)), atol=1e-5))
        rows.append(
            {
                "model": kind,
                "where": configure(params["seed"]),
                "epochs": len(history["loss"]),
                "loss": round(float(history["loss"][-1]), 4),
                "same_bytes": digests[0] == digests[1],
                "loaded_predicts_the_same": same_predictions,
                "seconds": seconds,
            }
        )
    return rows


def check_encoder(work: Path) -> dict:
    from nextgenre.encoder import load_encoder
    from tests.tiny_roberta import make_tiny_roberta

    encoder = load_encoder(str(make_tiny_roberta(work / "tiny-roberta")))
    texts = ["the dog runs in the park", "", "love songs about the sea", "music lyrics words"] * 3
    vectors = encoder.encode(texts, max_length=32, batch_size=4)
    return {
        "device": str(next(encoder.model.parameters()).device),
        "torch_device": torch_device(),
        "vectors": np.round(vectors, 5).tolist(),
    }


def main() -> None:
    users = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    with tempfile.TemporaryDirectory() as tmp:
        result = {"training": check_training(Path(tmp), users), "encoder": check_encoder(Path(tmp))}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
