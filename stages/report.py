"""Stage `report`: reports/comparison.{json,md}, reports/accuracy.png and the run's headline
metrics, metrics/headline.json (numbers only; see nextgenre.report.headline)."""

from nextgenre import headroom, report
from nextgenre.outputs import atomic_outputs, out_file, write_json
from nextgenre.params import stage_params
from nextgenre.plots.report import accuracy_chart
from nextgenre.runner import run_stage

OUTPUTS = ("reports/comparison.md", "reports/accuracy.png", report.COMPARISON, report.HEADLINE)


def main() -> None:
    params = stage_params("report")
    results = report.load_results(".")
    base = results.baselines
    truth = headroom.truth_correct(".", params, base["target"].to_numpy(), base["y_true"].to_numpy())
    comparison = report.build_comparison(results, params, report.load_paper(), truth)
    with atomic_outputs(*map(out_file, OUTPUTS)) as (markdown, chart, full, headline):
        markdown.write_text(report.render_markdown(comparison))
        accuracy_chart(comparison, chart)
        write_json(full, comparison)
        write_json(headline, report.headline(comparison), sort_keys=False)  # the order of the columns
    models = ", ".join(f"{report.label(m)} {comparison['models'][m]['accuracy']:.3f}" for m in report.MODELS)
    best = comparison["best_baseline"]
    print(
        f"report: test accuracy {models}; best baseline {best['name']} {best['accuracy']:.3f} "
        f"-> {report.COMPARISON}, reports/comparison.md, {report.HEADLINE}"
    )


if __name__ == "__main__":
    run_stage(main, outputs=OUTPUTS)
