"""After installation lmms-eval finds the tasks with no flag; --include_path and LMMS_EVAL_PLUGINS work too."""

from __future__ import annotations

import subprocess

import pytest

from med_rewardbench_tasks.constants import ORGANS
from med_rewardbench_tasks.registration import task_directory
from tests.conftest import lmms_eval_executable, run_lmms_eval

pytestmark = pytest.mark.integration

BASELINE = [
    "--model",
    "med_rewardbench_baseline",
    "--model_args",
    "strategy=always_a",
    "--tasks",
    "med_rewardbench_sample",
]
OUR_TASKS = {"med_rewardbench", "med_rewardbench_sample", *(f"med_rewardbench_{organ}" for organ in ORGANS)}


def test_tasks_subcommand_lists_every_task_with_no_flag(tmp_path) -> None:
    # `lmms-eval tasks` builds a TaskManager without importing lmms-eval's models, so this
    # shows the .pth hook (not the model entry point) does the registering.
    listed = subprocess.run(
        [lmms_eval_executable(), "tasks", "list"], cwd=tmp_path, capture_output=True, text=True, check=True
    ).stdout
    names = {line.strip() for line in listed.splitlines()}
    assert names >= OUR_TASKS


def test_python_dash_m_lmms_eval_finds_the_tasks(tmp_path) -> None:
    run = run_lmms_eval(BASELINE, tmp_path, module=True, log_samples=False)
    assert "med_rewardbench_sample" in run.results["results"]


def test_include_path_works_without_the_hook(tmp_path) -> None:
    env = {"MED_REWARDBENCH_TASKS_AUTOLOAD": "0"}
    run = run_lmms_eval([*BASELINE, "--include_path", task_directory()], tmp_path, env=env, log_samples=False)
    assert "med_rewardbench_sample" in run.results["results"]


def test_without_hook_or_include_path_the_task_is_unknown(tmp_path) -> None:
    env = {"MED_REWARDBENCH_TASKS_AUTOLOAD": "0"}
    run = run_lmms_eval(BASELINE, tmp_path, env=env, log_samples=False, expect_results=False)
    assert run.results == {}
    assert "Tasks not found: med_rewardbench_sample" in run.output


def test_legacy_plugins_variable_does_not_crash(tmp_path) -> None:
    run = run_lmms_eval(BASELINE, tmp_path, env={"LMMS_EVAL_PLUGINS": "med_rewardbench_tasks"}, log_samples=False)
    assert run.metrics("med_rewardbench_sample")["parse_failure_rate"] == 0.0
