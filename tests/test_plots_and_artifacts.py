"""What `dvc plots` and DVC's model registry see: the offline HTML page, the plot templates, the
declared artifacts; and `every_plot_renders`, which the end-to-end tests run on real output."""

import configparser
import json
import re

import yaml

from nextgenre.constants import GENRES
from nextgenre.plots.page import PAGE, page_html
from nextgenre.registry import MODELS
from tests.conftest import ROOT, run

REMOTE_SCRIPT = re.compile(r"<script[^>]*\bsrc\s*=\s*[\"']?\s*(https?:)?//", re.IGNORECASE)


def assert_offline(html: str) -> None:
    """No script loaded from the network, and the Vega libraries there inline."""
    assert not REMOTE_SCRIPT.search(html), REMOTE_SCRIPT.search(html).group(0)
    for library in ("vegaEmbed", "vegaLite", "vega={}"):
        assert library in html, library


def test_the_plots_page_is_committed_up_to_date_and_needs_no_network():
    page = (ROOT / PAGE).read_text(encoding="utf-8")
    assert page == page_html(), "run `python -m nextgenre.plots.page` and commit .dvc/plots/page.html"
    assert_offline(page)
    assert page.count("{plot_divs}") == 1 and "{scripts}" not in page  # DVC's CDN tags go there
    config = configparser.ConfigParser()
    config.read(ROOT / ".dvc/config")
    assert (ROOT / ".dvc" / config["plots"]["html_template"]).resolve() == (ROOT / PAGE).resolve()


def test_confusion_template_orders_classes_as_the_project():
    spec = json.loads((ROOT / ".dvc/plots/genre_confusion.json").read_text())
    for axis in ("x", "y"):
        assert spec["spec"]["encoding"][axis]["sort"] == list(GENRES)


def test_confusion_template_sums_the_counts_of_every_pair():
    """The data holds every (actual, predicted) pair of the scheme with its count, zero included
    (nextgenre.evaluation.confusion_counts): the template sums them (a per-sample row of an older
    revision counts 1) and draws no cell from presence alone, so a genre without test samples
    keeps its row (and column) of zeros."""
    spec = json.loads((ROOT / ".dvc/plots/genre_confusion.json").read_text())
    steps = spec["spec"]["transform"]
    assert steps[0]["calculate"].endswith("toNumber(datum.samples) : 1") and steps[0]["as"] == "count"
    assert steps[1]["aggregate"] == [{"op": "sum", "field": "count", "as": "n"}]
    assert not [step for step in steps if "filter" in step or "impute" in step]
    assert "without test samples" in spec["title"]["subtitle"]


def test_training_curves_pair_a_models_curves_and_mark_its_restored_epoch():
    """One colour per model, train solid and validation dashed, a panel per revision, and a rule
    per model at the epoch with the lowest validation loss (the restored epoch)."""
    spec = json.loads((ROOT / ".dvc/plots/training_curves.json").read_text())
    assert spec["facet"]["column"]["field"] == "rev"
    lines, rule = spec["spec"]["layer"]
    assert lines["mark"]["type"] == "line" and rule["mark"]["type"] == "rule"
    encoding = lines["encoding"]
    assert encoding["color"]["field"] == "model" and rule["encoding"]["color"]["field"] == "model"
    dash = encoding["strokeDash"]
    assert dash["field"] == "split" and dash["scale"]["domain"] == ["train", "validation"]
    solid, dashed = dash["scale"]["range"]
    assert solid == [1, 0] and len(dashed) == 2 and dashed[1] > 0
    assert lines["transform"] == [{"filter": "datum.field != 'step'"}]  # the rule's own data draws no line
    pick, number, lowest, epoch = rule["transform"]
    assert pick["filter"] == "datum.split == 'validation' && datum.file == 'loss.tsv'"
    assert lowest["aggregate"][0]["op"] == "argmin" and lowest["aggregate"][0]["field"] == number["as"]
    assert lowest["groupby"] == ["rev", "model"] and rule["encoding"]["x"]["field"] == epoch["as"]
    # Each chart gives the template the validation-loss curves (the accuracy chart under `step`).
    for plot in yaml.safe_load((ROOT / "dvc.yaml").read_text())["plots"]:
        (name, props), *_ = plot.items()
        for model in MODELS:
            assert f"plots/training/{model}/eval/loss.tsv" in props["y"], name


def test_tsne_title_says_how_many_of_the_test_samples_it_shows():
    from nextgenre.plots.evaluation import tsne_title

    assert tsne_title("LSTM: t-SNE", 2000, 10287) == "LSTM: t-SNE\n2,000 of 10,287 test samples"


def test_dvc_yaml_declares_every_model_as_an_artifact():
    """Each registered model's folder, the output of train@<model>, is a `model` artifact in
    dvc.yaml (DVC validates the section whenever it loads dvc.yaml, as the e2e tests do)."""
    dvc_yaml = yaml.safe_load((ROOT / "dvc.yaml").read_text())
    train_outs = [next(iter(o)) if isinstance(o, dict) else o for o in dvc_yaml["stages"]["train"]["outs"]]
    assert "models/${item.model}" in train_outs
    artifacts = dvc_yaml["artifacts"]
    assert set(artifacts) == set(MODELS)
    for model in MODELS:
        assert artifacts[model]["path"] == f"models/{model}" and artifacts[model]["type"] == "model"


def _computed_fields(spec) -> set[str]:
    """Every field that a transform of a Vega-Lite spec makes (`as`)."""
    if isinstance(spec, dict):
        made = {spec["as"]} if isinstance(spec.get("as"), str) else set()
        return made.union(*(_computed_fields(value) for value in spec.values()))
    if isinstance(spec, list):
        return set().union(*(_computed_fields(value) for value in spec))
    return set()


def _encoded_fields(spec) -> set[tuple[str, str]]:
    """(axis, field) of every x and y encoding in a Vega-Lite spec, layers and facets included."""
    found = set()
    if isinstance(spec, dict):
        for axis in ("x", "y"):
            encoding = spec.get("encoding", {}).get(axis)
            if isinstance(encoding, dict) and "field" in encoding:
                found.add((axis, encoding["field"]))
        for value in spec.values():
            found |= _encoded_fields(value)
    elif isinstance(spec, list):
        for value in spec:
            found |= _encoded_fields(value)
    return found


def every_plot_renders(repo) -> dict:
    """`dvc plots show --json` in `repo`: no errors, every image has a source and every Vega plot
    has rows holding its x and y fields (a blank chart fails); then the HTML page, which must load
    nothing from the network. Returns {plot id: rows or image sources}."""
    shown = json.loads(run(["dvc", "plots", "show", "--json"], repo).stdout)
    assert not shown.get("errors"), shown.get("errors")
    rendered = {}
    for plot_id, renders in shown["data"].items():
        for render in renders:
            if render["type"] == "image":
                assert render["url"], plot_id
                rendered[plot_id] = [render["url"]]
                continue
            rows = render["content"]["data"]["values"]
            fields = _encoded_fields(render["content"])
            assert {axis for axis, _ in fields} == {"x", "y"}, (plot_id, fields)
            computed = _computed_fields(render["content"])  # a layer's own field (a rule's x) is no column
            for axis, field in fields:
                if field in computed and not any(field in row for row in rows):
                    continue
                assert rows and all(row.get(field) not in (None, "") for row in rows), (plot_id, axis, field)
            rendered[plot_id] = rows
    html = run(["dvc", "plots", "show", "-o", "dvc_plots"], repo)
    assert_offline((repo / "dvc_plots/index.html").read_text(encoding="utf-8"))
    assert not html.stderr.strip(), html.stderr
    return rendered
