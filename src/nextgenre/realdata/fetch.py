"""Bring the pinned public sources into `data/external/` from a local copy, offline.

    python -m nextgenre.realdata.fetch --from ../shared/data

Each committed `data/external/<name>.dvc` pins one public file: its upstream address (with
network, `dvc update data/external/<name>.dvc` downloads it) and the md5 of its bytes. Offline,
this command finds a file of the same name under the folder given, checks that its bytes are the
pinned ones, copies it into place and puts it into the DVC cache, exactly as `dvc update` would
leave it: the `.dvc` files stay as committed, so `git status` stays clean and `dvc status`
finds the sources up to date.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import yaml

from nextgenre.errors import NextgenreError, RawDataError
from nextgenre.outputs import atomic_file
from nextgenre.realdata.sources import file_digest

EXTERNAL = Path("data/external")


def pinned_sources(root: Path = Path(".")) -> dict[Path, str]:
    """Each pinned source (its path in the repository) and the md5 its `.dvc` file records."""
    pinned = {}
    for dvc_file in sorted((root / EXTERNAL).glob("*.dvc")):
        (out,) = yaml.safe_load(dvc_file.read_text())["outs"]
        pinned[EXTERNAL / out["path"]] = out["md5"]
    return pinned


def find_copy(name: str, folder: Path) -> Path:
    found = sorted(p for p in folder.rglob(name) if p.is_file())
    if not found:
        raise RawDataError(
            folder / name,
            None,
            None,
            f"no copy of {name} under {folder}; with network, `dvc update {EXTERNAL / name}.dvc` downloads it",
        )
    return found[0]


def fetch(source_folder: Path, root: Path = Path(".")) -> list[Path]:
    """Copy every pinned source from `source_folder` into the repository at `root` and commit it
    to the DVC cache. Checks every copy before it writes anything."""
    pinned = pinned_sources(root)
    if not pinned:
        raise NextgenreError(f"no pinned sources: {root / EXTERNAL}/*.dvc not found (run from the repository root)")
    copies = {}
    for path, expected in pinned.items():
        copy = find_copy(path.name, source_folder)
        if file_digest(copy, "md5") != expected:
            raise RawDataError(
                copy, None, None, f"not the pinned bytes of {path} (md5 differs from {expected} in {path}.dvc)"
            )
        copies[path] = copy
    for path, copy in copies.items():
        target = root / path
        if not (target.is_file() and file_digest(target, "md5") == pinned[path]):
            with atomic_file(target) as tmp:
                shutil.copyfile(copy, tmp)
    _commit_to_cache(root, [f"{path}.dvc" for path in copies])
    return list(copies)


def _commit_to_cache(root: Path, dvc_files: list[str]) -> None:
    """Put the sources' bytes into the DVC cache under their pinned hashes, leaving the `.dvc`
    files as they are (what `dvc update` leaves, without contacting the upstream address)."""
    from dvc.repo import Repo

    with Repo(str(root)) as repo, repo.lock:
        for stage in repo.index.stages:
            if stage.relpath in dvc_files:
                for out in stage.outs:
                    out.save()
                    out.commit()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m nextgenre.realdata.fetch", description=__doc__.split("\n\n")[0])
    parser.add_argument("--from", dest="folder", type=Path, required=True, help="a folder holding copies (searched)")
    args = parser.parse_args(argv)
    for path in fetch(args.folder):
        print(f"fetch: {path} (pinned bytes, from {args.folder})")


if __name__ == "__main__":
    try:
        main()
    except NextgenreError as e:
        raise SystemExit(f"fetch: {e}") from None
