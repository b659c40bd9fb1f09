"""The paper's published figures (paper/tables.yaml), read in one place."""

from __future__ import annotations

from pathlib import Path

import yaml

TABLES_FILE = Path("paper/tables.yaml")  # relative to the repository root


def load_tables(path: str | Path = TABLES_FILE) -> dict:
    """Every figure the paper publishes (Tables I-IV, the LSTM/GRU results), as a mapping."""
    return yaml.safe_load(Path(path).read_text())
