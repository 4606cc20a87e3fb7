"""Every metric name this package reports, written out in full, with what it measures and its direction.

This table is the only place metric names are spelled: the lmms-eval hooks, the YAML
generator (``tasks/make_yamls.py``), ``med-rewardbench report`` / ``rescore`` and the
VLMEvalKit adapter read it, and ``tests/test_metric_names.py`` checks that the task YAMLs
list exactly these names with these directions. ``grep -rn overall_consistency`` finds the
row below and every reader.

A per-dimension name is ``<dimension>_<measure>``; ``mean_<measure>`` pools the six
dimensions (for every measure whose six denominators are equal, that is the mean of the six).
``higher_is_better`` is ``None`` for a figure with no better direction: it is read beside
its reference (``expert_*``), and never reported to lmms-eval, whose table shows an arrow.

Which names a task reports, and how lmms-eval aggregates each, is decided at the bottom:
a plain task reports the headline (8 names), a swap task 13.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, Literal


@dataclass(frozen=True)
class Measure:
    """What one measure means (``{dimension}`` stands for the dimension, or all six pooled)."""

    meaning: str
    higher_is_better: bool | None


MEASURES: Final[Mapping[str, Measure]] = MappingProxyType(
    {
        "acc": Measure(
            "share of cases where the judge's winner on {dimension} is the experts' (answers in the dataset's order; "
            "a winner the judge did not state counts as wrong)",
            True,
        ),
        "swapped_acc": Measure("the same accuracy with the two answers exchanged (answer 2 shown first)", True),
        "strict_acc": Measure("share of cases the judge got right on {dimension} in both orders", True),
        "consistency": Measure(
            "position consistency: share of cases where the judge picked the same answer on {dimension} in both orders",
            True,
        ),
        "first_position_bias": Measure(
            "share of cases where the judge picked, on {dimension}, whichever answer was shown first, in both orders "
            "(its verdict followed the position, not the answer); 0 for the experts and for any consistent judge",
            False,
        ),
        "second_position_bias": Measure(
            "share of cases where the judge picked, on {dimension}, whichever answer was shown second, in both orders",
            False,
        ),
        "first_position_rate": Measure(
            "of the winners the judge stated on {dimension} in the original order, the share shown first (A); "
            "read beside expert_first_position_rate",
            None,
        ),
        "expert_first_position_rate": Measure("the experts' share of winners shown first on {dimension}", None),
        "longer_pick_rate": Measure(
            "of the winners the judge stated on {dimension} where the answers differ in length, the share that went "
            "to the longer answer; read beside expert_longer_rate",
            None,
        ),
        "expert_longer_rate": Measure("how often the experts' winner on {dimension} was the longer answer", None),
    }
)

# name -> (dimension, or "mean" for the six pooled; measure). Written out so that grep finds them.
DIMENSION_METRICS: Final[Mapping[str, tuple[str, str]]] = MappingProxyType(
    {
        "accuracy_acc": ("accuracy", "acc"),
        "relevance_acc": ("relevance", "acc"),
        "comprehensiveness_acc": ("comprehensiveness", "acc"),
        "creativity_acc": ("creativity", "acc"),
        "responsiveness_acc": ("responsiveness", "acc"),
        "overall_acc": ("overall", "acc"),
        "mean_acc": ("mean", "acc"),
        "accuracy_swapped_acc": ("accuracy", "swapped_acc"),
        "relevance_swapped_acc": ("relevance", "swapped_acc"),
        "comprehensiveness_swapped_acc": ("comprehensiveness", "swapped_acc"),
        "creativity_swapped_acc": ("creativity", "swapped_acc"),
        "responsiveness_swapped_acc": ("responsiveness", "swapped_acc"),
        "overall_swapped_acc": ("overall", "swapped_acc"),
        "mean_swapped_acc": ("mean", "swapped_acc"),
        "accuracy_strict_acc": ("accuracy", "strict_acc"),
        "relevance_strict_acc": ("relevance", "strict_acc"),
        "comprehensiveness_strict_acc": ("comprehensiveness", "strict_acc"),
        "creativity_strict_acc": ("creativity", "strict_acc"),
        "responsiveness_strict_acc": ("responsiveness", "strict_acc"),
        "overall_strict_acc": ("overall", "strict_acc"),
        "mean_strict_acc": ("mean", "strict_acc"),
        "accuracy_consistency": ("accuracy", "consistency"),
        "relevance_consistency": ("relevance", "consistency"),
        "comprehensiveness_consistency": ("comprehensiveness", "consistency"),
        "creativity_consistency": ("creativity", "consistency"),
        "responsiveness_consistency": ("responsiveness", "consistency"),
        "overall_consistency": ("overall", "consistency"),
        "mean_consistency": ("mean", "consistency"),
        "accuracy_first_position_bias": ("accuracy", "first_position_bias"),
        "relevance_first_position_bias": ("relevance", "first_position_bias"),
        "comprehensiveness_first_position_bias": ("comprehensiveness", "first_position_bias"),
        "creativity_first_position_bias": ("creativity", "first_position_bias"),
        "responsiveness_first_position_bias": ("responsiveness", "first_position_bias"),
        "overall_first_position_bias": ("overall", "first_position_bias"),
        "mean_first_position_bias": ("mean", "first_position_bias"),
        "accuracy_second_position_bias": ("accuracy", "second_position_bias"),
        "relevance_second_position_bias": ("relevance", "second_position_bias"),
        "comprehensiveness_second_position_bias": ("comprehensiveness", "second_position_bias"),
        "creativity_second_position_bias": ("creativity", "second_position_bias"),
        "responsiveness_second_position_bias": ("responsiveness", "second_position_bias"),
        "overall_second_position_bias": ("overall", "second_position_bias"),
        "mean_second_position_bias": ("mean", "second_position_bias"),
        "accuracy_first_position_rate": ("accuracy", "first_position_rate"),
        "relevance_first_position_rate": ("relevance", "first_position_rate"),
        "comprehensiveness_first_position_rate": ("comprehensiveness", "first_position_rate"),
        "creativity_first_position_rate": ("creativity", "first_position_rate"),
        "responsiveness_first_position_rate": ("responsiveness", "first_position_rate"),
        "overall_first_position_rate": ("overall", "first_position_rate"),
        "mean_first_position_rate": ("mean", "first_position_rate"),
        "accuracy_expert_first_position_rate": ("accuracy", "expert_first_position_rate"),
        "relevance_expert_first_position_rate": ("relevance", "expert_first_position_rate"),
        "comprehensiveness_expert_first_position_rate": ("comprehensiveness", "expert_first_position_rate"),
        "creativity_expert_first_position_rate": ("creativity", "expert_first_position_rate"),
        "responsiveness_expert_first_position_rate": ("responsiveness", "expert_first_position_rate"),
        "overall_expert_first_position_rate": ("overall", "expert_first_position_rate"),
        "mean_expert_first_position_rate": ("mean", "expert_first_position_rate"),
        "accuracy_longer_pick_rate": ("accuracy", "longer_pick_rate"),
        "relevance_longer_pick_rate": ("relevance", "longer_pick_rate"),
        "comprehensiveness_longer_pick_rate": ("comprehensiveness", "longer_pick_rate"),
        "creativity_longer_pick_rate": ("creativity", "longer_pick_rate"),
        "responsiveness_longer_pick_rate": ("responsiveness", "longer_pick_rate"),
        "overall_longer_pick_rate": ("overall", "longer_pick_rate"),
        "mean_longer_pick_rate": ("mean", "longer_pick_rate"),
        "accuracy_expert_longer_rate": ("accuracy", "expert_longer_rate"),
        "relevance_expert_longer_rate": ("relevance", "expert_longer_rate"),
        "comprehensiveness_expert_longer_rate": ("comprehensiveness", "expert_longer_rate"),
        "creativity_expert_longer_rate": ("creativity", "expert_longer_rate"),
        "responsiveness_expert_longer_rate": ("responsiveness", "expert_longer_rate"),
        "overall_expert_longer_rate": ("overall", "expert_longer_rate"),
        "mean_expert_longer_rate": ("mean", "expert_longer_rate"),
    }
)

PARSE_FAILURE_METRIC: Final = "parse_failure_rate"
PARSE_FAILURE_MEANING: Final = (
    "share of presentations whose verdict could not be read for all six dimensions (a failed request included)"
)

ALL_METRICS: Final[tuple[str, ...]] = (*DIMENSION_METRICS, PARSE_FAILURE_METRIC)
_BY_PARTS: Final = MappingProxyType({parts: name for name, parts in DIMENSION_METRICS.items()})


def metric_name(dimension: str, measure: str) -> str:
    """The name of one measure on one dimension (``"mean"`` for the six pooled); a KeyError for any other pair."""
    return _BY_PARTS[(dimension, measure)]


def higher_is_better(name: str) -> bool | None:
    if name == PARSE_FAILURE_METRIC:
        return False
    return MEASURES[DIMENSION_METRICS[name][1]].higher_is_better


def meaning(name: str) -> str:
    if name == PARSE_FAILURE_METRIC:
        return PARSE_FAILURE_MEANING
    dimension, measure = DIMENSION_METRICS[name]
    return MEASURES[measure].meaning.format(dimension="all six dimensions" if dimension == "mean" else dimension)


# ---------------------------------------------------------------------------------------
# What the lmms-eval tasks report
# ---------------------------------------------------------------------------------------
ACCURACY_METRICS: Final = (
    "accuracy_acc",
    "relevance_acc",
    "comprehensiveness_acc",
    "creativity_acc",
    "responsiveness_acc",
    "overall_acc",
)
MEAN_ACCURACY_METRIC: Final = "mean_acc"
# A plain task: every value is a mean of per-case values, so lmms-eval adds its stderr.
HEADLINE_METRICS: Final[tuple[str, ...]] = (*ACCURACY_METRICS, MEAN_ACCURACY_METRIC, PARSE_FAILURE_METRIC)

# A swap task shows every case twice (two docs). Where each metric's per-doc values come from:
# `original` / `swapped`: the docs of that order only, so the value is a mean over cases and
# gets lmms-eval's stderr; `every`: all docs (a mean over presentations, with stderr);
# `pair`: both docs of a case, paired by the aggregation on rank 0 (no per-doc mean exists,
# so lmms-eval shows no stderr; the intervals are in `med-rewardbench report`).
Source = Literal["original", "swapped", "every", "pair"]
SWAP_TASK_METRICS: Final[Mapping[str, Source]] = MappingProxyType(
    {
        "accuracy_acc": "original",
        "relevance_acc": "original",
        "comprehensiveness_acc": "original",
        "creativity_acc": "original",
        "responsiveness_acc": "original",
        "overall_acc": "original",
        "mean_acc": "original",
        "mean_swapped_acc": "swapped",
        "mean_strict_acc": "pair",
        "mean_consistency": "pair",
        "mean_first_position_bias": "pair",
        "mean_second_position_bias": "pair",
        "parse_failure_rate": "every",
    }
)
PAIRED_METRICS: Final[tuple[str, ...]] = tuple(name for name, source in SWAP_TASK_METRICS.items() if source == "pair")
