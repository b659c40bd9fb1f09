"""The common entry point of stage scripts: user errors become one clear line and exit code 2."""

from __future__ import annotations

import sys
from typing import Callable

from nextgenre.errors import NextgenreError


def run_stage(main: Callable[[], None]) -> None:
    """Run a stage's main(); a NextgenreError prints `error: <message>` and exits 2."""
    try:
        main()
    except NextgenreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
