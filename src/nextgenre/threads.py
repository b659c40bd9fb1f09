"""The one reader of NEXTGENRE_THREADS: how many CPU threads the encoder (torch) and the models
(TensorFlow) may use. Unset: every CPU. Parallel `dvc queue` workers get cores / workers
(nextgenre.grid), so that they do not oversubscribe the machine."""

from __future__ import annotations

import os

from nextgenre.errors import NextgenreError

THREADS_ENV = "NEXTGENRE_THREADS"


def threads() -> int:
    """NEXTGENRE_THREADS, else every CPU; a value that is not a positive integer stops the stage
    with one clear message."""
    value = os.environ.get(THREADS_ENV, "").strip()
    if value:
        try:
            n = int(value)
        except ValueError:
            raise NextgenreError(f"{THREADS_ENV}={value!r}: expected a positive integer") from None
        if n < 1:
            raise NextgenreError(f"{THREADS_ENV}={value!r}: expected a positive integer")
        return n
    return os.cpu_count() or 1
