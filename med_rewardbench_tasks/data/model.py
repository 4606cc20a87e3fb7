"""What the loader reads from and hands out: the data sources, a validated case, a load's provenance, its errors."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from med_rewardbench_tasks.constants import HF_DATASET_ID, ORGANS, Dimension, Organ, Winner

DATA_DIR_ENV: Final = "MED_REWARDBENCH_DATA_DIR"
REVISION_ENV: Final = "MED_REWARDBENCH_REVISION"

REQUIRED_COLUMNS: Final = ("image", "question", "answer1_text", "answer2_text", "question_id")
# Carried into every doc when the data has them; `department` feeds the per-department breakdown.
OPTIONAL_COLUMNS: Final = ("body_part", "dataset", "question_type", "image_id", "department")
EMBEDDED_LABEL_COLUMN: Final = "human_answer"

SAMPLE_DIR: Final = Path(__file__).resolve().parents[1] / "sample_data"

# The package's name, not this module's: where users and the tests look for the load's log line.
_log = logging.getLogger(__name__.rpartition(".")[0])


class DataValidationError(ValueError):
    """The data cannot be scored honestly; the message names file, row and question_id."""


class DataUnavailableError(RuntimeError):
    """The data could not be fetched; the message names the local-data switch."""


@dataclass(frozen=True)
class LocalDirectory:
    """A local copy of the dataset, in any layout :mod:`~med_rewardbench_tasks.data.layout` finds."""

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


def check_organ(organ: str) -> Organ:
    """``organ`` as an organ system of the benchmark, or a ValueError naming the valid ones."""
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
