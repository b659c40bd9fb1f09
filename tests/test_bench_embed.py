"""Smoke test of benchmarks/bench_embed.py on a tiny RoBERTa: every table is printed and written
to its report (reports/benchmarks/embed.md, here in a temporary folder)."""

import importlib.util
import sys

import pytest

from tests.conftest import ROOT
from tests.tiny_roberta import make_tiny_roberta


@pytest.fixture
def bench(monkeypatch):
    """benchmarks/bench_embed.py as a module, its folder on sys.path as for a script run there."""
    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))
    spec = importlib.util.spec_from_file_location("bench_embed", ROOT / "benchmarks" / "bench_embed.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_synthetic_texts_are_fixed_and_flops_follow_the_formula(bench):
    assert bench.synthetic_lyrics(3) == bench.synthetic_lyrics(3)
    # one text of 10 tokens, 100 linear weights, 2 layers, hidden 8
    assert bench.implied_flops([10], 100, 2, 8) == 2 * 100 * 10 + 2 * 4 * 10 * 10 * 8
    assert bench.padding_waste([1, 3], 2, bucketed=True) == 1 - 4 / 6


def test_benchmark_runs_and_prints_its_tables_and_writes_its_report(bench, tmp_path, capsys, monkeypatch):
    folder = make_tiny_roberta(tmp_path / "tiny-roberta")
    monkeypatch.setattr(sys.modules["machine"], "REPORTS", tmp_path / "reports" / "benchmarks")
    bench.main(
        [
            "--texts",
            "6",
            "--model",
            str(folder),
            "--max-length",
            "32",
            "--batch-size",
            "4",
            "--precision-texts",
            "4",
            "--scale-tracks",
            "100",
            "--matmul-sizes",
            "256",
        ]
    )
    out = capsys.readouterr().out
    assert "SYNTHETIC" in out and "| 4 | 6 |" in out and "ratio" in out
    assert "| float32 |" in out and "| bfloat16 (autocast) |" in out and "estimate: 100 tracks" in out
    report = (tmp_path / "reports" / "benchmarks" / "embed.md").read_text()
    assert "| float32 |" in report and "GFLOP/s" in report and "Command: `python " in report
