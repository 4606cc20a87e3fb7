#!/usr/bin/env python3
"""Write the synthetic pipeline sample shipped in ``med_rewardbench_tasks/sample_data``.

The sample has the exact file layout of the real Med-RewardBench dataset
(``pair_gt_all/parquet/<organ>.parquet`` and ``pair_gt_all/<organ>.jsonl``) but drawn
images and invented question/answer pairs and labels; see the README it writes.

Usage (from the repository root)::

    python scripts/build_sample.py            # rewrites med_rewardbench_tasks/sample_data
    python scripts/build_sample.py --out DIR --seed 0
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
# First, even when an editable install already lists the checkout: another distribution (latex2sympy2, which
# lmms-eval pulls in) installs a top-level `tests` package that would otherwise hide tests/synthetic.
sys.path.insert(0, str(REPO_ROOT))

# Deliberately after the sys.path insert above, so the script runs from a plain checkout.
from med_rewardbench_tasks.constants import ORGANS, Organ  # noqa: E402 - needs REPO_ROOT on sys.path
from tests.synthetic import make_cases, write_layout  # noqa: E402 - needs REPO_ROOT on sys.path

DEFAULT_OUT = REPO_ROOT / "med_rewardbench_tasks" / "sample_data"
IMAGE_SIZE = 128
# Three cases for the first four organs, two for the other nine: 30 cases in all.
SAMPLE_CASES: dict[Organ, int] = {organ: 3 if i < 4 else 2 for i, organ in enumerate(ORGANS)}

README_TEMPLATE = """\
# Synthetic pipeline sample — NOT benchmark data

This folder is a **synthetic pipeline sample** for smoke-testing the Med-RewardBench
pipeline (data loading, prompt building, verdict parsing, metrics) without downloading
the real dataset. It is **not** Med-RewardBench data.

- The {n_cases} cases ({per_organ}) have **drawn images**:
  simple grayscale schematics of each organ system with one drawn "finding", made with
  PIL. They are not real scans.
- The questions, both candidate answers and the six labels per case (accuracy,
  relevance, comprehensiveness, creativity, responsiveness, overall) are **invented** by
  a generator. They are not expert judgments. Labels follow from how the generator wrote
  each answer (see `tests/synthetic/` for the rules).
- **Numbers computed on this sample mean nothing about a judge's quality.** Use them
  only to check that the pipeline runs end to end and that its outputs have the right
  shape. For real results, use the public dataset `{hf_id}`.

The layout matches the real dataset: `pair_gt_all/parquet/<organ>.parquet` (columns
`image`, `question`, `answer1_text`, `answer2_text`, `question_id`, `modality_type`,
`body_part`, `dataset`, `question_type`, `image_id`; `image` is a Hugging Face
`datasets.Image()` feature) and `pair_gt_all/<organ>.jsonl` (the labels). Every row has
`dataset` = `synthetic-pipeline-sample`.

## How it was made

From the repository root:

    python scripts/build_sample.py --seed {seed}

(images {size}x{size} pixels; the output is deterministic for a given seed).
"""


def write_readme(out_dir: Path, *, seed: int) -> Path:
    """Write the README that labels the folder as a synthetic sample."""
    from med_rewardbench_tasks.constants import HF_DATASET_ID

    counts = sorted(set(SAMPLE_CASES.values()), reverse=True)
    per_organ = ", ".join(f"{c} for {sum(1 for v in SAMPLE_CASES.values() if v == c)} organ systems" for c in counts)
    text = README_TEMPLATE.format(
        n_cases=sum(SAMPLE_CASES.values()),
        per_organ=per_organ,
        hf_id=HF_DATASET_ID,
        seed=seed,
        size=IMAGE_SIZE,
    )
    path = Path(out_dir) / "README.md"
    path.write_text(text, encoding="utf-8")
    return path


def build_sample(out_dir: Path, *, seed: int = 0) -> list[Path]:
    """Generate the 30-case sample into ``out_dir``; returns every written file."""
    out_dir = Path(out_dir)
    cases = make_cases(SAMPLE_CASES, seed=seed, image_size=IMAGE_SIZE)
    written = write_layout(cases, out_dir)
    written.append(write_readme(out_dir, seed=seed))
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default: {DEFAULT_OUT})")
    parser.add_argument("--seed", type=int, default=0, help="generator seed (default: 0)")
    args = parser.parse_args(argv)
    written = build_sample(args.out, seed=args.seed)
    total = sum(p.stat().st_size for p in written)
    print(f"wrote {len(written)} files ({total / 1024:.1f} KiB) under {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
