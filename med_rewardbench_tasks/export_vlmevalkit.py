"""``med-rewardbench export-vlmevalkit OUT.tsv``: the benchmark (or the sample) as a VLMEvalKit TSV.

The file has VLMEvalKit's layout (see :mod:`med_rewardbench_tasks.vlmevalkit.tsv`): every case
validated first, images base64-encoded. Save it as ``$LMUData/MedRewardBench.tsv`` (or
``MedRewardBench_sample.tsv``) and VLMEvalKit reads it instead of building it on first use.
"""

from __future__ import annotations

import argparse
import sys


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("out", metavar="OUT.tsv", help="where to write the TSV (folders are created)")
    which = parser.add_mutually_exclusive_group()
    which.add_argument(
        "--sample",
        action="store_true",
        help="export the synthetic 30-case sample shipped with the package (offline; not benchmark data)",
    )
    which.add_argument(
        "--data-dir",
        metavar="DIR",
        help="read the benchmark from this local copy (the folder containing pair_gt_all/); "
        "default: $MED_REWARDBENCH_DATA_DIR, else the Hugging Face Hub",
    )
    parser.add_argument(
        "--organs",
        metavar="ORGAN[,ORGAN...]",
        help="export only these organ systems (comma-separated; default: all)",
    )


def run(args: argparse.Namespace) -> int:
    from med_rewardbench_tasks import data, vlmevalkit
    from med_rewardbench_tasks.constants import ORGANS

    organs = None
    if args.organs:
        organs = [organ.strip() for organ in args.organs.split(",") if organ.strip()]
        unknown = [organ for organ in organs if organ not in ORGANS]
        if unknown:
            print(f"unknown organ system(s) {', '.join(unknown)}; expected {', '.join(ORGANS)}", file=sys.stderr)
            return 2
    try:
        if args.sample:
            cases = vlmevalkit.cases_for(vlmevalkit.SAMPLE_DATASET_NAME, organs=organs)
            dataset = vlmevalkit.SAMPLE_DATASET_NAME
        else:
            source = data.resolve_source({data.DATA_DIR_ENV: args.data_dir}) if args.data_dir else None
            cases = vlmevalkit.cases_for(vlmevalkit.DATASET_NAME, source, organs=organs)
            dataset = vlmevalkit.DATASET_NAME
    except (data.DataValidationError, data.DataUnavailableError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    path = vlmevalkit.write_tsv(cases, args.out)
    organ_count = len({case.organ for case in cases})
    print(f"wrote {len(cases)} cases ({organ_count} organ systems) to {path}")
    if path.name != f"{dataset}.tsv":
        print(f"VLMEvalKit reads this file as $LMUData/{dataset}.tsv", file=sys.stderr)
    return 0
