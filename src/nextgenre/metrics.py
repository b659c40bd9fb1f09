"""Scores of predicted classes against the true ones: the one place where accuracy, macro-F1 and
balanced accuracy are computed (for the models in evaluation, the baselines and the report).

Macro-F1 averages over every class of the scheme (a class absent from the test samples counts
as 0); balanced accuracy over the classes present.
"""

from __future__ import annotations

from sklearn.metrics import accuracy_score, balanced_accuracy_score, f1_score, precision_recall_fscore_support


def scores(y_true, y_pred, n_classes: int) -> dict:
    """Accuracy, macro-F1 (over all classes of the scheme) and balanced accuracy."""
    labels = list(range(n_classes))
    return {
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "macro_f1": float(f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0)),
        "balanced_accuracy": float(balanced_accuracy_score(y_true, y_pred)),
    }


def detailed_scores(y_true, y_pred, classes: list[str]) -> dict:
    """`scores`, and per-class precision/recall/F1/support, the number of samples, the class names."""
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=list(range(len(classes))), zero_division=0
    )
    return {
        **scores(y_true, y_pred, len(classes)),
        "per_class": {
            c: {
                "precision": float(precision[i]),
                "recall": float(recall[i]),
                "f1": float(f1[i]),
                "support": int(support[i]),
            }
            for i, c in enumerate(classes)
        },
        "n_test": int(len(y_true)),
        "classes": list(classes),
    }
