"""The common entry point of stage scripts: outputs checked before any work, user errors printed
as one clear line with exit code 2, and a quiet console: a stage prints its own lines (at most one
per training epoch and one summary line), while the libraries' warnings (TensorFlow, Keras,
scikit-learn, ...) are dropped unless NEXTGENRE_VERBOSE=1 (nextgenre.backend also keeps
TensorFlow's C++ log off the console then)."""

from __future__ import annotations

import errno
import gc
import logging
import os
import shutil
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path

from nextgenre.errors import NextgenreError, OutputError, printable
from nextgenre.outputs import recover

MIN_FREE_BYTES = 200 * 2**20  # below this much free disk, a stage stops before it starts
VERBOSE_ENV = "NEXTGENRE_VERBOSE"


def verbose() -> bool:
    """Whether NEXTGENRE_VERBOSE asks for the libraries' warnings and logs on the console."""
    return os.environ.get(VERBOSE_ENV, "0").strip() not in ("", "0")


def quiet_libraries() -> None:
    """Unless verbose(): drop every Python warning (the package raises none of its own: what
    comes is a library's, such as scikit-learn's ConvergenceWarning) and the warnings that
    TensorFlow, absl and Keras log."""
    if verbose():
        return
    warnings.simplefilter("ignore")
    for name in ("tensorflow", "absl", "keras"):
        logging.getLogger(name).setLevel(logging.ERROR)


def _writable(folder: Path) -> None:
    """Raise OSError unless a file can be created in `folder` (as the user running the stage)."""
    if not folder.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "not a folder")
    with tempfile.TemporaryFile(dir=folder):
        pass


def check_writable(paths: Iterable[str | Path], min_free_bytes: int = MIN_FREE_BYTES) -> None:
    """Stop at once where an output cannot be written: the folder it goes in cannot be created or
    written to; it exists and cannot be replaced (a folder, or a folder inside it, that cannot be
    written to: its entries could not be removed); or its disk is nearly full."""
    for path in map(Path, paths):
        folder = path.parent
        try:
            while not folder.exists():  # the nearest existing folder: nothing is created here
                folder = folder.parent
            _writable(folder)
            if path.is_dir() and not path.is_symlink():
                for inner, _, _ in os.walk(path, onerror=_raise):
                    _writable(Path(inner))
        except OSError as exc:
            raise OutputError(f"{path}: cannot be written ({exc.strerror or exc})") from None
        free = shutil.disk_usage(folder).free
        if free < min_free_bytes:
            raise OutputError(
                f"{path}: only {free / 2**20:.0f} MiB free on its disk, at least "
                f"{min_free_bytes / 2**20:.0f} MiB needed"
            )


def _raise(exc: OSError) -> None:
    raise exc


def prepare_outputs(paths: Iterable[str | Path]) -> None:
    """Before any work: finish a commit of these outputs that a killed run left part-done (they
    are one set again), then check that they can be written."""
    paths = list(paths)
    try:
        recover(paths)
    except OSError as exc:
        raise OutputError(f"{paths[0]}: an interrupted commit could not be finished ({exc.strerror or exc})") from None
    check_writable(paths)


def run_stage(main: Callable[[], None], outputs: Iterable[str | Path] = ()) -> None:
    """Prepare `outputs` (prepare_outputs), then run the stage's main(); a NextgenreError prints
    `error: <message>` and exits 2. Libraries' warnings stay off the console (quiet_libraries)."""
    quiet_libraries()
    try:
        prepare_outputs(outputs)
        main()
        gc.freeze()  # all that is left lives until exit: the collector need not walk it there
    except NextgenreError as exc:
        print(f"error: {printable(exc)}", file=sys.stderr)
        sys.exit(2)
