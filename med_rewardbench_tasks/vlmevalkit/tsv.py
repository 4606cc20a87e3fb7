"""Cases -> VLMEvalKit's TSV (tab-separated, every field quoted, images base64-encoded), and back.

Layout: ``index`` (0..n-1), ``image`` (the case's encoded image, base64), ``question_text`` (not
``question``: see :data:`QUESTION_COLUMN`), ``answer1_text`` (shown as A), ``answer2_text`` (shown
as B), ``question_id``, ``organ``, ``human_answer`` (the six expert winners as a JSON object), then
the optional metadata columns of the data (``body_part``, ``dataset``, ``question_type``,
``image_id``, ``department``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from med_rewardbench_tasks.constants import DIMENSIONS, ORGANS

from .names import SAMPLE_DATASET_NAME, base_dataset, dataset_name_rule

if TYPE_CHECKING:
    import pandas as pd

    from med_rewardbench_tasks.data import Case, DataSource

# Not `question`: VLMEvalKit's run.py, started without the launcher, takes any `<LMUData>/<name>.tsv` with a
# `question` column as a generic VQA dataset and sends the bare question, no judge prompt, exit 0. Without one,
# its loader refuses the file ("does not have a `question` column", "Dataset ... is not valid, will be skipped").
QUESTION_COLUMN: Final = "question_text"
TSV_COLUMNS: Final = (
    "index",
    "image",
    QUESTION_COLUMN,
    "answer1_text",
    "answer2_text",
    "question_id",
    "organ",
    "human_answer",
)
LABEL_COLUMN: Final = "human_answer"


class FileFormatError(ValueError):
    """A file is not in the layout the adapter reads; the message names the file and what is wrong."""


def cases_for(dataset: str, source: DataSource | None = None, organs: Iterable[str] | None = None) -> list[Case]:
    """The validated cases behind a VLMEvalKit dataset name (the sample, or the benchmark from ``source``)."""
    from med_rewardbench_tasks import data

    base = base_dataset(dataset)
    if base is None:
        raise ValueError(dataset_name_rule(dataset))
    if base == SAMPLE_DATASET_NAME:
        sample = data.sample_source()
        chosen = data.available_organs(sample) if organs is None else list(organs)
        return data.load_cases(chosen, sample)
    return data.load_cases(ORGANS if organs is None else list(organs), source)


def cases_to_frame(cases: Sequence[Case]) -> pd.DataFrame:
    """One row per case in VLMEvalKit's TSV layout (``image`` is the case's encoded image, base64)."""
    import base64

    import pandas as pd

    from med_rewardbench_tasks.data import OPTIONAL_COLUMNS
    from med_rewardbench_tasks.images import shown_image_bytes

    metadata = [column for column in OPTIONAL_COLUMNS if any(column in case.metadata for case in cases)]
    rows = []
    for index, case in enumerate(cases):
        row: dict[str, Any] = {
            "index": index,
            "image": base64.b64encode(shown_image_bytes(case.image)).decode("ascii"),
            QUESTION_COLUMN: case.question,
            "answer1_text": case.answer1_text,
            "answer2_text": case.answer2_text,
            "question_id": case.question_id,
            "organ": case.organ,
            LABEL_COLUMN: json.dumps({dimension: case.labels[dimension] for dimension in DIMENSIONS}),
        }
        for column in metadata:
            value = case.metadata.get(column)
            row[column] = "" if value is None else value
        rows.append(row)
    return pd.DataFrame(rows, columns=[*TSV_COLUMNS, *metadata])


def write_tsv(cases: Sequence[Case], path: str | os.PathLike[str]) -> Path:
    """Write ``cases`` as a VLMEvalKit TSV (tab-separated, every field quoted, as ``vlmeval.smp.dump`` writes)."""
    import csv

    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        cases_to_frame(cases).to_csv(partial, sep="\t", index=False, encoding="utf-8", quoting=csv.QUOTE_ALL)
        partial.replace(target)  # a reader never sees half a file
    finally:
        partial.unlink(missing_ok=True)
    return target


def tsv_layout_problem(path: str | os.PathLike[str], columns: Sequence[str]) -> str | None:
    """What keeps a TSV with these columns from being read as a Med-RewardBench TSV; None if nothing."""
    missing = [column for column in TSV_COLUMNS if column not in columns]
    if missing and "question" in columns:
        return (
            f"{path}: written by an earlier med-rewardbench-tasks, whose `question` column lets VLMEvalKit's run.py "
            "without the launcher read it as a generic VQA dataset (bare questions, no judge prompt); delete it "
            "(it is rebuilt on first use) or write it again with `med-rewardbench export-vlmevalkit`"
        )
    if missing:
        return f"{path}: not a Med-RewardBench TSV (missing column(s) {', '.join(missing)})"
    return None


def read_tsv(path: str | os.PathLike[str]) -> pd.DataFrame:
    """A TSV written by :func:`write_tsv`, every column as text (ids keep their spelling), ``index`` as int."""
    import pandas as pd

    frame = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    problem = tsv_layout_problem(path, list(frame.columns))
    if problem:
        raise FileFormatError(problem)
    frame["index"] = [int(value) for value in frame["index"]]
    return frame


def default_data_root() -> Path:
    """VLMEvalKit's data folder: ``vlmeval.smp.LMUDataRoot()`` when VLMEvalKit is importable, else its rule."""
    try:
        from vlmeval.smp import LMUDataRoot
    except ImportError:
        configured = os.environ.get("LMUData")  # noqa: SIM112 (VLMEvalKit's spelling)
        if configured and os.path.exists(configured):
            return Path(configured)
        return Path.home() / "LMUData"
    return Path(LMUDataRoot())


def ensure_tsv(dataset: str, data_root: str | os.PathLike[str] | None = None) -> Path:
    """``<LMUData>/<dataset>.tsv`` (a variant reads its base's file), written from the validated cases if absent."""
    base = base_dataset(dataset)
    if base is None:
        raise ValueError(dataset_name_rule(dataset))
    root = default_data_root() if data_root is None else Path(data_root)
    path = root / f"{base}.tsv"
    if not path.is_file():
        write_tsv(cases_for(base), path)
    return path
