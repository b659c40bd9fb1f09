"""The public files this import reads, where they come from, and how to get them with DVC.

Each is brought into `data/external/` by DVC, pinned by its hash (README "Real data"): the
committed `data/external/<name>.dvc` files import the copies in `../shared/data/` (offline, as
here and in CI: `dvc update data/external/<name>.dvc`); with network, `dvc import-url --force
<upstream url> data/external/<name>` imports the same bytes from GitHub. Known files are checked
against their published sha256 before they are read.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from nextgenre.errors import RawDataError

UPSTREAM = {
    "all_tweets_lastfm.7z": (
        "https://raw.githubusercontent.com/sidooms/Twitter-ratings/"
        "a51649e9da3a0e370c32b32ce194ec2b3aad753a/2M-cross-domain-rating-tweets/all_tweets_lastfm.7z",
        "00774db7e0d26c028b37eb14cf8dd46a999420726b23b333b8a05c6884c74ff4",
    ),
    "data_w_genres.csv": (
        "https://raw.githubusercontent.com/swarupa29/Data-science-project-Song-Genre/"
        "06aca6f2fde38ac0c55847fa3f0bb99329ed7f02/data_w_genres.csv",
        "06ed5251f02dbd74dea88f3acdcca698144d1087a4540fa18b7769f928637bcb",
    ),
}


def fetch_command(path: Path) -> str:
    """The command that brings `path` into the repository."""
    if path.name in UPSTREAM:
        dvc_file = path.with_name(path.name + ".dvc")
        return (
            f"`dvc update {dvc_file}` (from ../shared/data), or with network "
            f"`dvc import-url --force {UPSTREAM[path.name][0]} {path}`"
        )
    return f"`dvc import-url <url or local path of {path.name}> {path}`"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_source(path: str | Path) -> None:
    """A missing file, or a known file whose bytes are not the published ones, stops the import
    with a message naming the file and the command that fetches it."""
    path = Path(path)
    if not path.is_file():
        raise RawDataError(path, None, None, f"not found: get it with {fetch_command(path)}")
    if path.name in UPSTREAM and sha256(path) != UPSTREAM[path.name][1]:
        raise RawDataError(
            path,
            None,
            None,
            f"not the published file (sha256 differs from {UPSTREAM[path.name][1]}): "
            f"get it again with {fetch_command(path)}",
        )
