"""The task folder agrees with the library: metric lists, groups, and lmms-eval's substring matching."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from med_rewardbench_tasks.constants import HEADLINE_METRICS, ORGANS, PARSE_FAILURE_METRIC
from med_rewardbench_tasks.lmms_eval_tasks import BOTH_ORDERS_AGGREGATED
from med_rewardbench_tasks.metrics import INTERVAL_METRICS, SWAP_METRICS
from tests.conftest import REPO_ROOT

TASKS = REPO_ROOT / "task_yamls"


class _TaggedLoader(yaml.SafeLoader):
    pass


_TaggedLoader.add_constructor("!function", lambda loader, node: f"!function {loader.construct_scalar(node)}")


def load(name: str) -> dict[str, Any]:
    return yaml.load((TASKS / name).read_text(), Loader=_TaggedLoader)


def metric_names(config: dict[str, Any]) -> list[str]:
    return [entry["metric"] for entry in config["metric_list"]]


def test_default_template_reports_headline_metrics_and_their_intervals() -> None:
    config = load("_default_template_yaml")
    assert metric_names(config) == [*HEADLINE_METRICS, *INTERVAL_METRICS]
    aggregations = {entry["metric"]: entry["aggregation"] for entry in config["metric_list"]}
    assert all(aggregations[name] == "mean" for name in HEADLINE_METRICS)
    assert config["generation_kwargs"]["do_sample"] is False and config["generation_kwargs"]["until"] == []
    assert config["filter_list"][0]["filter"][0]["lone_verdict"] == "overall_only"


def test_swap_template_reports_every_swap_metric() -> None:
    config = load("_swap_template_yaml")
    assert metric_names(config) == [PARSE_FAILURE_METRIC, *BOTH_ORDERS_AGGREGATED]
    assert set(SWAP_METRICS) <= set(metric_names(config))


@pytest.mark.parametrize(
    ("prefix", "template"),
    [("med_rewardbench_", "_default_template_yaml"), ("med_rewardbench_swap_", "_swap_template_yaml")],
)
def test_one_short_variant_per_organ(prefix: str, template: str) -> None:
    for organ in ORGANS:
        assert load(f"{prefix}{organ}.yaml") == {"task": f"{prefix}{organ}", "dataset_name": organ, "include": template}


@pytest.mark.parametrize(
    ("group", "prefix"), [("med_rewardbench", "med_rewardbench_"), ("med_rewardbench_swap", "med_rewardbench_swap_")]
)
def test_groups_cover_the_thirteen_organs_case_weighted(group: str, prefix: str) -> None:
    config = load(f"{group}.yaml")
    assert config["task"] == [f"{prefix}{organ}" for organ in ORGANS]
    assert all(entry["weight_by_size"] and entry["aggregation"] == "mean" for entry in config["aggregate_metric_list"])


def test_group_aggregation_never_touches_interval_bounds() -> None:
    # lmms-eval 0.7.3 picks the subtask metrics a group aggregates with `name in metric_key`,
    # so an aggregated name inside an interval's key would average bounds across organs.
    for group in ("med_rewardbench.yaml", "med_rewardbench_swap.yaml"):
        aggregated = [entry["metric"] for entry in load(group)["aggregate_metric_list"]]
        for interval in INTERVAL_METRICS:
            assert not any(name in interval for name in aggregated), (group, interval)


def test_every_yaml_is_in_the_installed_task_folder() -> None:
    from med_rewardbench_tasks.registration import task_directory

    installed = Path(task_directory()).resolve()
    assert installed == TASKS.resolve()
