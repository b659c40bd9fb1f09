"""Where the raw data comes from: the synthetic stand-in that the pipeline writes, a raw folder
that the import of the public listening archives wrote, or the researcher's own folder
(`data.raw`). Synthetic results are labelled as such wherever shown; public data is
pseudonymised with a public key, private data with a secret one (nextgenre.pseudonym)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import yaml

from nextgenre.errors import ParamsError, printable

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


def pipeline_outputs(root: str | os.PathLike = ".") -> set[Path]:
    """The paths (relative to `root`) that a stage of the repository's pipelines writes: those of
    dvc.yaml and of a dvc.yaml one folder down (real/dvc.yaml), with each stage's `wdir`. Outputs
    named through a template take their value from params.yaml (`${realdata.out}`); those of a
    matrix (`${item.model}`) are left out: no raw folder is one of them."""
    root = Path(root)
    params = yaml.safe_load((root / "params.yaml").read_text()) if (root / "params.yaml").is_file() else {}
    found: set[Path] = set()
    for pipeline in [root / "dvc.yaml", *sorted(root.glob("*/dvc.yaml"))]:
        if not pipeline.is_file():
            continue
        for stage in (yaml.safe_load(pipeline.read_text()) or {}).get("stages", {}).values():
            wdir = pipeline.parent / stage.get("wdir", ".")
            for out in stage.get("outs", []):
                path = _from_params(out if isinstance(out, str) else next(iter(out)), params or {})
                if "${" not in path:
                    found.add(Path(os.path.relpath(wdir / path, root)))
    return found


def _from_params(path: str, params: dict) -> str:
    """`path` with each `${a.b}` that names a setting of params.yaml replaced by its value."""

    def value(match: re.Match) -> str:
        node = params
        for key in match.group(1).split("."):
            if not isinstance(node, dict) or key not in node:
                return match.group(0)
            node = node[key]
        return str(node)

    return re.sub(r"\$\{([\w.]+)\}", value, path)


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
