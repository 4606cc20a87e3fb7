"""Writing synthetic cases in the on-disk layout of the real dataset."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from med_rewardbench_tasks.constants import BENCHMARK_CASES, LABELS_DIR, ORGANS, PARQUET_DIR

from .cases import SyntheticCase, distribute_cases, make_cases

# Column order of the written parquet files (``department`` only when requested).
COLUMNS: Final[tuple[str, ...]] = (
    "image",
    "question",
    "answer1_text",
    "answer2_text",
    "question_id",
    "modality_type",
    "body_part",
    "dataset",
    "question_type",
    "image_id",
)


def write_layout(cases: Sequence[SyntheticCase], out_dir: Path) -> list[Path]:
    """Write ``cases`` in the real dataset layout under ``out_dir``.

    For each organ present (in :data:`ORGANS` order): ``pair_gt_all/parquet/<organ>.parquet``
    (written through :class:`datasets.Dataset` so it carries the Hugging Face feature
    metadata, ``image`` as a :class:`datasets.Image` feature) and ``pair_gt_all/<organ>.jsonl``
    with one label record per line. Rows keep the order of ``cases``. Returns the written
    paths, parquet then jsonl per organ.
    """
    import datasets

    out_dir = Path(out_dir)
    ids = [case.question_id for case in cases]
    if len(set(ids)) != len(ids):
        raise ValueError("question_id values must be unique")
    with_department = {case.department is not None for case in cases}
    if len(with_department) > 1:
        raise ValueError("either all cases or none must carry a department")
    parquet_dir = out_dir / PARQUET_DIR
    labels_dir = out_dir / LABELS_DIR
    parquet_dir.mkdir(parents=True, exist_ok=True)

    columns = list(COLUMNS) + (["department"] if with_department == {True} else [])
    features = datasets.Features(
        {
            name: datasets.Image()
            if name == "image"
            else datasets.Value("int64")
            if name == "question_id"
            else datasets.Value("string")
            for name in columns
        }
    )
    bars_were_disabled = datasets.are_progress_bars_disabled()
    datasets.disable_progress_bars()
    written: list[Path] = []
    try:
        for organ in ORGANS:
            organ_cases = [case for case in cases if case.organ == organ]
            if not organ_cases:
                continue
            rows = [case.row() for case in organ_cases]
            table = {name: [row[name] for row in rows] for name in columns}
            parquet_path = parquet_dir / f"{organ}.parquet"
            datasets.Dataset.from_dict(table, features=features).to_parquet(str(parquet_path))
            jsonl_path = labels_dir / f"{organ}.jsonl"
            jsonl_path.write_text(
                "".join(json.dumps(case.label_record()) + "\n" for case in organ_cases), encoding="utf-8"
            )
            written += [parquet_path, jsonl_path]
    finally:
        if not bars_were_disabled:
            datasets.enable_progress_bars()
    return written


def write_synthetic_benchmark(
    out_dir: Path, *, total: int = BENCHMARK_CASES, seed: int = 0, image_size: int = 128
) -> list[Path]:
    """Distribute ``total`` cases over all organs, generate them and write the layout."""
    cases = make_cases(distribute_cases(total), seed=seed, image_size=image_size)
    return write_layout(cases, out_dir)
