"""Figures of the ingested data: sessions per user by group (the paper's Fig. 5) and the genre
mix of sessions with stress by group and interval (Table III).

Titles name the data source (a user-controlled path, drawn literally: see plot_text); the synthetic
stand-in is marked "SYNTHETIC DATA" on every figure.
PNG bytes are reproducible: Agg backend, fixed size and dpi, no Software/date metadata.
"""

from __future__ import annotations

import functools
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib import font_manager, ft2font  # noqa: E402

from nextgenre.constants import GENRE_COLORS, GENRES, GROUPS, INTERVALS  # noqa: E402

DPI = 100


@functools.cache
def _glyphs() -> frozenset[int]:
    """The characters that the default font can draw."""
    font = ft2font.FT2Font(font_manager.findfont(font_manager.FontProperties()))
    return frozenset(font.get_charmap())


def plot_text(text: str) -> str:
    """A user-controlled string as matplotlib draws it literally: `$` escaped (no mathtext, so
    `$x$` stays `$x$` and `$\\undefined$` cannot fail), and characters that are not printable
    or that the font lacks (CJK, emoji) written as Python escapes instead of missing glyphs."""
    return "".join(
        ("\\$" if c == "$" else c) if c.isprintable() and ord(c) in _glyphs() else ascii(c)[1:-1] for c in str(text)
    )


def source_title(source: str, synthetic: bool) -> str:
    """The line under each title that says where the data came from."""
    source = plot_text(source)
    if synthetic:
        return f"SYNTHETIC DATA (generated stand-in, {source}), not the paper's tweets"
    return f"data: {source}"


def save_png(fig, path: str | Path) -> None:
    """Save a figure as a PNG whose bytes depend only on its content."""
    fig.savefig(path, dpi=DPI, metadata={"Software": None})
    plt.close(fig)


def _mark(axes, synthetic: bool) -> None:
    """A large, faint "SYNTHETIC DATA" watermark across each panel of synthetic data."""
    if synthetic:
        for ax in np.atleast_1d(axes):
            ax.text(
                0.5,
                0.5,
                "SYNTHETIC DATA",
                transform=ax.transAxes,
                ha="center",
                va="center",
                rotation=25,
                fontsize=26,
                color="#b00000",
                alpha=0.18,
                fontweight="bold",
                zorder=10,
            )


def plot_sessions_per_group(metrics: dict, path: str | Path, source: str, synthetic: bool) -> None:
    """Average number of music sessions per user, per group (Fig. 5)."""
    per_user = [metrics["sessions_per_user"][g] for g in GROUPS]
    users = [metrics["users_per_group"][g] for g in GROUPS]
    fig, ax = plt.subplots(figsize=(8, 4.8), layout="constrained")
    bars = ax.bar(GROUPS, per_user, color="#4c72b0")
    for bar, value, n in zip(bars, per_user, users):
        ax.annotate(
            f"{value:.1f}\n({n} users)",
            (bar.get_x() + bar.get_width() / 2, value),
            ha="center",
            va="bottom",
            fontsize=8,
            xytext=(0, 2),
            textcoords="offset points",
        )
    ax.set_ylabel("music sessions per user")
    ax.set_ylim(0, max(per_user + [1.0]) * 1.25)
    ax.set_title(
        "Average music sessions per user, by group (paper Fig. 5)\n" + source_title(source, synthetic), fontsize=11
    )
    ax.spines[["top", "right"]].set_visible(False)
    _mark(ax, synthetic)
    save_png(fig, path)


def plot_genre_mix(metrics: dict, path: str | Path, source: str, synthetic: bool) -> None:
    """Share of each genre among the sessions with stress, per group; one panel per interval."""
    fig, axes = plt.subplots(1, len(INTERVALS), figsize=(14, 5.2), sharey=True, layout="constrained")
    for ax, interval in zip(axes, INTERVALS):
        table = metrics["genre_by_group"][str(interval)]
        counts = np.array([[table[g][genre] for genre in GENRES] for g in GROUPS], dtype=float)
        totals = counts.sum(axis=1)
        shares = np.divide(counts, totals[:, None], out=np.zeros_like(counts), where=totals[:, None] > 0)
        bottom = np.zeros(len(GROUPS))
        for j, genre in enumerate(GENRES):
            ax.bar(GROUPS, shares[:, j], bottom=bottom, color=GENRE_COLORS[genre], label=genre)
            bottom += shares[:, j]
        for x, n in enumerate(totals):
            ax.text(x, 1.01, f"n={int(n)}", ha="center", va="bottom", fontsize=7)
        ax.set_title(f"{interval} min after the session", fontsize=10, pad=14)
        ax.set_ylim(0, 1.08)
        ax.tick_params(axis="x", rotation=45, labelsize=8)
        ax.spines[["top", "right"]].set_visible(False)
    axes[0].set_ylabel("share of sessions with stress")
    handles, labels = axes[-1].get_legend_handles_labels()
    axes[-1].legend(
        handles[::-1], labels[::-1], loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, title="genre"
    )  # same order as the stack
    fig.suptitle(
        "Genre mix of music sessions followed by tweets, by group and interval (paper Table III)\n"
        + source_title(source, synthetic),
        fontsize=11,
    )
    _mark(axes, synthetic)
    save_png(fig, path)


def write_data_plots(metrics: dict, folder: str | Path, source: str, synthetic: bool) -> list[Path]:
    """Both data figures into `folder`; returns their paths."""
    folder = Path(folder)
    paths = [folder / "sessions_per_group.png", folder / "genre_mix.png"]
    plot_sessions_per_group(metrics, paths[0], source, synthetic)
    plot_genre_mix(metrics, paths[1], source, synthetic)
    return paths
