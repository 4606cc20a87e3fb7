"""Loading and validating Med-RewardBench cases.

The benchmark is published per organ system as two files (on the Hub and in a local copy
alike): ``pair_gt_all/parquet/<organ>.parquet`` with the cases and
``pair_gt_all/<organ>.jsonl`` with the expert labels, joined on ``question_id``. A parquet
file may instead carry the labels itself in a ``human_answer`` column.

Validation is strict on purpose: a case that cannot be scored honestly (no label, a
duplicate id, a label that is not A/B, a missing dimension, an image that does not decode)
stops the run with an error naming the file, the row and the ``question_id``. Dropping it
silently would change the denominator of every accuracy.

Nothing here touches the disk or the network at import time; the heavy readers
(pyarrow, PIL, huggingface_hub) are imported by the functions that need them.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from med_rewardbench_tasks.constants import (
    DIMENSIONS,
    HF_DATASET_ID,
    LABELS_DIR,
    ORGANS,
    PARQUET_DIR,
    WINNERS,
    Dimension,
    Organ,
    Winner,
)
from med_rewardbench_tasks.jsonio import json_object
from med_rewardbench_tasks.records import question_id as _question_id

if TYPE_CHECKING:
    import datasets

DATA_DIR_ENV: Final = "MED_REWARDBENCH_DATA_DIR"
REVISION_ENV: Final = "MED_REWARDBENCH_REVISION"

REQUIRED_COLUMNS: Final = ("image", "question", "answer1_text", "answer2_text", "question_id", "modality_type")
# Carried into every doc when the data has them; `department` feeds the per-department breakdown.
OPTIONAL_COLUMNS: Final = ("body_part", "dataset", "question_type", "image_id", "department")
EMBEDDED_LABEL_COLUMN: Final = "human_answer"

SAMPLE_DIR: Final = Path(__file__).resolve().parent / "sample_data"


class DataValidationError(ValueError):
    """The data cannot be scored honestly; the message names file, row and question_id."""


class DataUnavailableError(RuntimeError):
    """The data could not be fetched; the message names the local-data switch."""


@dataclass(frozen=True)
class LocalDirectory:
    """A directory laid out like the Hub dataset (it contains ``pair_gt_all/``)."""

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
        if not (path / LABELS_DIR).is_dir():
            raise DataUnavailableError(
                f"{DATA_DIR_ENV}={local!r} does not contain a {LABELS_DIR}/ directory; point it at the "
                f"folder that holds {LABELS_DIR}/<organ>.jsonl and {PARQUET_DIR}/<organ>.parquet "
                f"(a download of hf://datasets/{HF_DATASET_ID})."
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
    image: bytes = field(repr=False)
    labels: Mapping[Dimension, Winner]
    metadata: Mapping[str, str | None]


@dataclass(frozen=True)
class OrganFiles:
    """Where one organ's cases and labels were read from (names appear in error messages)."""

    organ: Organ
    parquet: Path
    labels: Path | None


def parquet_name(organ: str) -> str:
    return f"{PARQUET_DIR}/{organ}.parquet"


def labels_name(organ: str) -> str:
    return f"{LABELS_DIR}/{organ}.jsonl"


def _check_organ(organ: str) -> Organ:
    if organ not in ORGANS:
        raise ValueError(f"unknown organ system {organ!r}; expected one of {', '.join(ORGANS)}")
    return organ  # type: ignore[return-value]


def locate_organ_files(source: DataSource, organ: str) -> OrganFiles:
    """Find (downloading from the Hub if needed) the parquet and label files of one organ."""
    organ = _check_organ(organ)
    if isinstance(source, LocalDirectory):
        parquet = source.path / parquet_name(organ)
        if not parquet.is_file():
            raise DataValidationError(f"{parquet}: file not found (cases of organ {organ!r})")
        labels = source.path / labels_name(organ)
        return OrganFiles(organ, parquet, labels if labels.is_file() else None)
    return OrganFiles(
        organ,
        _download(source, parquet_name(organ), required=True),
        _download(source, labels_name(organ), required=False),
    )


def _download(source: HubDataset, filename: str, *, required: bool) -> Path | None:
    from huggingface_hub import errors as hub_errors
    from huggingface_hub import hf_hub_download

    # huggingface_hub 1.x renamed the "no such file in the repo" error; the local-cache miss
    # (offline) is a subclass of the old name, so it must be caught first.
    missing_remotely = tuple(
        getattr(hub_errors, name)
        for name in ("RemoteEntryNotFoundError", "EntryNotFoundError")
        if hasattr(hub_errors, name)
    )
    try:
        return Path(
            hf_hub_download(repo_id=source.repo_id, filename=filename, repo_type="dataset", revision=source.revision)
        )
    except hub_errors.LocalEntryNotFoundError as error:
        raise _unavailable(source, filename, error) from error
    except missing_remotely as error:
        if required:
            raise DataValidationError(
                f"{source.describe()}/{filename}: file not found in the dataset repository"
            ) from error
        return None
    except Exception as error:  # network down, offline mode, auth, proxy, timeouts: all end the same way
        raise _unavailable(source, filename, error) from error


def _unavailable(source: HubDataset, filename: str, error: Exception) -> DataUnavailableError:
    return DataUnavailableError(
        f"could not fetch {filename} from {source.describe()} ({type(error).__name__}: {error}). "
        f"Without network access, download the dataset once elsewhere and set "
        f"{DATA_DIR_ENV}=/path/to/copy (the folder containing {LABELS_DIR}/)."
    )


def read_label_file(path: Path) -> dict[str, tuple[int, Any]]:
    """``question_id`` -> (line number, raw ``human_answer``) from a label JSONL file."""
    labels: dict[str, tuple[int, Any]] = {}
    with path.open(encoding="utf-8") as handle:
        for line_number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            record = json_object(line, where=f"{path}:{line_number}", error=DataValidationError)
            if "question_id" not in record:
                raise DataValidationError(f"{path}:{line_number}: expected an object with a question_id")
            qid = _question_id(record["question_id"])
            if qid in labels:
                raise DataValidationError(
                    f"{path}:{line_number}: duplicate question_id {qid} (first on line {labels[qid][0]})"
                )
            if EMBEDDED_LABEL_COLUMN not in record:
                raise DataValidationError(f"{path}:{line_number}: question_id {qid} has no {EMBEDDED_LABEL_COLUMN}")
            labels[qid] = (line_number, record[EMBEDDED_LABEL_COLUMN])
    return labels


def validate_labels(raw: Any, *, where: str) -> dict[Dimension, Winner]:
    """Six A/B winners from a raw ``human_answer`` (a dict, or a JSON string of one)."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as error:
            raise DataValidationError(f"{where}: human_answer is not a JSON object ({error.msg})") from error
    if not isinstance(raw, Mapping):
        raise DataValidationError(f"{where}: human_answer must map the six dimensions to A/B, got {type(raw).__name__}")
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


def image_bytes(value: Any, *, base_dir: Path, where: str) -> bytes:
    """Encoded image bytes from a Hugging Face Image struct, raw bytes, or a relative path; verified to decode."""
    from PIL import Image, UnidentifiedImageError

    data: bytes | None = None
    if isinstance(value, Mapping):
        data = value.get("bytes")
        if data is None and value.get("path"):
            value = value["path"]
    if isinstance(value, (bytes, bytearray)):
        data = bytes(value)
    elif data is None and isinstance(value, str) and value:
        path = Path(value) if Path(value).is_absolute() else base_dir / value
        try:
            data = path.read_bytes()
        except OSError as error:
            raise DataValidationError(f"{where}: image file {path} cannot be read ({error.strerror})") from error
    if not data:
        raise DataValidationError(f"{where}: image is missing")
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
        raise DataValidationError(f"{where}: image does not decode ({type(error).__name__}: {error})") from error
    return data


def _text(row: Mapping[str, Any], column: str, *, where: str) -> str:
    value = row.get(column)
    if not isinstance(value, str) or not value.strip():
        raise DataValidationError(f"{where}: {column} must be a non-empty string, got {value!r}")
    return value


def validate_organ(
    files: OrganFiles,
    rows: Sequence[Mapping[str, Any]],
    labels: Mapping[str, tuple[int, Any]] | None,
) -> list[Case]:
    """Join cases with labels and check every field; raise on the first problem found."""
    if not rows:
        raise DataValidationError(f"{files.parquet}: no cases")
    missing = [column for column in REQUIRED_COLUMNS if column not in rows[0]]
    if missing:
        raise DataValidationError(f"{files.parquet}: missing column(s) {', '.join(missing)}")
    if labels is None and EMBEDDED_LABEL_COLUMN not in rows[0]:
        raise DataValidationError(
            f"{files.parquet}: no label file {labels_name(files.organ)} next to it "
            f"and no {EMBEDDED_LABEL_COLUMN} column"
        )

    cases: list[Case] = []
    first_row_of: dict[str, int] = {}
    for row_number, row in enumerate(rows):
        raw_qid = row.get("question_id")
        if raw_qid is None or not str(raw_qid).strip():
            raise DataValidationError(f"{files.parquet} row {row_number}: question_id is empty")
        qid = _question_id(raw_qid)
        where = f"{files.parquet} row {row_number} (question_id {qid})"
        if qid in first_row_of:
            raise DataValidationError(f"{where}: duplicate question_id (first at row {first_row_of[qid]})")
        first_row_of[qid] = row_number

        modality = str(row.get("modality_type") or "").strip()
        if modality != files.organ:
            raise DataValidationError(f"{where}: modality_type is {modality!r}, expected {files.organ!r}")

        if labels is not None:
            if qid not in labels:
                raise DataValidationError(f"{where}: no label in {files.labels} for this question_id")
            line_number, raw_label = labels[qid]
            case_labels = validate_labels(raw_label, where=f"{files.labels}:{line_number} (question_id {qid})")
            if EMBEDDED_LABEL_COLUMN in row and row[EMBEDDED_LABEL_COLUMN] is not None:
                embedded = validate_labels(row[EMBEDDED_LABEL_COLUMN], where=where)
                if embedded != case_labels:
                    raise DataValidationError(
                        f"{where}: {EMBEDDED_LABEL_COLUMN} column disagrees with {files.labels}:{line_number}"
                    )
        else:
            case_labels = validate_labels(row.get(EMBEDDED_LABEL_COLUMN), where=where)

        cases.append(
            Case(
                question_id=qid,
                organ=files.organ,
                question=_text(row, "question", where=where),
                answer1_text=_text(row, "answer1_text", where=where),
                answer2_text=_text(row, "answer2_text", where=where),
                image=image_bytes(row["image"], base_dir=files.parquet.parent, where=where),
                labels=case_labels,
                metadata={
                    column: (None if row[column] is None else str(row[column]))
                    for column in OPTIONAL_COLUMNS
                    if column in row
                },
            )
        )

    if labels is not None:
        orphans = sorted(set(labels) - set(first_row_of))
        if orphans:
            line_number = labels[orphans[0]][0]
            raise DataValidationError(
                f"{files.labels}:{line_number}: label for question_id {orphans[0]} has no case in {files.parquet}"
                + (f" ({len(orphans) - 1} more such labels)" if len(orphans) > 1 else "")
            )
    return cases


def read_parquet_rows(path: Path) -> list[dict[str, Any]]:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except Exception as error:  # pyarrow raises several unrelated types for corrupt files
        raise DataValidationError(f"{path}: not a readable parquet file ({type(error).__name__}: {error})") from error
    return table.to_pylist()


def load_organ(organ: str, source: DataSource | None = None) -> list[Case]:
    """Validated cases of one organ system, from ``source`` (default: :func:`resolve_source`)."""
    source = resolve_source() if source is None else source
    files = locate_organ_files(source, organ)
    labels = read_label_file(files.labels) if files.labels is not None else None
    return validate_organ(files, read_parquet_rows(files.parquet), labels)


def load_cases(organs: Iterable[str] = ORGANS, source: DataSource | None = None) -> list[Case]:
    """Validated cases of several organ systems, in the given organ order."""
    source = resolve_source() if source is None else source
    return [case for organ in organs for case in load_organ(organ, source)]


def available_organs(source: LocalDirectory) -> list[Organ]:
    """Organs that have a parquet file in a local copy, in canonical order."""
    return [organ for organ in ORGANS if (source.path / parquet_name(organ)).is_file()]


def cases_to_dataset(cases: Sequence[Case], *, both_orders: bool = False) -> datasets.Dataset:
    """The lmms-eval docs: one row per case, or two (original, then swapped) with ``both_orders``.

    The image is a decodable ``datasets.Image`` column; ``swapped`` tells the prompt and the
    scoring which answer is shown as A.
    """
    import datasets

    presentations = [(case, swapped) for case in cases for swapped in ((False, True) if both_orders else (False,))]
    metadata_columns = [c for c in OPTIONAL_COLUMNS if any(c in case.metadata for case in cases)]
    columns: dict[str, list[Any]] = {
        "question_id": [case.question_id for case, _ in presentations],
        "organ": [case.organ for case, _ in presentations],
        "question": [case.question for case, _ in presentations],
        "answer1_text": [case.answer1_text for case, _ in presentations],
        "answer2_text": [case.answer2_text for case, _ in presentations],
        "human_answer": [dict(case.labels) for case, _ in presentations],
        "swapped": [swapped for _, swapped in presentations],
        "image": [{"bytes": case.image, "path": None} for case, _ in presentations],
    }
    for column in metadata_columns:
        columns[column] = [case.metadata.get(column) for case, _ in presentations]
    features = datasets.Features(
        {
            "question_id": datasets.Value("string"),
            "organ": datasets.Value("string"),
            "question": datasets.Value("string"),
            "answer1_text": datasets.Value("string"),
            "answer2_text": datasets.Value("string"),
            "human_answer": {dimension: datasets.Value("string") for dimension in DIMENSIONS},
            "swapped": datasets.Value("bool"),
            "image": datasets.Image(),
            **{column: datasets.Value("string") for column in metadata_columns},
        }
    )
    return datasets.Dataset.from_dict(columns, features=features)
