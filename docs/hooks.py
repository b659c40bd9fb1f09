"""MkDocs hook: pages include the repository's generated reports instead of copying their numbers.

A line `<!-- include reports/power.md -->` in a page is replaced by that file (a path from the
repository root), its headings one level down so that it sits under the page's own title; a
missing file stops the build. `<!-- include-if-present reports/benchmarks/train.md -->` does the
same for a report that a benchmark writes when someone runs it, and says so where it is absent.
Hand-written pages thus carry no measured figure: they show the files that the pipeline, the
studies and the benchmarks wrote (mkdocs.yml names this file under `hooks:`).
"""

from __future__ import annotations

import re
from pathlib import Path

from mkdocs.exceptions import PluginError

INCLUDE = re.compile(r"^<!-- (include|include-if-present) (\S+) -->$", re.M)
FENCE = re.compile(r"^(```|~~~)")


def demote_headings(text: str) -> str:
    """Every markdown heading outside code fences one level down (at most level 6)."""
    lines, fenced = [], False
    for line in text.splitlines():
        if FENCE.match(line):
            fenced = not fenced
        elif not fenced and re.match(r"#{1,5} ", line):
            line = "#" + line
        lines.append(line)
    return "\n".join(lines)


def expand(markdown: str, root: Path) -> str:
    """The page with each include line replaced by the file it names (see the module's doc)."""

    def replace(found: re.Match) -> str:
        kind, name = found.groups()
        path = root / name
        if path.is_file():
            return demote_headings(path.read_text(encoding="utf-8"))
        if kind == "include":
            raise PluginError(f"a page includes {name}, which does not exist")
        return f"*`{name}` is not in this revision yet: the command above writes it.*"

    return INCLUDE.sub(replace, markdown)


def on_page_markdown(markdown, *, page, config, files):
    return expand(markdown, Path(config.config_file_path).parent)
