"""Loading and validating Med-RewardBench cases, from the Hub or from a local copy.

The benchmark is 13 organ systems of cases (an image, a question, two answers) and their
expert labels (six A/B winners, ``human_answer``), joined on ``question_id``. Where they
are in a dataset is found, not assumed: the dataset's files are listed once and
:mod:`med_rewardbench_tasks.data_layout` finds each organ's files in any of the usual
layouts (``pair_gt_all/parquet/<organ>.parquet`` with ``pair_gt_all/<organ>.jsonl``,
``<organ>/test-*.parquet`` with the labels as a column, one table of all organs, ...).
:mod:`~med_rewardbench_tasks.data_sources` reads the Hub at one resolved commit, or a
local folder; :mod:`~med_rewardbench_tasks.data_images` reads and checks the images.

Validation is strict on purpose: a case that cannot be scored honestly (no label, a
duplicate id — within an organ or across the benchmark —, a label that is not A/B, an
unknown label key, an image that does not decode completely) stops the run with an error
naming the file, the row and the ``question_id``. Dropping it silently would change the
denominator of every accuracy.

Every load records where its data came from: each case carries its source (``owner/name@
<commit>`` or the local folder), a log line names the commit and the files, and
:func:`provenance` gives both back for a report.

Nothing here touches the disk or the network at import time; the heavy readers
(pyarrow, PIL, huggingface_hub) are imported by the functions that need them.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from med_rewardbench_tasks.constants import DIMENSIONS, HF_DATASET_ID, ORGANS, WINNERS, Dimension, Organ, Winner
from med_rewardbench_tasks.records import question_id

if TYPE_CHECKING:
    import datasets

    from med_rewardbench_tasks.data_tables import TableRow

DATA_DIR_ENV: Final = "MED_REWARDBENCH_DATA_DIR"
REVISION_ENV: Final = "MED_REWARDBENCH_REVISION"

REQUIRED_COLUMNS: Final = ("image", "question", "answer1_text", "answer2_text", "question_id")
# Carried into every doc when the data has them; `department` feeds the per-department breakdown.
OPTIONAL_COLUMNS: Final = ("body_part", "dataset", "question_type", "image_id", "department")
EMBEDDED_LABEL_COLUMN: Final = "human_answer"

SAMPLE_DIR: Final = Path(__file__).resolve().parent / "sample_data"

_log = logging.getLogger(__name__)


class DataValidationError(ValueError):
    """The data cannot be scored honestly; the message names file, row and question_id."""


class DataUnavailableError(RuntimeError):
    """The data could not be fetched; the message names the local-data switch."""


@dataclass(frozen=True)
class LocalDirectory:
    """A local copy of the dataset, in any layout :mod:`~med_rewardbench_tasks.data_layout` finds."""

    path: Path

    def describe(self) -> str:
        return str(self.path)


@dataclass(frozen=True)
class HubDataset:
    """A dataset repository on the Hugging Face Hub."""

    repo_id: str = HF_DATASET_ID
    revision: str | None = None

    def describe(self) -> str:
        at = f"@{self.revision}" if self.revision else ""
        return f"hf://datasets/{self.repo_id}{at}"


DataSource = LocalDirectory | HubDataset


def resolve_source(env: Mapping[str, str] | None = None) -> DataSource:
    """The source the tasks read: ``$MED_REWARDBENCH_DATA_DIR`` when set, else the Hub dataset."""
    env = os.environ if env is None else env
    local = env.get(DATA_DIR_ENV, "").strip()
    if local:
        path = Path(local).expanduser()
        if not path.is_dir():
            raise DataUnavailableError(
                f"{DATA_DIR_ENV}={local!r} is not a folder; point it at a copy of the dataset "
                f"(a download of hf://datasets/{HF_DATASET_ID}, in any layout the README's Data section lists)"
            )
        return LocalDirectory(path)
    revision = env.get(REVISION_ENV, "").strip() or None
    return HubDataset(HF_DATASET_ID, revision)


def sample_source() -> LocalDirectory:
    """The synthetic sample shipped with the package (pipeline smoke test, not benchmark data)."""
    return LocalDirectory(SAMPLE_DIR)


@dataclass(frozen=True)
class Case:
    """One judged pair with its expert labels, validated."""

    question_id: str
    organ: Organ
    question: str
    answer1_text: str
    answer2_text: str
    image: bytes = field(repr=False)  # encoded, as stored; held once (the docs point at these bytes)
    labels: Mapping[Dimension, Winner]
    metadata: Mapping[str, str | None]
    source: str | None = None  # the snapshot it came from: "owner/name@<commit>" or the local folder


@dataclass(frozen=True)
class Provenance:
    """What a run read: the dataset version and, per organ system, the files."""

    source_id: str
    location: str
    revision: str | None
    commit: str | None
    files: Mapping[Organ, tuple[str, ...]]
    from_cache_because: str | None = None

    def lines(self) -> list[str]:
        head = f"data: {self.location}"
        if self.commit:
            head += f" (revision {self.revision or 'main'} = commit {self.commit})"
        if self.from_cache_because:
            head += f", read from the Hugging Face cache ({self.from_cache_because})"
        return [head, *(f"  {organ}: {', '.join(paths)}" for organ, paths in self.files.items())]


def _check_organ(organ: str) -> Organ:
    if organ not in ORGANS:
        raise ValueError(f"unknown organ system {organ!r}; expected one of {', '.join(ORGANS)}")
    return organ  # type: ignore[return-value]


def announce(message: str) -> None:
    """A line the user sees in an lmms-eval run (lmms-eval logs through loguru), else a logging record."""
    if "lmms_eval" in sys.modules:
        try:
            from loguru import logger
        except ImportError:
            pass
        else:
            logger.info(message)
            return
    _log.info(message)


# ---------------------------------------------------------------------------------------
# Labels
# ---------------------------------------------------------------------------------------


def validate_labels(raw: Any, *, where: str) -> dict[Dimension, Winner]:
    """Six A/B winners from a raw ``human_answer`` (a dict, or a JSON string of one); no other keys."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as error:
            raise DataValidationError(f"{where}: human_answer is not a JSON object ({error.msg})") from error
    if not isinstance(raw, Mapping):
        raise DataValidationError(f"{where}: human_answer must map the six dimensions to A/B, got {type(raw).__name__}")
    unknown = [key for key in raw if key not in DIMENSIONS]
    if unknown:
        raise DataValidationError(
            f"{where}: human_answer has unknown key {unknown[0]!r}"
            + (f" (and {', '.join(map(repr, unknown[1:]))})" if unknown[1:] else "")
            + f"; expected exactly {', '.join(DIMENSIONS)}"
        )
    labels: dict[Dimension, Winner] = {}
    for dimension in DIMENSIONS:
        if raw.get(dimension) is None:
            raise DataValidationError(f"{where}: human_answer has no label for dimension {dimension!r}")
        value = str(raw[dimension]).strip().upper()
        if value not in WINNERS:
            raise DataValidationError(
                f"{where}: human_answer[{dimension!r}] is {raw[dimension]!r}; expert labels must be 'A' or 'B'"
            )
        labels[dimension] = value  # type: ignore[assignment]
    return labels


def label_records(rows: Iterable[TableRow]) -> dict[str, tuple[TableRow, Any]]:
    """``question_id`` -> (its row, raw ``human_answer``); refuses records without either, and duplicates."""
    labels: dict[str, tuple[TableRow, Any]] = {}
    for row in rows:
        if row.values.get("question_id") is None:
            raise DataValidationError(f"{row.where}: expected an object with a question_id")
        qid = question_id(row.values["question_id"])
        if qid in labels:
            first = labels[qid][0]
            said = f"line {first.number}" if first.line_numbered else first.where
            raise DataValidationError(f"{row.where}: duplicate question_id {qid} (first on {said})")
        if EMBEDDED_LABEL_COLUMN not in row.values:
            raise DataValidationError(f"{row.where}: question_id {qid} has no {EMBEDDED_LABEL_COLUMN}")
        labels[qid] = (row, row.values[EMBEDDED_LABEL_COLUMN])
    return labels


def read_label_file(path: Path) -> dict[str, tuple[int, Any]]:
    """``question_id`` -> (line or record number, raw ``human_answer``) from a local .jsonl or .json label file."""
    from med_rewardbench_tasks.data_layout import FileSet
    from med_rewardbench_tasks.data_sources import Snapshot
    from med_rewardbench_tasks.data_tables import iter_rows

    path = Path(path)
    snapshot = Snapshot("local", path.parent.absolute(), (path.name,))
    records = label_records(iter_rows(snapshot, FileSet((path.name,), "json", None)))
    return {qid: (row.number, raw) for qid, (row, raw) in records.items()}


def load_organ(organ: str, source: DataSource | None = None) -> list[Case]:
    """Validated cases of one organ system, from ``source`` (default: :func:`resolve_source`)."""
    from med_rewardbench_tasks.data_cases import checked_organs, layout_of, load_plan
    from med_rewardbench_tasks.data_sources import snapshot_of

    organ = _check_organ(organ)
    source = resolve_source() if source is None else source
    snapshot = snapshot_of(source)
    layout = layout_of(snapshot)
    checked_organs(snapshot, layout)
    plan = layout.plan(organ)
    cases = load_plan(snapshot, plan)
    announce(f"Med-RewardBench {organ}: {len(cases)} cases from {snapshot.source_id} ({', '.join(plan.files())})")
    return cases


def load_cases(organs: Iterable[str] = ORGANS, source: DataSource | None = None) -> list[Case]:
    """Validated cases of several organ systems, in the given organ order."""
    source = resolve_source() if source is None else source
    return [case for organ in organs for case in load_organ(organ, source)]


def available_organs(source: DataSource) -> list[Organ]:
    """Organ systems the source holds cases of, in canonical order."""
    from med_rewardbench_tasks.data_cases import checked_organs, layout_of
    from med_rewardbench_tasks.data_sources import snapshot_of

    snapshot = snapshot_of(source)
    return list(checked_organs(snapshot, layout_of(snapshot)))


# ---------------------------------------------------------------------------------------
# Provenance
# ---------------------------------------------------------------------------------------
def source_of_id(source_id: str) -> DataSource:
    """The source a recorded id names: ``owner/name@<commit>`` (Hub) or a local folder."""
    repo, at, commit = source_id.rpartition("@")
    if at and re.fullmatch(r"[0-9a-f]{40}", commit) and not Path(source_id).exists():
        return HubDataset(repo, commit)
    return LocalDirectory(Path(source_id))


def provenance(source: DataSource | str | None = None) -> Provenance:
    """What a run with ``source`` (a source, or the ``source`` id recorded with each sample) reads.

    For a Hub id this is exact (a commit never changes); for a local folder it is what the
    folder holds now.
    """
    from med_rewardbench_tasks.data_cases import checked_organs, layout_of
    from med_rewardbench_tasks.data_sources import snapshot_of

    if source is None:
        source = resolve_source()
    elif isinstance(source, str):
        source = source_of_id(source)
    snapshot = snapshot_of(source)
    layout = layout_of(snapshot)
    files = {organ: layout.plan(organ).files() for organ in checked_organs(snapshot, layout)}
    return Provenance(
        source_id=snapshot.source_id,
        location=snapshot.describe(),
        revision=snapshot.revision,
        commit=snapshot.commit,
        files=files,
        from_cache_because=snapshot.from_cache_because,
    )


# ---------------------------------------------------------------------------------------
# lmms-eval docs
# ---------------------------------------------------------------------------------------
def cases_to_dataset(cases: Sequence[Case], *, both_orders: bool = False) -> datasets.Dataset:
    """The lmms-eval docs: one row per case, or two (original, then swapped) with ``both_orders``.

    The image column points at the cases' own bytes (no copy, also for the second order);
    ``doc_to_visual`` decodes it. ``swapped`` tells the prompt and the scoring which answer
    is shown as A; ``source`` is the data version the case came from.
    """
    from med_rewardbench_tasks.data_docs import build_docs

    metadata_columns = [c for c in OPTIONAL_COLUMNS if any(c in case.metadata for case in cases)]
    return build_docs(cases, both_orders=both_orders, metadata_columns=metadata_columns)
