"""Pseudonyms for user ids: a keyed hash (HMAC-SHA256), so no raw id leaves `ingest`.

Which key, by where the data comes from (nextgenre.sources.is_public):
- public data (the synthetic stand-in, and raw folders that the import of the public listening
  archives wrote): the committed PUBLIC_KEY, whatever else is set. Those ids are public already
  (the synthetic users are not people; the archives' ids are in a published data set): the
  pseudonyms only keep them out of the outputs, and a public key makes every number on these
  data the same in every clone. A secret key set for private data never changes them;
- private data: a secret key, from the environment variable NEXTGENRE_PSEUDONYM_KEY or else
  the git-ignored file `.nextgenre-key` in the repository root (`python -m nextgenre.pseudonym
  new` writes one). Its fingerprint (never the key) is the param `data.key_fingerprint`, so a
  changed key is an input DVC sees: ingest stops until the param names the key in use.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import os
import secrets
from pathlib import Path

import pandas as pd

from nextgenre.errors import NextgenreError
from nextgenre.sources import is_public

KEY_ENV = "NEXTGENRE_PSEUDONYM_KEY"
KEY_FILE = ".nextgenre-key"
# Public on purpose, for public data only. The value dates from when only the synthetic data used
# it; another value would give other pseudonyms, another user split and other numbers.
PUBLIC_KEY = "nextgenre-synthetic-public-key"
MIN_SECRET_CHARS = 32
FINGERPRINT_PARAM = "data.key_fingerprint"
PSEUDONYM_HEX = 16  # 64 bits: collisions are negligible for millions of users


def _secret_key(root: str | os.PathLike) -> tuple[bytes, str]:
    """The secret key for private data and where it came from."""
    env = os.environ.get(KEY_ENV)
    if env is not None:
        key, where = env.strip(), f"the environment variable {KEY_ENV}"
    elif (Path(root) / KEY_FILE).is_file():
        key, where = (Path(root) / KEY_FILE).read_text().strip(), f"the file {KEY_FILE}"
    else:
        raise NextgenreError(
            f"private data needs a secret pseudonymisation key: run `python -m nextgenre.pseudonym new` "
            f"(writes a random one to {KEY_FILE}, which git ignores, and prints its fingerprint), or set "
            f"the environment variable {KEY_ENV}"
        )
    if len(key) < MIN_SECRET_CHARS:
        raise NextgenreError(
            f"the pseudonymisation key in {where} is {'empty' if not key else f'{len(key)} characters'}: "
            f"use a random secret of at least {MIN_SECRET_CHARS} characters (`python -m nextgenre.pseudonym new`)"
        )
    return key.encode(), where


def key_fingerprint(key: bytes) -> str:
    """A fingerprint of a key that tells keys apart and gives nothing of the key away."""
    return hashlib.sha256(b"nextgenre key fingerprint\0" + key).hexdigest()[:16]


def pseudonym_key(raw: str | os.PathLike, root: str | os.PathLike = ".", fingerprint: str | None = None) -> bytes:
    """The pseudonymisation key for the data in `raw` (see the module docstring). For private
    data, `fingerprint` is the param data.key_fingerprint: the key in use must have it."""
    if is_public(raw, root):
        return PUBLIC_KEY.encode()
    key, where = _secret_key(root)
    actual = key_fingerprint(key)
    if fingerprint != actual:
        raise NextgenreError(
            f"{FINGERPRINT_PARAM} is {fingerprint!r}, but the pseudonymisation key in {where} has the "
            f"fingerprint {actual}: another key gives other pseudonyms, so DVC must see it. Set "
            f"`{FINGERPRINT_PARAM}: {actual}` in params.yaml (or `dvc exp run -S {FINGERPRINT_PARAM}={actual}`); "
            "it is a fingerprint, not the key, and safe to commit"
        )
    return key


def pseudonym(user_id: str, key: bytes) -> str:
    """The pseudonym of one user id."""
    return hmac.new(key, user_id.encode("utf-8"), hashlib.sha256).hexdigest()[:PSEUDONYM_HEX]


def pseudonymize(user_ids: pd.Series, key: bytes) -> pd.Series:
    """Pseudonyms of a column of user ids (each distinct id hashed once)."""
    codes, unique = pd.factorize(user_ids)
    hashed = pd.Index([pseudonym(str(u), key) for u in unique], dtype=str)
    return pd.Series(hashed.take(codes), index=user_ids.index, dtype=str)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m nextgenre.pseudonym", description="The secret pseudonymisation key for private data."
    )
    parser.add_argument(
        "command", choices=["new", "fingerprint"], help="new: write a random key; fingerprint: print it"
    )
    args = parser.parse_args(argv)
    if args.command == "new":
        path = Path(KEY_FILE)
        if path.exists():
            raise SystemExit(f"{KEY_FILE} exists already; remove it first to change the key (pseudonyms change)")
        path.write_text(secrets.token_hex(32) + "\n")
        path.chmod(0o600)
    key, where = _secret_key(".")
    print(f"{FINGERPRINT_PARAM}: {key_fingerprint(key)}   # key from {where}")


if __name__ == "__main__":
    try:
        main()
    except NextgenreError as e:
        raise SystemExit(str(e)) from None
