"""Where the arithmetic runs: the Keras backend, the device, CPU threads, seeds and deterministic
ops. These choose the machine, not the study, so they are environment variables, not params:

- `KERAS_BACKEND` (Keras 3's own): `tensorflow`, the default that requirements.txt installs
  (tensorflow-cpu), or `torch`, which trains on a CUDA GPU where the installed torch build sees one.
- `KERAS_TORCH_DEVICE` (Keras 3's own, torch backend only): `cpu` keeps a GPU machine on the CPU;
  unset, Keras and the text encoder take the CUDA GPU when torch sees one.
- `NEXTGENRE_THREADS` (read by nextgenre.threads): CPU threads (default: every CPU); parallel
  `dvc queue` workers set it.
- `NEXTGENRE_VERBOSE=1` keeps TensorFlow's C++ log (oneDNN and CPU-feature notices, the
  `E0000 ... AVX-512` line, which is not an error), silenced otherwise: importing this module
  sets `TF_CPP_MIN_LOG_LEVEL=3` (unless the user set it), and `import_keras` loads TensorFlow
  with the process's stderr closed, as its oneDNN notice is printed before any log level
  applies. oneDNN itself stays on (TF_ENABLE_ONEDNN_OPTS untouched): turning it off would change
  the floating-point sums, hence the results' bytes.

Same settings, same backend, same device and threads: same bytes. Another backend, device or
thread count gives other floating-point sums, hence other (equally valid) bytes.
"""

from __future__ import annotations

import gc
import os
import sys
from contextlib import contextmanager

from nextgenre.errors import NextgenreError
from nextgenre.runner import verbose
from nextgenre.threads import threads

# cuBLAS is deterministic only with a fixed workspace; it must be set before CUDA starts.
os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")

if not verbose():  # before TensorFlow loads: it reads the level then
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


@contextmanager
def lasting_imports():
    """Run the imports of large libraries (TensorFlow with Keras, torch with transformers' model
    code) with Python's garbage collector paused, then freeze what they made.

    Such an import makes millions of objects that live as long as the process, and the collector,
    set off again and again by those allocations, walks them at every full collection: on the
    machine of 2026-11-28 that is 0.6 of the 3.9 CPU s of `import keras`, and 1.6 of the 4.3 of
    torch with transformers' BERT code. Frozen, they are left out of every later collection and of
    the one at exit (the freeze alone took a tiny train stage from 6.0 to 4.2 CPU s on the earlier
    machine). The few thousand cycles that the imports leave as garbage are frozen with them (a few
    MB), and nothing computed changes: the same bytes."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def import_keras():
    """Keras, with TensorFlow (its default backend here) imported first with file descriptor 2
    pointed at /dev/null unless NEXTGENRE_VERBOSE is set: TensorFlow's C library prints a oneDNN
    notice at import time that no log level silences. A Python error of the import is raised as
    usual, once stderr is back. Both are imported under `lasting_imports`."""
    import importlib.util

    tensorflow = os.environ.get("KERAS_BACKEND", "tensorflow") == "tensorflow"
    with lasting_imports():
        if tensorflow and not verbose() and "tensorflow" not in sys.modules and importlib.util.find_spec("tensorflow"):
            sys.stderr.flush()
            saved = os.dup(2)
            try:
                with open(os.devnull, "w") as null:
                    os.dup2(null.fileno(), 2)
                import tensorflow  # noqa: F401
            finally:
                os.dup2(saved, 2)
                os.close(saved)
        import keras
    return keras


def keras_backend() -> str:
    import keras

    return keras.backend.backend()


def torch_device() -> str:
    """The device torch code runs on: KERAS_TORCH_DEVICE if set, else `cuda` where torch sees a
    GPU, else `cpu` (the same rule Keras's torch backend follows)."""
    import torch

    chosen = os.environ.get("KERAS_TORCH_DEVICE", "").strip()
    if chosen:
        return chosen
    return "cuda" if torch.cuda.is_available() else "cpu"


def configure(seed: int) -> str:
    """Seed every RNG, make ops deterministic and cap CPU threads for the Keras backend in use;
    return a short description ("tensorflow on cpu, 2 threads")."""
    import keras

    backend, n = keras_backend(), threads()
    if backend == "tensorflow":
        import tensorflow as tf

        try:
            tf.config.threading.set_intra_op_parallelism_threads(n)
            tf.config.threading.set_inter_op_parallelism_threads(n)
        except RuntimeError:
            pass  # already initialised in this process (tests): the first setting stays
        keras.utils.set_random_seed(seed)
        tf.config.experimental.enable_op_determinism()
        device = "gpu" if tf.config.list_logical_devices("GPU") else "cpu"
    elif backend == "torch":
        import torch

        torch.set_num_threads(n)
        keras.utils.set_random_seed(seed)
        torch.use_deterministic_algorithms(True)
        torch.backends.cudnn.deterministic = True
        torch.backends.cudnn.benchmark = False
        device = torch_device()
    else:
        raise NextgenreError(f"KERAS_BACKEND={backend!r}: expected tensorflow or torch")
    return f"{backend} on {device}, {n} threads"


def fit_data(dataset, input_dim: int):
    """What Keras's fit takes for a nextgenre.sequences.WindowDataset: under TensorFlow a tf.data
    pipeline that gathers the next batches while the model trains on the current one (the same
    batches in the same order, about 20% faster on 2 cores); under torch the dataset itself."""
    if keras_backend() != "tensorflow":
        return dataset
    import tensorflow as tf

    def batches():
        for i in range(len(dataset)):
            yield dataset[i]
        dataset.on_epoch_end()  # the next epoch's order

    signature = (tf.TensorSpec((None, None, input_dim), tf.float32), tf.TensorSpec((None,), tf.int64))
    pipeline = tf.data.Dataset.from_generator(batches, output_signature=signature)
    return pipeline.apply(tf.data.experimental.assert_cardinality(len(dataset))).prefetch(2)
