"""``med-rewardbench``: reports, rescoring and exports for Med-RewardBench runs.

Each subcommand lives in its own module with ``configure(parser)`` and ``run(args) -> int``;
modules keep their heavy imports (matplotlib, openpyxl, datasets) inside ``run`` so that
``med-rewardbench --help`` stays instant.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import Final

SUBCOMMANDS: Final = {
    "report": (
        "med_rewardbench_tasks.report",
        "an HTML page with a case browser, Markdown, CSV and XLSX tables, judge comparisons and figures from "
        "lmms-eval results and samples",
    ),
    "rescore": (
        "med_rewardbench_tasks.rescore",
        "re-parse logged judge outputs (or the paper pipeline's outputs) and recompute every metric",
    ),
    "export-vlmevalkit": (
        "med_rewardbench_tasks.export_vlmevalkit",
        "write the benchmark (or the sample) as a VLMEvalKit TSV",
    ),
    "export-lmms-eval": (
        "med_rewardbench_tasks.export_lmms_eval",
        "write the task folder for lmms-eval itself (lmms_eval/tasks/med_rewardbench), readable source",
    ),
    "build-dataset": (
        "med_rewardbench_tasks.build_dataset",
        "write the benchmark (or the sample) in the Hugging Face Hub's own dataset form",
    ),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="med-rewardbench", description="Reports, rescoring and exports for Med-RewardBench runs."
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (module_name, summary) in SUBCOMMANDS.items():
        module = importlib.import_module(module_name)
        subparser = subparsers.add_parser(name, help=summary, description=summary)
        module.configure(subparser)
        subparser.set_defaults(run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
