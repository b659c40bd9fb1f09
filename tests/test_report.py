import json
import runpy
import shutil

import numpy as np
import pandas as pd
import pytest
import yaml

from nextgenre import baselines, report
from nextgenre.constants import class_names
from nextgenre.errors import NextgenreError
from nextgenre.metrics import scores
from tests.conftest import ROOT, set_params


def write_fake_run(root, classes=6, raw="data/raw/synthetic", attention=False, stress=False, n_users=30, per_user=12):
    """A repository root with params, the paper table and every input of the report stage."""
    (root / "paper").mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "paper" / "tables.yaml", root / "paper" / "tables.yaml")
    shutil.copy(ROOT / "params.yaml", root / "params.yaml")
    shutil.copy(ROOT / "dvc.yaml", root / "dvc.yaml")
    set_params(
        root / "params.yaml",
        {"features.classes": classes, "data.raw": raw, "model.attention": attention, "features.stress": stress},
    )
    names = class_names(classes)
    rng = np.random.default_rng(7)
    n = n_users * per_user
    users = np.repeat(np.arange(n_users), per_user)
    samples = pd.DataFrame(
        {
            "target": np.arange(n, dtype=np.int64) + 1000,
            "start": np.arange(n, dtype=np.int64) + 995,
            "label": rng.integers(0, classes, n),
            "split": "test",
            "group": "control",
            "user_index": users,
        }
    )
    (root / "data/processed").mkdir(parents=True)
    samples.to_parquet(root / "data/processed/samples.parquet", index=False)
    y = samples["label"].to_numpy()

    def noisy(p_right):
        return np.where(rng.random(n) < p_right, y, rng.integers(0, classes, n))

    (root / "data/predictions").mkdir(parents=True)
    (root / "data/embeddings").mkdir(parents=True)
    for model, p_right in (("lstm", 0.6), ("gru", 0.4), ("sasrec", 0.5)):
        pred = noisy(p_right)
        frame = pd.DataFrame({"target": samples["target"], "y_true": y, "y_pred": pred})
        for i, c in enumerate(names):
            frame[f"p_{c}"] = (pred == i).astype(np.float32)
        frame.to_parquet(root / f"data/predictions/{model}.parquet", index=False)
        (root / f"data/predictions/{model}.json").write_text(
            json.dumps({**scores(y, pred, classes), "per_class": {}, "n_test": n, "classes": names})
        )
    base = pd.DataFrame({"target": samples["target"], "y_true": y})
    for i, name in enumerate(baselines.BASELINES):
        base[name] = noisy(0.1 + 0.05 * i)
    base.to_parquet(root / "data/predictions/baselines.parquet", index=False)
    (root / "data/predictions/baselines.json").write_text(json.dumps(baselines.metrics(base, names)))
    (root / "data/embeddings/summary.json").write_text(json.dumps({"encoder": "all-MiniLM-L6-v2", "dim": 384}))
    return root


def build(root):
    params = yaml.safe_load((root / "params.yaml").read_text())
    return report.build_comparison(report.load_results(root), params, report.load_paper(root / "paper/tables.yaml"))


def test_comparison_has_every_part(tmp_path):
    c = build(write_fake_run(tmp_path))
    assert set(c) >= {
        "data_source",
        "encoder",
        "config",
        "models",
        "baselines",
        "best_baseline",
        "margins",
        "mcnemar_lstm_vs_gru",
        "paper",
        "n_test",
        "n_test_users",
        "bootstrap",
    }
    assert c["data_source"]["synthetic"] is True
    assert c["encoder"] == {"name": "all-MiniLM-L6-v2", "dim": 384}
    assert c["n_test"] == 360 and c["n_test_users"] == 30
    for group, names in (("models", report.MODELS), ("baselines", baselines.BASELINES)):
        for name in names:
            r = c[group][name]
            assert r["ci_low"] <= r["accuracy"] <= r["ci_high"]
            assert {"accuracy", "macro_f1", "balanced_accuracy"} <= set(r)
    assert c["paper"]["row"] == {
        "classes": 6,
        "attention": False,
        "stress": False,
        "oversampling": False,
        "lstm": 0.53,
        "gru": 0.52,
    }
    assert c["paper"]["delta"]["lstm"] == pytest.approx(c["models"]["lstm"]["accuracy"] - 0.53)
    best = c["best_baseline"]["name"]
    assert c["best_baseline"]["accuracy"] == max(c["baselines"][b]["accuracy"] for b in baselines.BASELINES)
    assert c["margins"]["lstm"]["over"][best] == pytest.approx(c["margins"]["lstm"]["over_best"])
    mc = c["mcnemar_lstm_vs_gru"]
    lstm = pd.read_parquet(tmp_path / "data/predictions/lstm.parquet")
    gru = pd.read_parquet(tmp_path / "data/predictions/gru.parquet")
    assert mc["b"] == int(((lstm.y_pred == lstm.y_true) & (gru.y_pred != gru.y_true)).sum())


def test_markdown_warns_about_synthetic_data_and_shows_the_paper_row(tmp_path):
    c = build(write_fake_run(tmp_path))
    md = report.render_markdown(c)
    assert "**Synthetic data: these numbers test the pipeline, not the paper's hypothesis.**" in md
    assert "`all-MiniLM-L6-v2` (384 dimensions)" in md
    lstm = f"**{c['models']['lstm']['accuracy']:.3f}**"
    matched = [line for line in md.splitlines() if line.startswith("| 6 | no | no | no | 0.53 | 0.52 |")]
    assert len(matched) == 1 and lstm in matched[0]
    assert "| 4 | no | no | no | 0.57 | 0.56 |  |  |  |" in md  # the rest of the paper's table, unfilled
    # Paper columns only for the paper's two models; this run's for every registered one.
    assert "| paper LSTM | paper GRU | this run LSTM | this run GRU | this run SASRec |" in md
    assert "| **SASRec** | causal self-attention model |" in md
    assert "McNemar" in md and "significant" in md
    assert f"The best baseline is **{c['best_baseline']['name']}**" in md


def test_own_data_and_a_configuration_the_paper_lacks(tmp_path):
    c = build(write_fake_run(tmp_path, classes=4, raw="data/raw/private", attention=True))
    assert c["data_source"] == {
        "synthetic": False,
        "raw": "data/raw/private",
        "description": "the researcher's own data at `data/raw/private`",
    }
    assert c["paper"]["row"] is None and c["paper"]["delta"] == {"lstm": None, "gru": None, "sasrec": None}
    md = report.render_markdown(c)
    assert "Synthetic data" not in md
    assert "the researcher's own data at `data/raw/private`" in md
    assert "No row of the paper's table has this configuration" in md
    assert "| 4 | yes | no | no | not in the paper |" in md


def test_predictions_on_different_samples_are_refused(tmp_path):
    root = write_fake_run(tmp_path)
    gru = pd.read_parquet(root / "data/predictions/gru.parquet")
    gru.iloc[::-1].to_parquet(root / "data/predictions/gru.parquet", index=False)
    with pytest.raises(NextgenreError, match="not on the same test samples"):
        build(root)


def test_stale_metrics_are_refused(tmp_path):
    root = write_fake_run(tmp_path)
    m = json.loads((root / "data/predictions/lstm.json").read_text())
    m["accuracy"] = 0.99
    (root / "data/predictions/lstm.json").write_text(json.dumps(m))
    with pytest.raises(NextgenreError, match="stale"):
        build(root)


def test_stage_writes_the_same_bytes_twice(tmp_path, monkeypatch):
    root = write_fake_run(tmp_path, raw="data/raw/private")  # no truth (tests/test_headroom.py has it)
    monkeypatch.chdir(root)
    stage = runpy.run_path(str(ROOT / "stages" / "report.py"), run_name="stage")
    outputs = ["reports/comparison.json", "reports/comparison.md", "reports/accuracy.png", "metrics/headline.json"]
    stage["main"]()
    first = {p: (root / p).read_bytes() for p in outputs}
    stage["main"]()
    assert {p: (root / p).read_bytes() for p in outputs} == first
    assert first["reports/accuracy.png"].startswith(b"\x89PNG")
    assert b"Software" not in first["reports/accuracy.png"]
    assert json.loads(first["reports/comparison.json"])["paper"]["row"]["lstm"] == 0.53
    assert sorted(p.name for p in (root / "reports").iterdir()) == ["accuracy.png", "comparison.json", "comparison.md"]
    assert [p.name for p in (root / "metrics").iterdir()] == ["headline.json"]
    written, expected = _leaves(json.loads(first["metrics/headline.json"])), _leaves(report.headline(build(root)))
    assert written == pytest.approx(expected, abs=1e-6)


def test_the_3_class_run_with_attention_and_stress_meets_its_paper_row(tmp_path):
    c = build(write_fake_run(tmp_path, classes=3, attention=True, stress=True))
    assert c["paper"]["row"]["lstm"] == 0.66 and c["paper"]["row"]["gru"] == 0.60
    assert c["class_names"] == ["hiphop", "pop", "rock"]
    md = report.render_markdown(c)
    assert "stress: yes (30-minute window)" in md
    row = [line for line in md.splitlines() if line.startswith("| 3 | yes | yes | no | 0.66 | 0.60 |")]
    assert len(row) == 1 and f"**{c['models']['gru']['accuracy']:.3f}**" in row[0]


def _leaves(d: dict, prefix: str = "") -> dict:
    out = {}
    for key, value in d.items():
        if isinstance(value, dict):
            out.update(_leaves(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def test_headline_holds_only_the_named_numbers(tmp_path):
    """metrics/headline.json: per model accuracy, its interval and macro-F1; the best baseline's
    accuracy; McNemar's p of each pair; numbers only (no names, no text, no lists)."""
    c = build(write_fake_run(tmp_path))
    leaves = _leaves(report.headline(c))
    expected = {f"{m}.{k}" for m in report.MODELS for k in ("accuracy", "ci_low", "ci_high", "macro_f1")}
    expected |= {"best_baseline.accuracy"} | {f"mcnemar_{a}_vs_{b}.p_value" for a, b in report.pairs()}
    assert set(leaves) == expected
    assert all(type(v) in (int, float) for v in leaves.values()), leaves
    assert leaves["lstm.accuracy"] == c["models"]["lstm"]["accuracy"]
    assert leaves["best_baseline.accuracy"] == c["best_baseline"]["accuracy"]
    assert leaves["mcnemar_lstm_vs_gru.p_value"] == c["mcnemar_lstm_vs_gru"]["p_value"]


def test_headline_adds_the_headroom_share_where_the_comparison_has_one(tmp_path):
    c = build(write_fake_run(tmp_path))
    models = {"lstm": {"headroom_share": 0.8}, "gru": {"headroom_share": None}}
    c["known_answers"] = {"truth": True, "headroom": {"ci_low": 0.05}, "models": models}
    h = report.headline(c)
    assert h["lstm"]["headroom_share"] == 0.8 and "headroom_share" not in h["gru"]
    c["known_answers"]["headroom"]["ci_low"] = -0.001  # no learnable headroom: the share is noise
    assert all("headroom_share" not in report.headline(c)[m] for m in ("lstm", "gru"))
