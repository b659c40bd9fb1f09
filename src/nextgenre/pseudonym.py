"""Pseudonyms for user ids: a keyed hash (HMAC-SHA256), so no raw id leaves `ingest`.

The key, in order of precedence:
1. the environment variable NEXTGENRE_PSEUDONYM_KEY;
2. the file `.nextgenre-key` in the repository root (git-ignored; keep it out of git);
3. for the synthetic stand-in data (data.raw = data/raw/synthetic) only: a fixed public key,
   so that runs are reproducible. It protects nothing, and the synthetic users are not people.
Any other data without a key stops the stage with a message that says how to set one.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path

import pandas as pd

from nextgenre.errors import NextgenreError
from nextgenre.sources import is_synthetic

KEY_ENV = "NEXTGENRE_PSEUDONYM_KEY"
KEY_FILE = ".nextgenre-key"
SYNTHETIC_KEY = "nextgenre-synthetic-public-key"  # public on purpose: synthetic data only
PSEUDONYM_HEX = 16  # 64 bits: collisions are negligible for millions of users


def pseudonym_key(raw: str | os.PathLike, root: str | os.PathLike = ".") -> bytes:
    """The pseudonymisation key for the data in `raw` (see the module docstring)."""
    env = os.environ.get(KEY_ENV, "")
    if env.strip():
        return env.strip().encode()
    key_file = Path(root) / KEY_FILE
    if key_file.is_file() and key_file.read_text().strip():
        return key_file.read_text().strip().encode()
    if is_synthetic(raw, root):
        return SYNTHETIC_KEY.encode()
    raise NextgenreError(
        f"no pseudonymisation key for {raw}: set the environment variable {KEY_ENV}, or write a "
        f"long random secret to {KEY_FILE} in the repository root (it is git-ignored), e.g. "
        f'python -c "import secrets; print(secrets.token_hex(32))" > {KEY_FILE}'
    )


def pseudonym(user_id: str, key: bytes) -> str:
    """The pseudonym of one user id."""
    return hmac.new(key, user_id.encode("utf-8"), hashlib.sha256).hexdigest()[:PSEUDONYM_HEX]


def pseudonymize(user_ids: pd.Series, key: bytes) -> pd.Series:
    """Pseudonyms of a column of user ids (each distinct id hashed once)."""
    codes, unique = pd.factorize(user_ids)
    hashed = pd.Index([pseudonym(str(u), key) for u in unique], dtype=str)
    return pd.Series(hashed.take(codes), index=user_ids.index, dtype=str)
