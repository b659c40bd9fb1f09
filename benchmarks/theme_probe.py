"""Can a model read the planted lyrics theme from a track's vector? A theme probe (the genre probe
of nextgenre.probe, with each themed track's theme as the label) of the lyrics vectors of the
synthetic catalogue with the lyrics effect planted, for each embed.clean setting. The from-history
ceiling reads the theme itself; a model reads it only through the vector, so where this probe
falls short of 1.0 the ceiling is out of a model's reach. Synthetic data: this tests the
pipeline, not the paper.

    PYTHONPATH=src python benchmarks/theme_probe.py [--scale 0.05] [--seed 1] [--strength 0.8]

Writes reports/benchmarks/theme_probe.md (benchmarks/machine.py).
"""

from __future__ import annotations

import argparse

from machine import write_report

from nextgenre.encoder import load_encoder
from nextgenre.paper import load_tables
from nextgenre.params import load_params
from nextgenre.probe import genre_probe
from nextgenre.synthetic import generate
from nextgenre.synthetic.effects import THEME_WORDS
from nextgenre.text import clean_all

CLEAN = {
    "all on (default)": {"stopwords": True, "stem": True, "lemmatize": True},
    "stop words only": {"stopwords": True, "stem": False, "lemmatize": False},
    "nothing": {"stopwords": False, "stem": False, "lemmatize": False},
}


def theme_of(lyrics: str) -> str | None:
    """The theme whose words make up the lyrics' last line (None: no theme line)."""
    last = set(lyrics.rsplit("\n", 1)[-1].split())
    return next((g for g, words in THEME_WORDS.items() if last and last <= set(words)), None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--strength", type=float, default=0.8)
    args = parser.parse_args()
    params = load_params()
    config = {**params["synthetic"], "scale": args.scale, "lyrics_effect": args.strength}
    tracks = generate(config, args.seed, load_tables())["tracks"]
    themes = tracks["lyrics"].map(theme_of)
    themed = tracks[themes.notna()]
    encoder = load_encoder(params["embed"]["model"])
    lines = [
        f"Scale {args.scale}, seed {args.seed}, lyrics_effect {args.strength}: {len(themed)} themed tracks of "
        f"{len(tracks)}; 5-fold probe accuracy (synthetic data: this tests the pipeline, not the paper).",
        "",
        "| embed.clean | theme probe | majority theme |",
        "| --- | ---: | ---: |",
    ]
    for name, clean in CLEAN.items():
        texts = clean_all(themed["lyrics"].tolist(), clean, max_words=params["embed"]["max_length"])
        vectors = encoder.encode(texts, params["embed"]["max_length"], params["embed"]["batch_size"])
        theme = genre_probe(vectors, themes[themes.notna()].to_numpy())["with_lyrics"]
        lines.append(f"| {name} | {theme['accuracy']:.3f} | {theme['majority']:.3f} |")
    body = "\n".join(lines)
    write_report("theme_probe", "Theme probe: the planted lyrics theme read from the lyrics vectors", body)


if __name__ == "__main__":
    main()
