"""Stage `report`: metrics/comparison.json and reports/comparison.md and reports/accuracy.png."""

from nextgenre import report
from nextgenre.runner import run_stage
from nextgenre.outputs import atomic_file, write_json
from nextgenre.params import stage_params
from nextgenre.plots.report import accuracy_chart


def main() -> None:
    params = stage_params("report")
    comparison = report.build_comparison(report.load_results("."), params, report.load_paper())
    with atomic_file("reports/comparison.md") as tmp:
        tmp.write_text(report.render_markdown(comparison))
    with atomic_file("reports/accuracy.png") as tmp:
        accuracy_chart(comparison, tmp)
    write_json("metrics/comparison.json", comparison)


if __name__ == "__main__":
    run_stage(main, outputs=("reports/comparison.md", "metrics/comparison.json"))
