"""Med-RewardBench's dataset names in VLMEvalKit: the benchmark, the sample, and their variants."""

from __future__ import annotations

from typing import Final

DATASET_NAME: Final = "MedRewardBench"
SAMPLE_DATASET_NAME: Final = "MedRewardBench_sample"
DATASET_NAMES: Final = (DATASET_NAME, SAMPLE_DATASET_NAME)
CLASS_NAME: Final = "MedRewardBench"
# A variant `<dataset>_<tag>` (e.g. MedRewardBench_think) is the same cases under its own name: VLMEvalKit
# names prediction and score files after the dataset, so runs with different options stay apart.
VARIANT_SEPARATOR: Final = "_"

# Not 'VQA': several VLMEvalKit models cut generation to 10-128 tokens for VQA datasets,
# which would truncate a verdict. An unknown type gets every model's default settings.
DATASET_TYPE: Final = "Pairwise-Judge"


def base_dataset(name: str) -> str | None:
    """``MedRewardBench`` or ``MedRewardBench_sample`` for that name or a variant ``<it>_<tag>`` of it; else None.

    A tag is letters, digits, ``_`` and ``-``, starting with a letter or digit. ``MedRewardBench_sample...``
    always reads as the sample, so a benchmark variant's tag cannot start with ``sample``.
    """
    for base in (SAMPLE_DATASET_NAME, DATASET_NAME):  # the longer name first
        if name == base:
            return base
        prefix = base + VARIANT_SEPARATOR
        if name.startswith(prefix):
            tag = name[len(prefix) :]
            valid = tag[:1].isalnum() and all(c.isascii() and (c.isalnum() or c in "_-") for c in tag)
            if not valid or (base == DATASET_NAME and tag.startswith("sample")):
                return None
            return base
    return None


def dataset_name_rule(name: str) -> str:
    """Why ``name`` is not a Med-RewardBench dataset name, and which names are."""
    return (
        f"{name!r} is not a Med-RewardBench dataset name: use {DATASET_NAME} (the benchmark), {SAMPLE_DATASET_NAME} "
        f"(the synthetic sample), or a variant {DATASET_NAME}_<tag> / {SAMPLE_DATASET_NAME}_<tag> (the same cases "
        "under their own result files; a tag is letters, digits, _ and -, and a benchmark tag cannot start with "
        "'sample')"
    )


class DatasetNames(list[str]):
    """The two dataset names; ``in`` also accepts their variants (VLMEvalKit's lookups test names with ``in``)."""

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and base_dataset(name) is not None
