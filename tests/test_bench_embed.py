"""Smoke test of benchmarks/bench_embed.py on a tiny RoBERTa: every table is printed."""

import importlib.util

from tests.conftest import ROOT
from tests.tiny_roberta import make_tiny_roberta


def load_bench():
    spec = importlib.util.spec_from_file_location("bench_embed", ROOT / "benchmarks" / "bench_embed.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_synthetic_texts_are_fixed_and_flops_follow_the_formula():
    bench = load_bench()
    assert bench.synthetic_lyrics(3) == bench.synthetic_lyrics(3)
    # one text of 10 tokens, 100 linear weights, 2 layers, hidden 8
    assert bench.implied_flops([10], 100, 2, 8) == 2 * 100 * 10 + 2 * 4 * 10 * 10 * 8
    assert bench.padding_waste([1, 3], 2, bucketed=True) == 1 - 4 / 6


def test_benchmark_runs_and_prints_its_tables(tmp_path, capsys):
    folder = make_tiny_roberta(tmp_path / "tiny-roberta")
    load_bench().main(
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
