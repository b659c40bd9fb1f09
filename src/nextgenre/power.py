"""The power study: does the study find each planted effect when it is there, and only then?

For each planted effect (docs/synthetic.md, "Planted effects") at strength 0, a weak and a strong setting,
the configuration that should detect it runs against the one that should not, once per seed:
- mood: `features.stress` on against off (two experiments on the same data);
- memory: each recurrent model against the first-order Markov baseline (one experiment);
- lyrics: the text part of the session vectors (`features.text`) on against off.
Strength 0 is the same data for all three (the defaults), so those cells are shared.

A seed *detects* the effect when the paired 95% cluster-bootstrap interval of the difference in
test accuracy (same test samples, resampling test users: `nextgenre.grid.effect`) lies above
zero. Power is the share of seeds that detect it; at strength 0 that share is the false-positive
rate. Both shares come with exact (Clopper-Pearson) 95% intervals.

The cells are a plain list of (name, settings) pairs, so any runner of named configurations
(`nextgenre.grid.queue_grid`, or a multi-machine one) can run them.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import binomtest, sem, t

from nextgenre import grid
from nextgenre.registry import MODELS, label

EFFECTS = ("mood", "memory", "lyrics")
MIN_SEEDS = 5  # the study's design: at least this many seeds per comparison
NULL_RATE = 0.05  # the false-positive rate a 95% interval promises (two-sided: 0.025 above zero)

# (configuration that should detect the effect, the one that should not); None: the Markov baseline
VARIANTS = {"mood": ("stress", "plain"), "memory": ("plain", None), "lyrics": ("plain", "notext")}
VARIANT_SETTINGS = {
    "plain": {"features.stress": False, "features.text": True},
    "stress": {"features.stress": True, "features.text": True},
    "notext": {"features.stress": False, "features.text": False},
}
MEMORY_BASELINE = "markov"


def data_name(effect: str, level: str) -> str:
    """The data of an effect at a level ("none" at strength 0, shared by every effect)."""
    return "none" if level == "zero" else f"{effect}-{level}"


def cell_name(effect: str, level: str, variant: str) -> str:
    return f"{data_name(effect, level)}-{variant}"


def cells(strengths: dict[str, float], levels=None, effects=EFFECTS) -> list[tuple[str, dict]]:
    """Every (name, settings) to run once per seed, for the `levels` and `effects` given (all by
    default); `strengths`: level -> strength, e.g. {"zero": 0.0, "weak": 0.3, "strong": 0.8} (the
    zero level, where there is one, must be 0: a study of the strong level alone has none)."""
    if strengths.get("zero", 0) != 0:
        raise ValueError("the power study's level zero must be at strength 0")
    unknown = set(effects) - set(EFFECTS)
    if unknown:
        raise ValueError(f"no planted effect {', '.join(sorted(unknown))}; choose from {', '.join(EFFECTS)}")
    out = {}
    for effect in [e for e in ("memory", "lyrics", "mood") if e in effects]:
        for level in levels or strengths:
            planted = {f"synthetic.{e}_effect": (strengths[level] if e == effect else 0.0) for e in EFFECTS}
            for variant in VARIANTS[effect]:
                if variant is not None:
                    out[cell_name(effect, level, variant)] = {**planted, **VARIANT_SETTINGS[variant]}
    return list(out.items())


def batches(strengths: dict[str, float], effects=EFFECTS) -> list[list[tuple[str, dict]]]:
    """The cells in the order to run them: the strong and zero levels first (the study's targets),
    then the rest, so that a study cut short has what matters most."""
    first = [level for level in ("strong", "zero") if level in strengths]
    rest = [level for level in strengths if level not in first]
    return [cells(strengths, first, effects)] + ([cells(strengths, rest, effects)] if rest else [])


def comparisons(strengths: dict[str, float], effects=EFFECTS) -> list[dict]:
    """One row per effect x level: the cells (and baseline) whose difference is the effect."""
    rows = []
    for effect in [e for e in EFFECTS if e in effects]:
        detect, null = VARIANTS[effect]
        for level, strength in strengths.items():
            rows.append(
                {
                    "effect": effect,
                    "level": level,
                    "strength": strength,
                    "with": cell_name(effect, level, detect),
                    "without": None if null is None else cell_name(effect, level, null),
                }
            )
    return rows


def seed_effect(row: dict, model: str, seed: int) -> tuple[float, float, float]:
    """(difference, CI low, CI high) of one comparison for one model and seed, read from the
    experiments through nextgenre.grid."""
    with_name = grid.experiment_name(row["with"], seed)
    if row["without"] is None:
        return grid.effect_over_baseline(with_name, model, MEMORY_BASELINE, seed)
    return grid.effect(with_name, grid.experiment_name(row["without"], seed), model, seed)


def ceiling_effect(row: dict, seed: int, read) -> float | None:
    """The effect as the from-history ceiling sees it (the most any model could show) in one
    seed: ceiling with minus ceiling without, or, for memory, ceiling minus the Markov baseline.
    `read(name)`: an experiment's reports/comparison.json."""
    with_run = read(grid.experiment_name(row["with"], seed))
    got = with_run.get("known_answers", {})
    if not got.get("truth"):
        return None
    if row["without"] is None:
        return got["ceiling"]["accuracy"] - with_run["baselines"][MEMORY_BASELINE]["accuracy"]
    without = read(grid.experiment_name(row["without"], seed))["known_answers"]
    return got["ceiling"]["accuracy"] - without["ceiling"]["accuracy"]


def share_interval(k: int, n: int) -> tuple[float, float]:
    """Exact (Clopper-Pearson) 95% interval of a share of k in n."""
    ci = binomtest(k, n).proportion_ci(confidence_level=0.95, method="exact")
    return float(ci.low), float(ci.high)


def consistent_with_null(k: int, n: int) -> bool:
    """Whether k false positives in n seeds are consistent with a rate of at most NULL_RATE
    (one-sided exact binomial test at the 5% level)."""
    return bool(binomtest(k, n, NULL_RATE, alternative="greater").pvalue >= 0.05)


def seeds_interval(differences: list[float]) -> tuple[float, float] | None:
    """95% t-interval of the mean difference over seeds. Each seed draws its own data and
    trains its own models, so this interval also holds the training's randomness, which a
    seed's paired interval (over test users, with both models fixed) leaves out. None for
    fewer than 2 seeds."""
    if len(differences) < 2:
        return None
    low, high = t.interval(0.95, len(differences) - 1, loc=np.mean(differences), scale=sem(differences))
    return float(low), float(high)


def summarise(row: dict, results: list[tuple[float, float, float]]) -> dict:
    """Power (or, at strength 0, false-positive rate) of one comparison over seeds (no seeds:
    not run)."""
    n = len(results)
    if n == 0:
        return {**row, "seeds": 0, "per_seed": []}
    differences = [d for d, _, _ in results]
    above = sum(lo > 0 for _, lo, _ in results)
    below = sum(hi < 0 for _, _, hi in results)
    low, high = share_interval(above, n)
    return {
        **row,
        "seeds": n,
        "mean_difference": float(np.mean(differences)),
        "seeds_ci": seeds_interval(differences),
        "detected": above,
        "share": above / n,
        "share_ci": [low, high],
        "below_zero": below,
        "consistent_with_null": consistent_with_null(above, n) if row["strength"] == 0 else None,
        "per_seed": [[d, lo, hi] for d, lo, hi in results],
    }


def seeds_run(row: dict, seeds: list[int]) -> list[int]:
    """The seeds whose experiments of this comparison have finished."""
    names = [row["with"]] + ([row["without"]] if row["without"] else [])
    return [s for s in seeds if all(grid.has_experiment(grid.experiment_name(n, s)) for n in names)]


def study(strengths: dict[str, float], seeds: list[int], read, effects=EFFECTS) -> list[dict]:
    """Every comparison x model, summarised over the seeds that ran; `read(name)`: an
    experiment's reports/comparison.json (for the ceiling's view of the effect)."""
    out = []
    for row in comparisons(strengths, effects):
        done = seeds_run(row, seeds)
        ceilings = [c for c in (ceiling_effect(row, seed, read) for seed in done) if c is not None]
        for model in MODELS:
            results = [seed_effect(row, model, seed) for seed in done]
            out.append(
                {
                    **summarise(row, results),
                    "model": model,
                    "ceiling_effect": float(np.mean(ceilings)) if ceilings else None,
                }
            )
    return out


def headroom_rows(strengths: dict[str, float], seeds: list[int], read, effects=EFFECTS) -> list[dict]:
    """Headroom share of each model in each cell that should detect its effect (mean over seeds
    and the per-seed values), from each experiment's reports/comparison.json (`read(name)`)."""
    rows = []
    for cell in dict.fromkeys(row["with"] for row in comparisons(strengths, effects)):
        names = [grid.experiment_name(cell, seed) for seed in seeds]
        found = [read(name).get("known_answers", {}) for name in names if grid.has_experiment(name)]
        found = [k for k in found if k.get("truth")]
        for model in MODELS:
            shares = [k["models"][model]["headroom_share"] for k in found]
            shares = [s for s in shares if s is not None]
            rows.append(
                {
                    "cell": cell,
                    "model": model,
                    "headroom": float(np.mean([k["headroom"]["accuracy"] for k in found])) if found else None,
                    "shares": shares,
                    "mean_share": float(np.mean(shares)) if shares else None,
                }
            )
    return rows


# --- markdown -----------------------------------------------------------------------------------


def _interval(lo: float, hi: float) -> str:
    return f"[{lo:.2f}, {hi:.2f}]"


def power_table(summary: list[dict]) -> str:
    lines = [
        "| effect | level (strength) | model | seeds | mean difference [95% CI over seeds] | at the ceiling | "
        "interval above zero | power / false-positive rate [95% CI] | below zero | verdict |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | :-: | ---: | --- |",
    ]
    for r in summary:
        against = "Markov" if r["without"] is None else r["without"].rsplit("-", 1)[-1]
        row = f"| {r['effect']} ({r['with'].rsplit('-', 1)[-1]} vs {against}) | {r['level']} ({r['strength']:g}) | "
        if r["seeds"] == 0:
            lines.append(row + f"{label(r['model'])} | 0 | not run | | | | | |")
            continue
        what = "false-positive rate" if r["strength"] == 0 else "power"
        if r["strength"] == 0:
            verdict = "consistent with ≤ 0.05" if r["consistent_with_null"] else "too many false positives"
        else:
            verdict = "≥ 0.8" if r["share"] >= 0.8 else "< 0.8"
        ceiling = "—" if r["ceiling_effect"] is None else f"{r['ceiling_effect']:+.3f}"
        over_seeds = "" if r["seeds_ci"] is None else " [{:+.3f}, {:+.3f}]".format(*r["seeds_ci"])
        if r["seeds"] < MIN_SEEDS:
            verdict += f" (only {r['seeds']} seeds)"
        lines.append(
            row + f"{label(r['model'])} | {r['seeds']} | {r['mean_difference']:+.3f}{over_seeds} | {ceiling} | "
            f"{r['detected']}/{r['seeds']} | {what} {r['share']:.2f} {_interval(*r['share_ci'])} | "
            f"{r['below_zero']}/{r['seeds']} | {verdict} |"
        )
    return "\n".join(lines) + "\n"


def per_seed_table(summary: list[dict], seeds: list[int]) -> str:
    lines = [
        "| effect | level | model | " + " | ".join(f"seed {s}" for s in seeds) + " |",
        "| --- | --- | --- |" + " --- |" * len(seeds),
    ]
    for r in summary:
        cells = [f"{d:+.3f} [{lo:+.3f}, {hi:+.3f}]" for d, lo, hi in r["per_seed"]]
        cells += ["not run"] * (len(seeds) - len(cells))
        lines.append(f"| {r['effect']} | {r['level']} | {label(r['model'])} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def headroom_table(rows: list[dict]) -> str:
    lines = [
        "| cell | model | headroom (ceiling - best baseline, mean) | headroom share, mean | per seed |",
        "| --- | --- | ---: | ---: | --- |",
    ]
    for r in rows:
        mean = "—" if r["mean_share"] is None else f"{r['mean_share']:.2f}"
        room = "—" if r["headroom"] is None else f"{r['headroom']:+.3f}"
        lines.append(
            f"| {r['cell']} | {label(r['model'])} | {room} | {mean} | "
            + ", ".join(f"{s:.2f}" for s in r["shares"])
            + " |"
        )
    return "\n".join(lines) + "\n"
