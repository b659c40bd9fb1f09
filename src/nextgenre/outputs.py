"""Writing stage outputs so that a failure leaves nothing half written and bytes are reproducible."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _remove_leftovers(path: Path) -> None:
    """Temporary siblings of `path` that a killed run (SIGKILL: no clean-up) left behind."""
    for old in path.parent.glob(f".{path.stem}.*.tmp*"):
        _remove(old)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


@dataclass(frozen=True)
class Output:
    """One output of a stage: a folder or a file."""

    path: Path
    is_dir: bool


def out_dir(path: str | os.PathLike) -> Output:
    return Output(Path(path), True)


def out_file(path: str | os.PathLike) -> Output:
    return Output(Path(path), False)


def _journal(first: Path) -> Path:
    """Where a commit of outputs whose first is `first` records what it is doing."""
    return first.parent / f".{first.name}.commit.json"


def _commit(moves: list[dict]) -> None:
    """Put new outputs in place: each target to its backup, its temporary to the target.
    Idempotent: run again after a kill at any point, it finishes the same commit."""
    for move in moves:
        target, tmp, backup = (Path(move[k]) for k in ("target", "tmp", "backup"))
        if tmp.exists():
            if target.exists() or target.is_symlink():
                os.replace(target, backup)
            os.replace(tmp, target)
    for move in moves:
        _remove(Path(move["backup"]))


def recover(paths) -> None:
    """Finish a commit of outputs that a killed run left part-done (its journal is still there):
    all new outputs were complete before the journal was written, so the new set goes in place.
    Stages call this first, so their outputs are one set again before anything else happens."""
    for path in map(Path, paths):
        journal = _journal(path)
        if journal.is_file():
            base = journal.parent
            moves = [{k: base / v for k, v in m.items()} for m in json.loads(journal.read_text())]
            _commit(moves)
            journal.unlink()


@contextlib.contextmanager
def atomic_outputs(*outputs: Output) -> Iterator[list[Path]]:
    """Yield one empty temporary folder or file path beside each output; when the block ends
    without error, they replace the outputs as one unit. On any error they are removed and
    the outputs are left as they were.

    The unit: the moves are written to a journal (beside the first output) before the first
    rename and the journal is removed after the last, so a run killed part-way leaves either the
    old set, or the journal with which `recover` (called by the next run) completes the new set.
    """
    outputs = [Output(Path(o.path), o.is_dir) for o in outputs]
    recover([outputs[0].path])
    for out in outputs:
        out.path.parent.mkdir(parents=True, exist_ok=True)
        _remove_leftovers(out.path)
    temps: list[Path] = []
    journal = _journal(outputs[0].path)
    try:
        for out in outputs:
            path = out.path
            if out.is_dir:
                tmp = Path(tempfile.mkdtemp(prefix=f".{path.stem}.", suffix=".tmp", dir=path.parent))
                tmp.chmod(0o777 & ~_umask())  # mkdtemp makes it owner-only; outputs get the usual mode
            else:
                # The temporary name keeps the suffix, so writers that go by it (matplotlib) still work.
                fd, name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=f".tmp{path.suffix}", dir=path.parent)
                os.close(fd)
                tmp = Path(name)
                tmp.chmod(0o666 & ~_umask())
            temps.append(tmp)
        yield temps
        moves = [{"target": o.path, "tmp": t, "backup": t.with_name(t.name + ".old")} for o, t in zip(outputs, temps)]
        tmp_journal = journal.with_name(journal.name + ".tmp")
        tmp_journal.write_text(
            json.dumps([{k: os.path.relpath(v, journal.parent) for k, v in m.items()} for m in moves])
        )
        os.replace(tmp_journal, journal)
        _commit(moves)
        journal.unlink()
    finally:
        if not journal.exists():  # else a commit failed part-way: recover() finishes it
            for tmp in temps:
                if tmp.exists():
                    _remove(tmp)


@contextlib.contextmanager
def atomic_dir(path: str | os.PathLike) -> Iterator[Path]:
    """Yield an empty temporary folder beside `path`; on success it replaces `path` whole.

    On any error the temporary folder is removed and `path` is left as it was.
    """
    with atomic_outputs(out_dir(path)) as (tmp,):
        yield tmp


@contextlib.contextmanager
def atomic_file(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary file path beside `path`; on success it is renamed onto `path`."""
    with atomic_outputs(out_file(path)) as (tmp,):
        yield tmp


def to_jsonable(obj):
    """Numpy scalars and arrays, tuples and paths as plain JSON values."""
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if hasattr(obj, "tolist"):
        return to_jsonable(obj.tolist())
    if isinstance(obj, float):
        return round(obj, 6)
    if isinstance(obj, os.PathLike):
        return os.fspath(obj)
    return obj


def write_json(path: str | os.PathLike, obj, sort_keys: bool = True) -> None:
    """Write `obj` as JSON with rounded floats, atomically; keys sorted, or in `obj`'s own order
    where that order is meant to be read (`sort_keys=False`)."""
    with atomic_file(path) as tmp:
        tmp.write_text(json.dumps(to_jsonable(obj), indent=2, sort_keys=sort_keys) + "\n")
