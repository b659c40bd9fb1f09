"""Where the raw data comes from: the synthetic stand-in that the pipeline writes, or the
researcher's own folder (`data.raw`). Synthetic results are labelled as such wherever shown."""

from __future__ import annotations

import os
from pathlib import Path

SYNTHETIC_RAW = Path("data/raw/synthetic")  # the stand-in data that `synthesize` writes
SYNTHETIC_TRUTH = Path("data/truth")  # the truth beside it (never a model input)


def is_synthetic(raw: str | os.PathLike, root: str | os.PathLike = ".") -> bool:
    """Whether `raw` is the synthetic stand-in folder of the repository at `root`."""
    root = Path(root).resolve()
    raw = Path(raw)
    return (raw if raw.is_absolute() else root / raw).resolve() == (root / SYNTHETIC_RAW).resolve()
