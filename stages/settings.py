"""Stage settings, the first of the pipeline: every setting of params.yaml checked (an unknown
one, such as a misspelt top-level `sead`, which no other stage tracks, is refused like an unknown
nested one) and data.raw a folder or a stage's output, before DVC would stop at ingest's missing
dependency with a bare "[Errno 2]". It writes nothing."""

from nextgenre.params import stage_params
from nextgenre.runner import run_stage
from nextgenre.sources import check_raw_folder


def main() -> None:
    params = stage_params("settings")  # the whole of params.yaml, checked
    check_raw_folder(params["data"]["raw"])
    print(f"settings: params.yaml checked, data.raw = {params['data']['raw']}")


if __name__ == "__main__":
    run_stage(main)
