"""Benchmark of the `embed` stage's encoder against the machine's plain float32 matmul rate.

    PYTHONPATH=src python benchmarks/bench_embed.py --texts 2000          # synthetic lyrics
    PYTHONPATH=src python benchmarks/bench_embed.py --tracks data/interim/tracks.parquet

In one run, with one thread count (NEXTGENRE_THREADS, default every CPU), it measures:

(a) the stage's encoding throughput: real (non-padding) tokens per second through
    `Encoder.encode_counted` (tokenising, length-bucketed batching, model, pooling), and the
    matmul FLOP rate that implies. FLOPs per text of L real tokens, for a BERT-like encoder:
        2 * P_linear * L                     (every linear layer: 2 FLOPs per weight per token)
      + n_layers * 4 * L^2 * hidden          (attention scores Q.K^T and the weighted sum A.V)
    where P_linear counts the weights of all linear layers except the pooler. Embedding lookups,
    softmax, GELU and layer norms are not counted (they are not matmuls), nor is padding.
(b) the machine's plain float32 matmul rate: torch.matmul on square matrices (1024 and 2048),
    best of a few repetitions.
It reports their ratio, then a precision table: float32 vs bfloat16 (torch.autocast on CPU) vs
dynamic int8 (torch.ao.quantization.quantize_dynamic on the linear layers), with speed and the
cosine similarity of each vector to its float32 counterpart on the same texts.

Synthetic texts come from a fixed word list and a seeded generator: no data needed.
Labelled SYNTHETIC in the output when used. Writes reports/benchmarks/embed.md
(benchmarks/machine.py).
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import os
import random
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import torch
from machine import write_report

from nextgenre.encoder import load_encoder
from nextgenre.text import clean_all
from nextgenre.threads import threads

WORDS = [
    "love",
    "heart",
    "night",
    "baby",
    "dance",
    "fire",
    "dream",
    "rain",
    "tears",
    "light",
    "money",
    "street",
    "city",
    "girl",
    "boy",
    "time",
    "road",
    "home",
    "sky",
    "soul",
    "blood",
    "gold",
    "river",
    "ocean",
    "summer",
    "winter",
    "moon",
    "star",
    "burn",
    "cry",
    "feel",
    "hold",
    "run",
    "fall",
    "break",
    "shine",
    "lonely",
    "broken",
    "wild",
    "free",
    "young",
    "forever",
    "never",
    "always",
    "tonight",
    "tomorrow",
    "yesterday",
    "remember",
    "forget",
    "whisper",
    "scream",
    "music",
    "rhythm",
    "beat",
    "party",
    "drink",
    "smoke",
    "highway",
    "train",
    "letter",
    "phone",
    "window",
    "mirror",
    "shadow",
    "angel",
    "devil",
    "heaven",
    "hell",
    "pray",
    "believe",
    "lie",
    "truth",
    "kiss",
    "touch",
    "hand",
    "eyes",
    "face",
    "voice",
    "song",
    "sing",
    "guitar",
    "drum",
    "bass",
    "crowd",
    "stage",
]
FILLER = [
    "i",
    "you",
    "me",
    "my",
    "your",
    "we",
    "the",
    "a",
    "and",
    "to",
    "in",
    "on",
    "of",
    "it",
    "is",
    "was",
    "be",
    "for",
    "with",
    "all",
    "so",
    "but",
    "oh",
    "yeah",
]


def synthetic_lyrics(n: int, seed: int = 0) -> list[str]:
    """n lyrics-like texts, 60-400 words each, with a repeated chorus (SYNTHETIC)."""
    rng = random.Random(seed)
    texts = []
    for _ in range(n):
        chorus = " ".join(rng.choice(WORDS + FILLER) for _ in range(rng.randint(8, 16)))
        lines, words = [], rng.randint(60, 400)
        while sum(len(line.split()) for line in lines) < words:
            if rng.random() < 0.25:
                lines.append(chorus)
            else:
                lines.append(" ".join(rng.choice(WORDS + FILLER * 2) for _ in range(rng.randint(5, 10))))
        texts.append("\n".join(lines))
    return texts


def matmul_gflops(threads_n: int, sizes=(1024, 2048), reps: int = 5) -> dict[int, float]:
    """Best plain float32 torch.matmul rate per square size, in GFLOP/s."""
    torch.set_num_threads(threads_n)
    rates = {}
    for n in sizes:
        a, b = torch.randn(n, n), torch.randn(n, n)
        torch.matmul(a, b)  # warm-up
        best = float("inf")
        for _ in range(reps):
            start = time.perf_counter()
            torch.matmul(a, b)
            best = min(best, time.perf_counter() - start)
        rates[n] = 2 * n**3 / best / 1e9
    return rates


def implied_flops(lengths: list[int], linear_params: int, layers: int, hidden: int) -> float:
    return float(sum(2 * linear_params * L + layers * 4 * L * L * hidden for L in lengths))


def timed_encode(encoder, texts, max_length, batch_size, autocast=None):
    start = time.perf_counter()
    if autocast is not None:
        with torch.autocast("cpu", dtype=autocast):
            vectors, tokens = encoder.encode_counted(texts, max_length, batch_size)
    else:
        vectors, tokens = encoder.encode_counted(texts, max_length, batch_size)
    return vectors, tokens, time.perf_counter() - start


def cosine_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    keep = np.linalg.norm(a, axis=1) > 0
    a, b = a[keep], b[keep]
    return (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


def padding_waste(lengths: list[int], batch_size: int, bucketed: bool) -> float:
    order = sorted(lengths) if bucketed else list(lengths)
    padded = sum(
        max(order[s : s + batch_size]) * len(order[s : s + batch_size]) for s in range(0, len(order), batch_size)
    )
    return 1 - sum(lengths) / padded if padded else 0.0


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--texts", type=int, default=500, help="synthetic texts (when no --tracks)")
    ap.add_argument("--tracks", type=Path, help="a tracks.parquet with a `lyrics` column")
    ap.add_argument("--model", default="all-MiniLM-L6-v2")
    ap.add_argument("--max-length", type=int, default=256)
    ap.add_argument("--batch-size", type=int, nargs="+", default=[64])
    ap.add_argument("--precision-texts", type=int, default=100, help="texts for the precision comparison (0 skips it)")
    ap.add_argument("--no-clean", action="store_true", help="encode raw texts, not cleaned ones")
    ap.add_argument(
        "--matmul-sizes",
        type=int,
        nargs="+",
        default=[1024, 2048],
        help="square matrix sizes for the plain matmul rate",
    )
    ap.add_argument(
        "--scale-tracks",
        type=int,
        nargs="+",
        default=[10_000, 20_000],
        help="track counts to estimate the stage's encoding time for",
    )
    args = ap.parse_args(argv)
    # torch.ao quantisation is deprecated in favour of torchao (not installed); it still measures.
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", message=".*quantiz.*deprecated", category=UserWarning)

    if args.tracks:
        import pandas as pd

        raw = pd.read_parquet(args.tracks, columns=["lyrics"])["lyrics"].tolist()
        source = str(args.tracks)
    else:
        raw = synthetic_lyrics(args.texts)
        source = f"SYNTHETIC lyrics-like texts (n={args.texts}, fixed word list)"
    clean_params = {"stopwords": not args.no_clean, "stem": not args.no_clean, "lemmatize": not args.no_clean}
    start = time.perf_counter()
    texts = [t for t in clean_all(raw, clean_params, max_words=args.max_length) if t.strip()]
    clean_s = time.perf_counter() - start

    n_threads = threads()
    torch.set_num_threads(n_threads)
    encoder = load_encoder(args.model)
    cfg = encoder.model.config
    lengths = [len(x) for x in encoder.tokenize(texts, args.max_length)]
    lin = encoder.linear_params()
    flops = implied_flops(lengths, lin, cfg.num_hidden_layers, cfg.hidden_size)

    lines: list[str] = []
    say = lines.append
    say(f"- source: {source}")
    say(
        f"- encoder: {args.model} (dim {encoder.dim}, {cfg.num_hidden_layers} layers, "
        f"{lin / 1e6:.2f}M linear weights), threads {n_threads}, max_length {args.max_length}, "
        f"torch {torch.__version__}, cpus {os.cpu_count()}"
    )
    say(
        f"- cleaning: {len(raw)} texts in {clean_s:.2f} s ({len(raw) / clean_s:.0f} texts/s); "
        f"mean {np.mean(lengths):.0f} tokens, max {max(lengths)} after cleaning+truncation"
    )

    mm = matmul_gflops(n_threads, args.matmul_sizes)
    say("- plain float32 matmul: " + ", ".join(f"{n}x{n}: {r:.1f} GFLOP/s" for n, r in mm.items()))
    say(
        "- (the matmul rate of each row is measured just before and just after its encoding run and "
        "averaged, so that a change in machine load shows in both figures)"
    )
    say("")
    say(
        "| batch | texts | real tokens | padding (bucketed / unsorted) | seconds | tokens/s "
        "| implied GFLOP/s | matmul GFLOP/s (before/after) | ratio |"
    )
    say("|---|---|---|---|---|---|---|---|---|")
    best_tps = 0.0
    for bs in args.batch_size:
        encoder.encode(texts[:bs], args.max_length, bs)  # warm-up
        before = max(matmul_gflops(n_threads, args.matmul_sizes, reps=3).values())
        _, tokens, secs = timed_encode(encoder, texts, args.max_length, bs)
        after = max(matmul_gflops(n_threads, args.matmul_sizes, reps=3).values())
        peak = (before + after) / 2
        rate = flops / secs / 1e9
        best_tps = max(best_tps, tokens / secs)
        say(
            f"| {bs} | {len(texts)} | {tokens} | {padding_waste(lengths, bs, True):.1%} / "
            f"{padding_waste(lengths, bs, False):.1%} | {secs:.2f} | {tokens / secs:.0f} | "
            f"{rate:.1f} | {peak:.1f} ({before:.0f}/{after:.0f}) | {rate / peak:.2f} |"
        )

    mean_tokens = float(np.mean(lengths))
    say("")
    for n in args.scale_tracks:
        est = n * mean_tokens / best_tps + n / (len(raw) / clean_s)
        say(
            f"- estimate: {n} tracks of this length mix -> ~{est / 60:.1f} min "
            f"(encoding + cleaning, {n_threads} threads, excluding ~5 s model load)"
        )

    if args.precision_texts:
        sample = texts[: args.precision_texts]
        bs = args.batch_size[0]
        say("")
        say(f"Precision on {len(sample)} texts (batch {bs}): cosine to float32 per vector.")
        say("")
        say("| precision | seconds | tokens/s | speed-up | min cosine | mean cosine |")
        say("|---|---|---|---|---|---|")
        ref, tokens, base = timed_encode(encoder, sample, args.max_length, bs)
        say(f"| float32 | {base:.2f} | {tokens / base:.0f} | 1.00 | 1.000000 | 1.000000 |")
        variants = {"bfloat16 (autocast)": (encoder, torch.bfloat16)}
        try:
            qmodel = torch.ao.quantization.quantize_dynamic(
                copy.deepcopy(encoder.model), {torch.nn.Linear}, dtype=torch.qint8
            )
            variants["int8 dynamic"] = (dataclasses.replace(encoder, model=qmodel), None)
            qmodel = torch.ao.quantization.quantize_dynamic(
                copy.deepcopy(encoder.model),
                {torch.nn.Linear: torch.ao.quantization.per_channel_dynamic_qconfig},
                dtype=torch.qint8,
            )
            variants["int8 dynamic per-channel"] = (dataclasses.replace(encoder, model=qmodel), None)
        except Exception as exc:  # quantisation backends differ between builds
            print(f"(int8 dynamic unavailable: {type(exc).__name__}: {exc})", file=sys.stderr)
        for label, (enc, autocast) in variants.items():
            timed_encode(enc, sample[:bs], args.max_length, bs, autocast)  # warm-up
            vec, tokens, secs = timed_encode(enc, sample, args.max_length, bs, autocast)
            cos = cosine_rows(ref, vec)
            say(
                f"| {label} | {secs:.2f} | {tokens / secs:.0f} | {base / secs:.2f} | "
                f"{cos.min():.6f} | {cos.mean():.6f} |"
            )

    body = "\n".join(lines)
    write_report("embed", "Embed: the encoder against the machine's matmul rate", body)


if __name__ == "__main__":
    main()
