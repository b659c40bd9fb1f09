"""The model registry: every architecture that the study trains and compares, in report order.

Adding an architecture is one entry here and its builder in nextgenre.models (BUILDERS), plus its
name in the `model:` lists of the train and evaluate matrices in dvc.yaml, its predictions and
metrics among the report stage's deps, its curves in the top-level plots and its entry under
`artifacts:` (tests/test_registry.py checks that dvc.yaml agrees). The stage scripts, the report,
the grids, the plots and the pairwise McNemar tests take the list from here. This module imports
nothing heavy (no Keras), so the report and the grids can use it.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from itertools import combinations


@dataclass(frozen=True)
class Architecture:
    label: str  # how tables and plots name it
    family: str  # what it is, in the report's words


MODELS = {
    "lstm": Architecture("LSTM", "recurrent model"),
    "gru": Architecture("GRU", "recurrent model"),
    "sasrec": Architecture("SASRec", "causal self-attention model"),
}


def label(name: str) -> str:
    """The name tables and plots give a registered model ("LSTM", "SASRec")."""
    return MODELS[name].label


def pairs() -> list[tuple[str, str]]:
    """Every pair of models, each once, in registry order: the pairwise tests compare these."""
    return list(combinations(MODELS, 2))


def mcnemar_key(a: str, b: str) -> str:
    """The key of McNemar's test of model a against model b in the report's comparison and headline."""
    return f"mcnemar_{a}_vs_{b}"


def model_argument(description: str | None) -> str:
    """The one command-line argument of a per-model stage (train, evaluate): a registered model."""
    parser = argparse.ArgumentParser(description=(description or "").split("\n")[0])
    parser.add_argument("model", choices=list(MODELS), help="the architecture to train or evaluate")
    return parser.parse_args().model
