"""The training and encoding code assumes neither TensorFlow nor a CPU: the same code trains and
encodes on Keras's torch backend (the backend a CUDA GPU user runs; here on the CPU), reproducibly.
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from tests.conftest import ROOT, collections_during

# Its module-scoped fixtures are built once: all its tests run in one pytest-xdist worker.
pytestmark = pytest.mark.xdist_group("test_backend")


def run_check(backend: str) -> dict:
    env = {
        **os.environ,
        "KERAS_BACKEND": backend,
        "KERAS_TORCH_DEVICE": "cpu",
        "NEXTGENRE_THREADS": "2",
        "TF_CPP_MIN_LOG_LEVEL": "3",
    }
    proc = subprocess.run(
        [sys.executable, "-m", "tests.backend_check", "24"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def on_torch():
    return run_check("torch")


def test_torch_backend_trains_reproducibly(on_torch):
    for row in on_torch["training"]:
        assert row["where"].startswith("torch on cpu, 2 threads")
        assert row["epochs"] >= 1 and np.isfinite(row["loss"])
        assert row["same_bytes"], f"{row['model']}: two runs with the same seed saved different bytes"
        assert row["loaded_predicts_the_same"]


def test_encoder_runs_on_the_device_it_is_told(on_torch):
    assert on_torch["encoder"]["device"] == "cpu"
    vectors = np.array(on_torch["encoder"]["vectors"])
    assert vectors.shape == (12, 32) and not vectors[1].any() and vectors[0].any()


def test_lasting_imports_pause_the_collector_and_freeze_what_they_made():
    from nextgenre.backend import lasting_imports

    made = []

    def allocate():  # as an import does: far more new objects than it takes to set off collections
        with lasting_imports():
            assert not gc.isenabled()
            made.extend([i] for i in range(200_000))

    assert collections_during(allocate) == []
    assert gc.isenabled()
    assert not any(obj is made[-1] for obj in gc.get_objects())  # frozen: no collection walks it

    gc.disable()  # a collector that was off stays off
    try:
        with lasting_imports():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


FREEZE_PROBE = """
import gc, json
from nextgenre.backend import import_keras
before = gc.get_freeze_count()
import_keras()
print(json.dumps({"frozen": gc.get_freeze_count() - before, "tracked": len(gc.get_objects())}))
"""


def test_what_the_keras_import_made_is_not_walked_by_the_collector():
    """TensorFlow's and Keras's objects live as long as the process, so import_keras freezes them
    (gc.freeze): no later collection walks them, the one at exit included. In a fresh process:
    in this one, collection has imported (and frozen) Keras already, so nothing would be left for
    import_keras to do."""
    proc = subprocess.run(
        [sys.executable, "-c", FREEZE_PROBE],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    counts = json.loads(proc.stdout.strip().splitlines()[-1])
    assert counts["frozen"] > 100_000, counts  # TensorFlow and Keras alone make several hundred thousand
    assert counts["tracked"] < 1_000, counts
