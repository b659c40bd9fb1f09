"""Figures of the pipeline stages, drawn with matplotlib's Agg backend into reproducible PNGs."""
