"""Where the raw data comes from: the synthetic stand-in that the pipeline writes, or the
researcher's own folder (`data.raw`). Synthetic results are labelled as such wherever shown."""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from nextgenre.errors import ParamsError, printable

SYNTHETIC_RAW = Path("data/raw/synthetic")  # the stand-in data that `synthesize` writes
SYNTHETIC_TRUTH = Path("data/truth")  # the truth beside it (never a model input)


def is_synthetic(raw: str | os.PathLike, root: str | os.PathLike = ".") -> bool:
    """Whether `raw` is the synthetic stand-in folder of the repository at `root`."""
    root = Path(root).resolve()
    raw = Path(raw)
    return (raw if raw.is_absolute() else root / raw).resolve() == (root / SYNTHETIC_RAW).resolve()


def pipeline_outputs(root: str | os.PathLike = ".") -> set[Path]:
    """The paths (relative to `root`) that a stage of the repository's pipelines writes: those of
    dvc.yaml and of a dvc.yaml one folder down (real/dvc.yaml), with each stage's `wdir`. Outputs
    named through a template (`${item.model}`) are left out: no raw folder is one of them."""
    root = Path(root)
    found: set[Path] = set()
    for pipeline in [root / "dvc.yaml", *sorted(root.glob("*/dvc.yaml"))]:
        if not pipeline.is_file():
            continue
        for stage in (yaml.safe_load(pipeline.read_text()) or {}).get("stages", {}).values():
            wdir = pipeline.parent / stage.get("wdir", ".")
            for out in stage.get("outs", []):
                path = out if isinstance(out, str) else next(iter(out))
                if "${" not in path:
                    found.add(Path(os.path.relpath(wdir / path, root)))
    return found


def check_raw_folder(raw: str | os.PathLike, root: str | os.PathLike = ".") -> None:
    """Stop, naming data.raw and what to do, where `raw` is neither a folder nor the output of a
    stage (which DVC runs first): DVC itself would stop at ingest's dependency with a bare
    "[Errno 2] No such file or directory"."""
    path = Path(root) / raw
    if path.is_dir() or Path(os.path.normpath(raw)) in pipeline_outputs(root):
        return
    problem = "is not a folder" if path.exists() else "no such folder"
    raise ParamsError(
        f"params.yaml: data.raw = '{printable(raw)}': {problem}. Point data.raw at a folder in the raw "
        "schema (users.csv, tweets.csv, tracks.csv), e.g. `dvc exp run -S data.raw=path/to/folder`; "
        "a folder tracked by DVC but not here yet: `dvc pull` it first"
    )
