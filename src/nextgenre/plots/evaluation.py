"""Pictures of a classifier's test results: confusion matrix, t-SNE of the last hidden layer
(the paper's Fig. 8), attention weights over past sessions. Saved without timestamps."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.metrics import ConfusionMatrixDisplay  # noqa: E402

from nextgenre.constants import GENRE_COLORS  # noqa: E402

PNG_METADATA = {"Software": None}


def _finish(fig, path, note: str | None) -> None:
    if note:
        fig.text(0.99, 0.01, note, ha="right", va="bottom", fontsize=8, color="dimgray", style="italic")
    fig.savefig(Path(path), dpi=110, metadata=PNG_METADATA)
    plt.close(fig)


def confusion_png(path, counts, classes, title: str, note: str | None = None) -> None:
    """The confusion matrix of `counts` (nextgenre.evaluation.confusion_counts), rows normalised,
    every class of the scheme on both axes, each row labelled with its number of test samples (a
    class with none: a row of zeros, "(0)")."""
    matrix = counts.pivot(index="actual", columns="predicted", values="samples").loc[classes, classes].to_numpy()
    totals = matrix.sum(axis=1)
    shares = matrix / np.maximum(totals, 1)[:, None]
    fig, ax = plt.subplots(figsize=(6.4, 5.4), layout="constrained")
    ConfusionMatrixDisplay(shares, display_labels=classes).plot(
        ax=ax, cmap="Blues", values_format=".2f", colorbar=False, xticks_rotation=30, im_kw={"vmin": 0, "vmax": 1}
    )
    ax.set_yticks(range(len(classes)), [f"{c} ({n:,})" for c, n in zip(classes, totals)])
    ax.set_ylabel("actual genre (test samples)")
    ax.set_xlabel("predicted genre")
    ax.set_title(title + "\n(rows: actual, normalised; test users)")
    _finish(fig, path, note)


def tsne_title(title: str, shown: int, total: int) -> str:
    """The t-SNE picture's title: how many of the test samples it shows."""
    return f"{title}\n{shown:,} of {total:,} test samples"


def tsne_png(path, points, labels, classes, title: str, total: int, note: str | None = None) -> None:
    """`points` (a sample of at most nextgenre.evaluation.TSNE_MAX_POINTS of the `total` test
    samples), coloured by true genre; the title says N of M."""
    fig, ax = plt.subplots(figsize=(6.4, 5.6), layout="constrained")
    for i, c in enumerate(classes):
        mine = labels == i
        ax.scatter(points[mine, 0], points[mine, 1], s=7, alpha=0.7, color=GENRE_COLORS[c], label=f"{c} ({mine.sum()})")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.legend(title="true genre", markerscale=2, fontsize=8, loc="best")
    ax.set_title(tsne_title(title, len(points), total))
    _finish(fig, path, note)


def attention_png(
    path, by_lag, attention, real_steps, title: str, note: str | None = None, n_examples: int = 12
) -> None:
    """Left: mean weight per position back in time; right: the weights of a few test samples."""
    fig, (left, right) = plt.subplots(
        1, 2, figsize=(10, 4.2), layout="constrained", gridspec_kw={"width_ratios": [1, 1.3]}
    )
    left.bar(by_lag.sessions_back, by_lag.mean_weight, color="tab:blue")
    left.set_xlabel("sessions back in time (1 = latest)")
    left.set_ylabel("mean attention weight")
    left.set_title("mean over test samples")
    history = attention.shape[1]
    full = np.flatnonzero(real_steps.all(axis=1))
    pick = full[:n_examples] if len(full) else np.arange(min(n_examples, len(attention)))
    heat = np.where(real_steps[pick], attention[pick], np.nan)[:, ::-1]  # column 0 = latest
    image = right.imshow(heat, aspect="auto", cmap="viridis", interpolation="nearest")
    right.set_xticks(range(history), [str(i + 1) for i in range(history)], fontsize=7)
    right.set_xlabel("sessions back in time")
    right.set_ylabel("test sample")
    right.set_title("weights of some test samples")
    fig.colorbar(image, ax=right, label="attention weight")
    fig.suptitle(title)
    _finish(fig, path, note)
