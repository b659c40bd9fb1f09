"""The common entry point of stage scripts: outputs checked before any work, and user errors
printed as one clear line with exit code 2."""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path
from typing import Callable, Iterable

from nextgenre.errors import NextgenreError, OutputError

MIN_FREE_BYTES = 200 * 2**20  # below this much free disk, a stage stops before it starts


def check_writable(paths: Iterable[str | Path], min_free_bytes: int = MIN_FREE_BYTES) -> None:
    """Stop at once where an output cannot be written: its folder cannot be created or written
    to, or its disk is nearly full."""
    for path in map(Path, paths):
        folder = path.parent
        while not folder.exists():  # the nearest existing folder: nothing is created here
            folder = folder.parent
        try:
            if not folder.is_dir():
                raise NotADirectoryError(f"{folder} is not a folder")
            with tempfile.TemporaryFile(dir=folder):
                pass
        except OSError as exc:
            raise OutputError(f"{path}: cannot be written ({exc.strerror or exc})") from None
        free = shutil.disk_usage(folder).free
        if free < min_free_bytes:
            raise OutputError(f"{path}: only {free / 2**20:.0f} MiB free on its disk, at least "
                              f"{min_free_bytes / 2**20:.0f} MiB needed")


def run_stage(main: Callable[[], None], outputs: Iterable[str | Path] = ()) -> None:
    """Check that `outputs` can be written, then run the stage's main(); a NextgenreError prints
    `error: <message>` and exits 2."""
    try:
        check_writable(outputs)
        main()
    except NextgenreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
