"""reports/accuracy.png: test accuracy of the models and the baselines, with 95% intervals."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from nextgenre.baselines import BASELINES  # noqa: E402
from nextgenre.registry import MODELS, label  # noqa: E402

MODEL_COLOR, BASELINE_COLOR, PAPER_COLOR = "#2b6cb0", "#a0aec0", "#c53030"


def accuracy_chart(comparison: dict, path: str | Path) -> None:
    """Bars of accuracy with bootstrap error bars; the paper's matching number as a red mark."""
    results = {**{m: comparison["models"][m] for m in MODELS}, **{b: comparison["baselines"][b] for b in BASELINES}}
    names = list(results)
    acc = [results[n]["accuracy"] for n in names]
    err = [
        [a - results[n]["ci_low"] for n, a in zip(names, acc)],
        [results[n]["ci_high"] - a for n, a in zip(names, acc)],
    ]
    colors = [MODEL_COLOR if n in MODELS else BASELINE_COLOR for n in names]
    labels = [label(n) if n in MODELS else n.replace("_", " ") for n in names]

    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=100)
    x = range(len(names))
    ax.bar(x, acc, color=colors, yerr=err, capsize=4, error_kw={"elinewidth": 1})
    for i, a in enumerate(acc):
        ax.text(i, results[names[i]]["ci_high"] + 0.01, f"{a:.3f}", ha="center", va="bottom", fontsize=8)
    row = comparison["paper"]["row"]
    if row is not None:
        paper_x = [i for i, n in enumerate(names) if n in MODELS and row.get(n) is not None]
        ax.scatter(
            paper_x,
            [row[names[i]] for i in paper_x],
            marker="D",
            color=PAPER_COLOR,
            zorder=3,
            label="paper (same configuration)",
        )
        ax.legend(loc="upper right", fontsize=8, frameon=False)
    ax.set_xticks(list(x), labels, rotation=20, ha="right")
    ax.set_ylabel("test accuracy")
    top = max([results[n]["ci_high"] for n in names] + ([row[n] for n in MODELS if row and row.get(n)] or [0]))
    ax.set_ylim(0, min(1.0, top + 0.12))
    ax.spines[["top", "right"]].set_visible(False)

    cfg = comparison["config"]
    title = f"Test accuracy, {cfg['classes']} classes: models (blue) and baselines (grey)"
    if comparison["data_source"]["synthetic"]:
        title += "\nsynthetic data: tests the pipeline, not the paper's hypothesis"
    ax.set_title(title, fontsize=10)
    boot = comparison["bootstrap"]
    fig.text(
        0.01,
        0.01,
        f"Error bars: {int(boot['level'] * 100)}% percentile bootstrap over test users "
        f"({boot['resamples']} resamples); n = {comparison['n_test']} samples, "
        f"{comparison['n_test_users']} users.",
        fontsize=7,
        color="#4a5568",
    )
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    fig.savefig(path, format="png", metadata={"Software": None})
    plt.close(fig)
