"""Loading and validating Med-RewardBench cases, from the Hub or from a local copy.

The benchmark is 13 organ systems of cases (an image, a question, two answers) and their
expert labels (six A/B winners, ``human_answer``), joined on ``question_id``. Where they
are in a dataset is found, not assumed: the dataset's files are listed once and
:mod:`.layout` finds each organ's files in any of the usual
layouts (``pair_gt_all/parquet/<organ>.parquet`` with ``pair_gt_all/<organ>.jsonl``,
``<organ>/test-*.parquet`` with the labels as a column, one table of all organs, ...).
:mod:`.sources` reads the Hub at one resolved commit, or a
local folder; :mod:`.image_checks` reads and checks the images.

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

import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from med_rewardbench_tasks.constants import ORGANS, Organ

from .labels import label_records, read_label_file, validate_labels
from .model import (
    DATA_DIR_ENV,
    EMBEDDED_LABEL_COLUMN,
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    REVISION_ENV,
    SAMPLE_DIR,
    Case,
    DataSource,
    DataUnavailableError,
    DataValidationError,
    HubDataset,
    LocalDirectory,
    Provenance,
    announce,
    check_organ,
    resolve_source,
    sample_source,
)

if TYPE_CHECKING:
    import datasets

__all__ = [
    "DATA_DIR_ENV",
    "EMBEDDED_LABEL_COLUMN",
    "OPTIONAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "REVISION_ENV",
    "SAMPLE_DIR",
    "Case",
    "DataSource",
    "DataUnavailableError",
    "DataValidationError",
    "HubDataset",
    "LocalDirectory",
    "Provenance",
    "announce",
    "available_organs",
    "cases_to_dataset",
    "label_records",
    "load_cases",
    "load_organ",
    "provenance",
    "read_label_file",
    "resolve_source",
    "sample_source",
    "source_of_id",
    "validate_labels",
]


def load_organ(organ: str, source: DataSource | None = None, *, decode_images: bool = True) -> list[Case]:
    """Validated cases of one organ system, from ``source`` (default: :func:`resolve_source`).

    ``decode_images=False`` skips the one costly check, decoding every image, for a caller that
    decodes each image itself with the same checks (the report's case browser); everything
    else is validated as for a run.
    """
    from .cases import checked_organs, layout_of, load_plan
    from .sources import snapshot_of

    organ = check_organ(organ)
    source = resolve_source() if source is None else source
    snapshot = snapshot_of(source)
    layout = layout_of(snapshot)
    checked_organs(snapshot, layout)
    plan = layout.plan(organ)
    cases = load_plan(snapshot, plan, decode_images=decode_images)
    announce(f"Med-RewardBench {organ}: {len(cases)} cases from {snapshot.source_id} ({', '.join(plan.files())})")
    return cases


def load_cases(organs: Iterable[str] = ORGANS, source: DataSource | None = None) -> list[Case]:
    """Validated cases of several organ systems, in the given organ order."""
    source = resolve_source() if source is None else source
    return [case for organ in organs for case in load_organ(organ, source)]


def available_organs(source: DataSource) -> list[Organ]:
    """Organ systems the source holds cases of, in canonical order."""
    from .cases import checked_organs, layout_of
    from .sources import snapshot_of

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
    from .cases import checked_organs, layout_of
    from .sources import snapshot_of

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
    from .docs import build_docs

    metadata_columns = [c for c in OPTIONAL_COLUMNS if any(c in case.metadata for case in cases)]
    return build_docs(cases, both_orders=both_orders, metadata_columns=metadata_columns)
