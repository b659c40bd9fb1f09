"""Stage `report`: metrics/comparison.json and reports/comparison.md and reports/accuracy.png."""

from nextgenre import headroom, report
from nextgenre.outputs import atomic_outputs, out_file, write_json
from nextgenre.params import stage_params
from nextgenre.plots.report import accuracy_chart
from nextgenre.runner import run_stage

OUTPUTS = ("reports/comparison.md", "reports/accuracy.png", "metrics/comparison.json")


def main() -> None:
    params = stage_params("report")
    results = report.load_results(".")
    base = results.baselines
    truth = headroom.truth_correct(".", params, base["target"].to_numpy(), base["y_true"].to_numpy())
    comparison = report.build_comparison(results, params, report.load_paper(), truth)
    with atomic_outputs(*map(out_file, OUTPUTS)) as (markdown, chart, metrics):
        markdown.write_text(report.render_markdown(comparison))
        accuracy_chart(comparison, chart)
        write_json(metrics, comparison)


if __name__ == "__main__":
    run_stage(main, outputs=OUTPUTS)
