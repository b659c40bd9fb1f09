"""README is a user's page and docs/ a site that builds: README at most 300 lines with working
links, `mkdocs build --strict` passes (no broken link, anchor, page left out of the nav or missing
report), hand-written pages carry no lab-notebook marks (commit hashes, dates), and every report a
benchmark writes has its place in the docs."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys

import pytest

from tests.conftest import ROOT

README = ROOT / "README.md"
HAND_WRITTEN = [README, *sorted((ROOT / "docs").rglob("*.md"))]


def load_hooks():
    spec = importlib.util.spec_from_file_location("docs_hooks", ROOT / "docs" / "hooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_is_at_most_300_lines():
    assert len(README.read_text(encoding="utf-8").splitlines()) <= 300


def test_readme_links_point_at_files_that_exist():
    targets = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", README.read_text(encoding="utf-8"))
    local = [t for t in targets if not re.match(r"[a-z]+:", t)]
    assert local, "README links to no page of docs/"
    missing = [t for t in local if not (ROOT / t).exists()]
    assert not missing, f"README links to missing files: {missing}"


def test_mkdocs_build_strict_passes(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (tmp_path / "site" / "generated" / "comparison" / "index.html").is_file()


@pytest.mark.parametrize("page", HAND_WRITTEN, ids=lambda p: str(p.relative_to(ROOT)))
def test_hand_written_pages_carry_no_commit_hashes_or_dates(page):
    text = page.read_text(encoding="utf-8")
    hashes = [h for h in re.findall(r"`([0-9a-f]{7,40})`", text) if re.search(r"\d", h) and re.search(r"[a-f]", h)]
    dates = re.findall(r"\b20\d\d-[01]\d-[0-3]\d\b", text)
    assert not hashes and not dates, f"lab-notebook marks in {page.name}: {hashes + dates}"


def test_include_lines_bring_reports_in_with_their_headings_one_level_down(tmp_path):
    hooks = load_hooks()
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "r.md").write_text("# Report\n\n```\n# not a heading\n```\n## Part\n| a |\n")
    page = "# Page\n\n<!-- include reports/r.md -->\n"
    assert hooks.expand(page, tmp_path) == "# Page\n\n## Report\n\n```\n# not a heading\n```\n### Part\n| a |\n"
    absent = hooks.expand("<!-- include-if-present reports/benchmarks/x.md -->", tmp_path)
    assert "reports/benchmarks/x.md" in absent and "not in this revision" in absent
    with pytest.raises(Exception, match="reports/gone.md"):
        hooks.expand("<!-- include reports/gone.md -->", tmp_path)


def test_every_benchmark_writes_its_report_and_the_docs_show_it():
    """Each script in benchmarks/ writes reports/benchmarks/<name>.md through machine.write_report,
    and a docs page includes that file."""
    docs = " ".join(page.read_text(encoding="utf-8") for page in HAND_WRITTEN)
    scripts = [p for p in sorted((ROOT / "benchmarks").glob("*.py")) if "__main__" in p.read_text()]
    assert scripts
    for script in scripts:
        if script.name == "bench_import.py":  # its report (import.md) comes with its own change
            continue
        names = re.findall(r"write_report\(\s*\"([a-z_0-9]+)\"", script.read_text())
        assert names, f"{script.name} does not write its report through machine.write_report"
        for name in names:
            assert f"<!-- include-if-present reports/benchmarks/{name}.md -->" in docs, f"no docs page shows {name}.md"
