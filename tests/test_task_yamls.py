"""The task folders agree with the library: metric lists, generated files, groups and lmms-eval's substring matching."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from med_rewardbench_tasks.constants import ORGANS
from med_rewardbench_tasks.metric_names import (
    HEADLINE_METRICS,
    PAIRED_METRICS,
    SWAP_TASK_METRICS,
    higher_is_better,
)
from med_rewardbench_tasks.tasks import make_yamls
from tests.conftest import REPO_ROOT

TASKS = REPO_ROOT / "med_rewardbench_tasks" / "tasks"
UPSTREAM = REPO_ROOT / "med_rewardbench_tasks" / "upstream_task"
FOLDERS = pytest.mark.parametrize("folder", [TASKS, UPSTREAM], ids=["package", "upstream"])
# What differs between the package's template and the upstream one: where the docs come from.
DATA_SETTINGS = ("dataset_path", "dataset_kwargs", "dataset_name", "metadata")


class _TaggedLoader(yaml.SafeLoader):
    pass


_TaggedLoader.add_constructor("!function", lambda loader, node: f"!function {loader.construct_scalar(node)}")


def load(folder: Path, name: str) -> dict[str, Any]:
    return yaml.load((folder / name).read_text(), Loader=_TaggedLoader)


def metric_list(config: dict[str, Any]) -> list[tuple[str, str, bool]]:
    return [(entry["metric"], entry["aggregation"], entry["higher_is_better"]) for entry in config["metric_list"]]


def test_the_task_folder_is_a_real_folder() -> None:
    from med_rewardbench_tasks.registration import task_directory

    assert not TASKS.is_symlink() and TASKS.is_dir()
    assert Path(task_directory()).resolve() == TASKS.resolve()


@FOLDERS
def test_checked_in_yamls_are_what_the_generator_writes(folder: Path) -> None:
    for name, text in make_yamls.yaml_files().items():
        assert (folder / name).read_text() == text, f"{folder / name} is stale: run python -m {make_yamls.__name__}"


@FOLDERS
def test_plain_template_reports_the_headline_with_mean_aggregation(folder: Path) -> None:
    config = load(folder, "_default_template_yaml")
    assert metric_list(config) == [(name, "mean", higher_is_better(name)) for name in HEADLINE_METRICS]
    assert config["generation_kwargs"]["do_sample"] is False and config["generation_kwargs"]["until"] == []
    assert config["filter_list"][0]["filter"][0]["lone_verdict"] == "overall_only"
    assert config["num_fewshot"] == 0


def test_swap_template_reports_the_swap_metrics() -> None:
    config = load(TASKS, "_swap_template_yaml")
    expected = [
        (
            name,
            f"!function utils.med_rewardbench_aggregate_{name}" if name in PAIRED_METRICS else "mean",
            higher_is_better(name),
        )
        for name in SWAP_TASK_METRICS
    ]
    assert metric_list(config) == expected
    assert len(expected) <= 14


def test_package_and_upstream_templates_differ_only_in_their_data() -> None:
    package, upstream = load(TASKS, "_default_template_yaml"), load(UPSTREAM, "_default_template_yaml")
    strip = lambda config: {key: value for key, value in config.items() if key not in DATA_SETTINGS}  # noqa: E731
    assert strip(package) == strip(upstream)
    assert upstream["dataset_path"] == "Nandzy/Med-RewardBench" and "dataset_kwargs" not in upstream


@FOLDERS
def test_every_function_tag_names_a_hook_of_the_folders_utils(folder: Path) -> None:
    tree = ast.parse((folder / "utils.py").read_text())
    defined = {target.id for node in tree.body if isinstance(node, ast.Assign) for target in node.targets}
    defined |= {
        alias.asname or alias.name for node in tree.body if isinstance(node, ast.ImportFrom) for alias in node.names
    }
    tags = set()
    for path in folder.iterdir():
        if path.name.endswith(("yaml", "_yaml")):
            tags.update(re.findall(r"!function utils\.(\w+)", path.read_text()))
    assert tags and tags <= defined
    assert all(tag.startswith(("med_rewardbench_", "MedRewardBench")) for tag in tags)


@pytest.mark.parametrize(
    ("group", "prefix", "metrics"),
    [
        ("med_rewardbench", "med_rewardbench_", HEADLINE_METRICS),
        ("med_rewardbench_swap", "med_rewardbench_swap_", tuple(SWAP_TASK_METRICS)),
    ],
)
def test_groups_cover_the_thirteen_organs_and_aggregate_every_metric(group: str, prefix: str, metrics) -> None:
    config = load(TASKS, f"{group}.yaml")
    assert config["task"] == [f"{prefix}{organ}" for organ in ORGANS]
    entries = config["aggregate_metric_list"]
    assert [entry["metric"] for entry in entries] == list(metrics)
    assert all(entry["weight_by_size"] and entry["aggregation"] == "mean" for entry in entries)
    # lmms-eval 0.7.3 picks the subtask metrics a group aggregates with `name in metric_key`, so
    # a listed name inside another reported name would aggregate that one too: harmless only
    # because the group aggregates everything its tasks report, all of it exactly.
    template = load(TASKS, load(TASKS, f"{prefix}{ORGANS[0]}.yaml")["include"])
    reported = [entry["metric"] for entry in template["metric_list"]]
    assert reported == list(metrics)
    assert {other for name in metrics for other in reported if name in other} == set(metrics)


@pytest.mark.parametrize("organ", ORGANS)
def test_one_short_yaml_per_organ_and_order(organ: str) -> None:
    for folder in (TASKS, UPSTREAM):
        for prefix, template in (
            ("med_rewardbench_", "_default_template_yaml"),
            ("med_rewardbench_swap_", "_swap_template_yaml"),
        ):
            assert load(folder, f"{prefix}{organ}.yaml") == {
                "task": f"{prefix}{organ}",
                "dataset_name": organ,
                "include": template,
            }


def test_the_sample_tasks_stay_in_the_package() -> None:
    assert (TASKS / "med_rewardbench_sample.yaml").is_file()
    assert not list(UPSTREAM.glob("*sample*"))
