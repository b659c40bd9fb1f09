"""Where the raw data comes from: the synthetic stand-in that the pipeline writes, a raw folder
that the import of the public listening archives wrote, or the researcher's own folder
(`data.raw`). Synthetic results are labelled as such wherever shown; public data is
pseudonymised with a public key, private data with a secret one (nextgenre.pseudonym)."""

from __future__ import annotations

import json
import os
from pathlib import Path

SYNTHETIC_RAW = Path("data/raw/synthetic")  # the stand-in data that `synthesize` writes
SYNTHETIC_TRUTH = Path("data/truth")  # the truth beside it (never a model input)
IMPORT_SUMMARY = "import.json"  # what the public-archive import writes into its raw folder
PUBLIC_IMPORT = {"sources": "public"}  # ... with this entry, which marks the folder as public data


def is_synthetic(raw: str | os.PathLike, root: str | os.PathLike = ".") -> bool:
    """Whether `raw` is the synthetic stand-in folder of the repository at `root`."""
    root = Path(root).resolve()
    raw = Path(raw)
    return (raw if raw.is_absolute() else root / raw).resolve() == (root / SYNTHETIC_RAW).resolve()


def is_imported_public(raw: str | os.PathLike, root: str | os.PathLike = ".") -> bool:
    """Whether `raw` is a raw folder written by the import of the public listening archives."""
    raw = Path(raw)
    summary = (raw if raw.is_absolute() else Path(root) / raw) / IMPORT_SUMMARY
    try:
        content = json.loads(summary.read_text())
    except (OSError, ValueError):
        return False
    return isinstance(content, dict) and all(content.get(k) == v for k, v in PUBLIC_IMPORT.items())


def is_public(raw: str | os.PathLike, root: str | os.PathLike = ".") -> bool:
    """Whether `raw` holds public data: the synthetic stand-in or an import of public archives."""
    return is_synthetic(raw, root) or is_imported_public(raw, root)
