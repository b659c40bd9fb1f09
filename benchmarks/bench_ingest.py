"""Time and peak memory of `dvc repro ingest`-equivalent work, VADER throughput, and the
agreement of the stress scorer with the synthetic data's latent stress.

    python benchmarks/bench_ingest.py              # synthesize + ingest in this repository
    python benchmarks/bench_ingest.py FOLDER       # ingest only, on a raw folder (in a temp dir)

Each stage runs as its own process (`python stages/<name>.py`); its wall time and peak resident
memory (os.wait4's ru_maxrss) are printed. Target at synthetic.scale 1.0: both stages under
3 minutes and 3 GiB on 2 cores. Then, in this process: ingest phases (read and check, build),
VADER texts/s on the folder's tweet texts, and, when FOLDER/truth/tweet_stress.csv exists (written
by the synthetic generator), Pearson and Spearman correlations of the scorer with the latent stress.
Writes reports/benchmarks/ingest.md (benchmarks/machine.py).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import pandas as pd  # noqa: E402
import yaml  # noqa: E402
from machine import write_report  # noqa: E402

from nextgenre import stress  # noqa: E402
from nextgenre.ingest import build  # noqa: E402
from nextgenre.pseudonym import PUBLIC_KEY  # noqa: E402
from nextgenre.schema import read_raw  # noqa: E402

GIB = 1024**3


def run_stage(name: str, cwd: Path, env: dict) -> tuple[float, float]:
    """Run stages/<name>.py in `cwd`; return (wall seconds, peak RSS in bytes)."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(ROOT / "stages" / f"{name}.py")], cwd=cwd, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"stage {name} failed with exit code {proc.returncode}")
    return wall, usage.ru_maxrss * 1024  # Linux reports KiB


def vader_rate(texts: list[str], limit: int = 20000) -> tuple[int, float]:
    """Distinct texts scored per second (the scorer caches repeated texts, so count distinct)."""
    sample = list(dict.fromkeys(texts))[:limit]
    start = time.perf_counter()
    stress.score_texts(sample)
    return len(sample), len(sample) / (time.perf_counter() - start)


def agreement(raw: Path) -> str:
    truth_file = raw / "truth" / "tweet_stress.csv"
    if not truth_file.exists():
        return "no truth/tweet_stress.csv: agreement not measured"
    from scipy.stats import pearsonr, spearmanr

    tweets = read_raw(raw).tweets[["tweet_id", "text"]]
    truth = pd.read_csv(truth_file, dtype={"tweet_id": str})
    joined = truth.merge(tweets, on="tweet_id", how="inner")
    scored = stress.score_texts(joined["text"])
    r = pearsonr(scored, joined["stress"]).statistic
    rho = spearmanr(scored, joined["stress"]).statistic
    return f"scorer vs latent stress on {len(joined)} ordinary tweets: Pearson r = {r:.3f}, Spearman rho = {rho:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("raw", nargs="?", help="raw folder to ingest (default: synthesize one here)")
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    rows = []
    if args.raw is None:
        if not (ROOT / "stages" / "synthesize.py").exists():
            sys.exit("no stages/synthesize.py: give a raw folder to ingest")
        cwd = ROOT
        params = yaml.safe_load((ROOT / "params.yaml").read_text())
        raw = ROOT / params["data"]["raw"]
        source = f"synthesized here, synthetic.scale {params['synthetic']['scale']}"
        rows.append(("synthesize", *run_stage("synthesize", cwd, env)))
        rows.append(("ingest", *run_stage("ingest", cwd, env)))
    else:
        raw = Path(args.raw).resolve()
        source = f"`{raw.name}`, ingest only"
        cwd = Path(tempfile.mkdtemp(prefix="bench_ingest."))
        params = yaml.safe_load((ROOT / "params.yaml").read_text())
        params["data"]["raw"] = str(raw)
        (cwd / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
        shutil.copy(ROOT / "dvc.yaml", cwd / "dvc.yaml")  # a stage reads the params its entry declares
        env.setdefault("NEXTGENRE_PSEUDONYM_KEY", "benchmark-key")
        rows.append(("ingest", *run_stage("ingest", cwd, env)))
        shutil.rmtree(cwd)

    total = sum(r[1] for r in rows)
    peak = max(r[2] for r in rows)
    verdict = "met" if total < 180 and peak < 3 * GIB else "NOT met"
    lines = [
        f"Raw folder: {source}; each stage as its own process.",
        "",
        "| stage | wall s | peak RSS GiB |",
        "| --- | ---: | ---: |",
        *(f"| {name} | {wall:.1f} | {rss / GIB:.2f} |" for name, wall, rss in rows),
        f"| **total** | **{total:.1f}** | {peak / GIB:.2f} |",
        "",
        f"Target under 180 s and 3 GiB: {verdict}.",
    ]

    start = time.perf_counter()
    data = read_raw(raw)
    read_s = time.perf_counter() - start
    start = time.perf_counter()
    result = build(data, PUBLIC_KEY.encode())
    build_s = time.perf_counter() - start
    n, rate = vader_rate(data.tweets["text"].tolist())
    lines += [
        "",
        f"- in-process phases: read and check {read_s:.1f} s ({len(data.tweets)} tweets), "
        f"build {build_s:.1f} s ({result.metrics['sessions']} sessions)",
        f"- VADER throughput: {rate:,.0f} texts/s ({n} distinct tweet texts)",
        f"- {agreement(raw)}",
    ]
    body = "\n".join(lines)
    write_report("ingest", "Ingest: time, memory, stress scorer", body)


if __name__ == "__main__":
    main()
