"""The one table of metric names: every name written out, each with a meaning and an honest direction."""

from __future__ import annotations

import re

from med_rewardbench_tasks import metric_names
from med_rewardbench_tasks.constants import DIMENSIONS
from med_rewardbench_tasks.metric_names import (
    ALL_METRICS,
    DIMENSION_METRICS,
    HEADLINE_METRICS,
    MEASURES,
    PAIRED_METRICS,
    SWAP_TASK_METRICS,
    higher_is_better,
    meaning,
    metric_name,
)
from tests.conftest import REPO_ROOT


def test_every_name_is_its_dimension_and_measure_and_every_pair_has_a_name() -> None:
    for name, (dimension, measure) in DIMENSION_METRICS.items():
        assert name == f"{dimension}_{measure}"
    pairs = {(dimension, measure) for dimension in (*DIMENSIONS, "mean") for measure in MEASURES}
    assert set(DIMENSION_METRICS.values()) == pairs
    assert len(ALL_METRICS) == len(set(ALL_METRICS)) == 7 * len(MEASURES) + 1
    assert metric_name("overall", "consistency") == "overall_consistency"


def test_every_name_is_written_out_in_the_source() -> None:
    # grep finds every name: each appears as a string literal in metric_names.py.
    source = (REPO_ROOT / "med_rewardbench_tasks" / "metric_names.py").read_text()
    literals = set(re.findall(r'"([a-z_]+)"', source))
    assert set(ALL_METRICS) <= literals


def test_what_lmms_eval_reports_has_a_direction_and_a_meaning() -> None:
    assert len(HEADLINE_METRICS) == 8 and len(SWAP_TASK_METRICS) == 13
    for name in (*HEADLINE_METRICS, *SWAP_TASK_METRICS):
        assert higher_is_better(name) in (True, False), name  # lmms-eval prints an arrow for each
        assert meaning(name) and "{" not in meaning(name)
    # Figures with no better direction are read beside the experts' own rate, in the report only.
    undirected = [name for name in ALL_METRICS if higher_is_better(name) is None]
    assert undirected and not set(undirected) & {*HEADLINE_METRICS, *SWAP_TASK_METRICS}
    assert higher_is_better("mean_first_position_bias") is False
    assert higher_is_better("parse_failure_rate") is False


def test_swap_sources_are_closed_and_the_paired_ones_are_listed() -> None:
    assert set(SWAP_TASK_METRICS.values()) <= {"original", "swapped", "every", "pair"}
    assert PAIRED_METRICS == (
        "mean_strict_acc",
        "mean_consistency",
        "mean_first_position_bias",
        "mean_second_position_bias",
    )
    assert [name for name, source in SWAP_TASK_METRICS.items() if source == "original"] == list(HEADLINE_METRICS[:7])
    assert metric_names.__doc__ and "grep" in metric_names.__doc__
