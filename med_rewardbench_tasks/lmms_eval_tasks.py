"""How the package's own lmms-eval tasks get their docs; every other hook is in :mod:`.task_hooks`.

lmms-eval always calls ``datasets.load_dataset`` itself, which can neither find the
benchmark in whatever layout its Hub repository has, nor join label files, nor say how to
work offline. The package's task templates therefore point it at a one-line local file and
name the subset in ``dataset_name`` (an organ system, or ``sample``); :func:`process_docs`
then loads that subset with :mod:`.data` (the Hub, or ``$MED_REWARDBENCH_DATA_DIR``),
validates every case and hands lmms-eval docs in the Hub dataset's own form — the form the
upstream task folder reads with plain ``dataset_path`` / ``dataset_name``.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Final

from med_rewardbench_tasks.constants import ORGANS
from med_rewardbench_tasks.records import VERDICT_RECORD_KEY, encode_verdict
from med_rewardbench_tasks.task_hooks import (
    doc_to_messages,
    doc_to_target,
    doc_to_text,
    doc_to_visual,
    process_results,
    process_results_swap,
    with_both_orders,
)

if TYPE_CHECKING:
    import datasets

    from med_rewardbench_tasks.data import Case, DataSource

__all__ = [
    "SAMPLE_SUBSET",
    "VERDICT_RECORD_KEY",
    "doc_to_messages",
    "doc_to_target",
    "doc_to_text",
    "doc_to_visual",
    "encode_verdict",
    "process_docs",
    "process_docs_both_orders",
    "process_results",
    "process_results_swap",
    "subset_cases",
]

SAMPLE_SUBSET: Final = "sample"

_failed_subsets: dict[tuple[str, object], Exception] = {}


def subset_cases(subset: str) -> tuple[Case, ...]:
    """Validated cases of one task subset: an organ system of the benchmark, or the shipped sample."""
    from med_rewardbench_tasks import data

    source = data.sample_source() if subset == SAMPLE_SUBSET else data.resolve_source()
    # lmms-eval retries a failed dataset load five times; the data do not change within a
    # run, so the first error is repeated instead of re-reading (and re-downloading) it.
    failure = _failed_subsets.get((subset, source))
    if failure is not None:
        raise failure
    try:
        return _load_subset_cases(subset, source)
    except (data.DataValidationError, data.DataUnavailableError, ValueError) as error:
        _failed_subsets[(subset, source)] = error
        raise


@functools.lru_cache(maxsize=32)
def _load_subset_cases(subset: str, source: DataSource) -> tuple[Case, ...]:
    from med_rewardbench_tasks import data

    if subset == SAMPLE_SUBSET:
        assert isinstance(source, data.LocalDirectory)
        return tuple(data.load_cases(data.available_organs(source), source))
    if subset in ORGANS:
        return tuple(data.load_organ(subset, source))
    raise ValueError(f"dataset_name {subset!r} is neither an organ system ({', '.join(ORGANS)}) nor {SAMPLE_SUBSET!r}")


def process_docs(docs: datasets.Dataset) -> datasets.Dataset:
    """Replace the placeholder rows lmms-eval loaded with the validated cases of the task's subset."""
    from med_rewardbench_tasks.data import cases_to_dataset

    return cases_to_dataset(subset_cases(docs.info.config_name))


def process_docs_both_orders(docs: datasets.Dataset) -> datasets.Dataset:
    """As :func:`process_docs`, with every case presented twice: original order, then swapped."""
    return with_both_orders(process_docs(docs))
