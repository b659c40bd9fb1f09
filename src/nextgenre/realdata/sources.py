"""The public files this import reads, where they come from, and how to get them with DVC.

Each lives in `realdata.sources` (data/external/), pinned by its hash: the committed
`data/external/<name>.dvc` files record the upstream address and the bytes' md5. With network,
`dvc update data/external/<name>.dvc` downloads one; offline, `python -m nextgenre.realdata.fetch
--from <folder>` copies the same bytes from a local copy (e.g. ../shared/data). Known files are
also checked against their published sha256 before they are read.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from nextgenre.errors import ParamsError, RawDataError
from nextgenre.sources import SYNTHETIC_RAW

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
    """The commands that bring `path` into the repository."""
    dvc_file = path.with_name(path.name + ".dvc")
    if dvc_file.is_file() or path.name in UPSTREAM:
        return (
            f"`dvc update {dvc_file}` (network), or offline `python -m nextgenre.realdata.fetch --from <folder with "
            "a copy>` (e.g. ../shared/data)"
        )
    return f"`dvc import-url <url of {path.name}> {path}`, then add its name to realdata.archives"


def file_digest(path: Path, algorithm: str = "sha256") -> str:
    """The hex digest of a file's bytes (sha256 for the published hashes, md5 for DVC's pins)."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, algorithm).hexdigest()


def check_source(path: str | Path) -> None:
    """A missing file, or a known file whose bytes are not the published ones, stops the import
    with a message naming the file and the command that fetches it."""
    path = Path(path)
    if not path.is_file():
        raise RawDataError(path, None, None, f"not found: get it with {fetch_command(path)}")
    if path.name in UPSTREAM and file_digest(path) != UPSTREAM[path.name][1]:
        raise RawDataError(
            path,
            None,
            None,
            f"not the published file (sha256 differs from {UPSTREAM[path.name][1]}): "
            f"get it again with {fetch_command(path)}",
        )


def source_files(p: dict) -> tuple[list[Path], Path]:
    """The archives and the genre table that params `realdata` name, as paths in the folder
    `realdata.sources` (the stage's DVC dependency: a file elsewhere would not be one), after
    checking that `realdata.out` is a folder of its own."""
    folder = Path(p["sources"])
    named = {f"realdata.archives[{i}]": name for i, name in enumerate(p["archives"])}
    named["realdata.genres"] = p["genres"]
    for setting, name in named.items():
        if Path(name).name != name or name in (".", ".."):
            raise ParamsError(
                f"params.yaml: {setting} = {name!r}: expected a file name in realdata.sources ({folder}); "
                f"put the file there (`dvc import-url <url> {folder}/<name>`) and name it alone"
            )
    check_out_folder(p["out"], folder)
    return [folder / name for name in p["archives"]], folder / p["genres"]


def check_out_folder(out: str, sources: Path) -> None:
    """`realdata.out` may not lie in the sources folder nor be (or hold) the synthetic stand-in."""
    out_path = Path(out).resolve()
    for other, what in ((sources, "the sources folder realdata.sources"), (SYNTHETIC_RAW, "the synthetic data")):
        resolved = other.resolve()
        if out_path == resolved or resolved in out_path.parents or out_path in resolved.parents:
            raise ParamsError(
                f"params.yaml: realdata.out = {out!r} overlaps {what} ({other}): "
                "name a folder of its own, e.g. data/raw/lastfm"
            )
