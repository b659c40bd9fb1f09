"""Stage `report`: metrics/comparison.json and reports/comparison.md and reports/accuracy.png."""

from nextgenre import report
from nextgenre.cli import run_stage
from nextgenre.outputs import atomic_outputs, out_file, write_json
from nextgenre.params import load_params
from nextgenre.plots.report import accuracy_chart

OUTPUTS = ("reports/comparison.md", "reports/accuracy.png", "metrics/comparison.json")


def main() -> None:
    params = load_params()
    comparison = report.build_comparison(report.load_results("."), params, report.load_paper())
    with atomic_outputs(*map(out_file, OUTPUTS)) as (markdown, chart, metrics):
        markdown.write_text(report.render_markdown(comparison))
        accuracy_chart(comparison, chart)
        write_json(metrics, comparison)


if __name__ == "__main__":
    run_stage(main, outputs=OUTPUTS)
