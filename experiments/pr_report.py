"""Markdown for a pull request: what changed in metrics, params and plots against a base revision.

    python experiments/pr_report.py --base origin/main --out pr_report [--smoke pr-smoke]
                                    [--images-url URL]

writes pr_report/report.md (the comment body), pr_report/plots/ (`dvc plots diff` HTML of
every plot, base and head overlaid) and pr_report/images/ (each changed PNG plot, base and
head). `--smoke NAME` adds the headline numbers of the experiment NAME (the workflow's
small-scale run). `--images-url URL` lists changed images with a link to URL (where the
workflow's artifact holds them) instead of embedding them, so that no image leaves GitHub.
The GitHub workflow .github/workflows/pr.yml posts report.md with CML.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

SYNTHETIC_NOTE = "> Results on the synthetic stand-in data test the pipeline, not the paper's hypothesis."


def dvc(*args: str) -> str:
    """Run a dvc command and return its standard output; fail with its message."""
    proc = subprocess.run(["dvc", *args], capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"dvc {' '.join(args)} failed:\n{proc.stderr}")
    return proc.stdout.strip()


def git_bytes(rev: str, path: str) -> bytes | None:
    """A file's bytes at a revision, or None where it did not exist."""
    proc = subprocess.run(["git", "show", f"{rev}:{path}"], capture_output=True)
    return proc.stdout if proc.returncode == 0 else None


def changed_images(base: str, out: Path) -> list[tuple[str, str | None, str]]:
    """Copy each PNG under plots/ and reports/ that differs from `base` into out/images."""
    rows = []
    for head_path in sorted([*Path("plots").rglob("*.png"), *Path("reports").rglob("*.png")]):
        path = head_path.as_posix()
        head = head_path.read_bytes()
        old = git_bytes(base, path)
        if old == head:
            continue
        flat = path.replace("/", "__").removesuffix(".png")
        (out / "images").mkdir(parents=True, exist_ok=True)
        (out / "images" / f"{flat}.head.png").write_bytes(head)
        base_name = None
        if old is not None:
            base_name = f"images/{flat}.base.png"
            (out / base_name).write_bytes(old)
        rows.append((path, base_name, f"images/{flat}.head.png"))
    return rows


def changed(kind: str, base: str, nothing: str) -> str:
    """`dvc metrics|params diff` against base as a markdown table, or `nothing` where none
    changed (`--md` prints an empty table then, so emptiness is read from `--json`)."""
    if not json.loads(dvc(kind, "diff", base, "--json") or "{}"):
        return nothing
    return dvc(kind, "diff", base, "--md")


def smoke_section(name: str) -> list[str]:
    """The headline numbers of experiment `name`: accuracy per model with its 95% interval, and
    the best baseline."""
    from nextgenre.grid import read_comparison
    from nextgenre.registry import label

    comparison = read_comparison(name)
    rows = ["| predictor | test accuracy | 95% CI |", "| --- | ---: | :-: |"]
    for model, m in comparison["models"].items():
        rows.append(f"| {label(model)} | {m['accuracy']:.3f} | [{m['ci_low']:.3f}, {m['ci_high']:.3f}] |")
    best = comparison["best_baseline"]
    rows.append(f"| best baseline ({best['name']}) | {best['accuracy']:.3f} | |")
    return [
        f"### Smoke run `{name}`",
        "",
        "The pull request's code at a tiny scale: it shows that the pipeline runs end to end; "
        "its numbers are not comparable with the committed full-scale results.",
        "",
        *rows,
        "",
    ]


def build_report(base: str, out: Path, smoke: str | None = None, images_url: str | None = None) -> str:
    out.mkdir(parents=True, exist_ok=True)
    metrics = changed("metrics", base, "No metric changed.")
    params = changed("params", base, "No parameter changed.")
    dvc("plots", "diff", base, "--out", str(out / "plots"))
    images = changed_images(base, out)
    lines = [
        f"## Pipeline changes against `{base}`",
        "",
        SYNTHETIC_NOTE,
        "",
        *(smoke_section(smoke) if smoke else []),
        "### Metrics",
        "",
        metrics,
        "",
        "### Parameters",
        "",
        params,
        "",
        "### Plots",
        "",
        "Every plot, base and head overlaid: `plots/index.html` in the workflow's artifact.",
        "",
    ]
    if images and images_url:
        lines += [f"Changed image plots ([base and head in the workflow's artifact]({images_url})):", ""]
        lines += [f"- `{path}`{'' if old else ' (new)'}" for path, old, _ in images]
    elif images:
        lines += ["| plot | base | head |", "| --- | --- | --- |"]
        for path, old, new in images:
            lines.append(f"| `{path}` | {f'![]({old})' if old else 'new'} | ![]({new}) |")
    else:
        lines.append("No image plot changed.")
    report = "\n".join(lines) + "\n"
    (out / "report.md").write_text(report)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="main", help="git revision to compare with")
    parser.add_argument("--out", default="pr_report", type=Path, help="output folder")
    parser.add_argument("--smoke", metavar="NAME", help="experiment whose headline numbers to add")
    parser.add_argument("--images-url", metavar="URL", help="link changed images to URL instead of embedding them")
    args = parser.parse_args()
    print(build_report(args.base, args.out, args.smoke, args.images_url))


if __name__ == "__main__":
    main()
