"""Every example runs: the sample run, an API judge (against the loopback stub) and the suite YAML."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import (
    DIMENSIONS,
    REPO_ROOT,
    LmmsEvalRun,
    assert_metrics,
    expected_metrics,
    longer_answer,
    require_modules,
)
from tests.openai_stub import serve_chat_completions

pytestmark = pytest.mark.integration

EXAMPLES = REPO_ROOT / "examples"


def run_example(script: str, tmp_path: Path, env: dict[str, str], *args: str) -> LmmsEvalRun:
    """Run an example script as a user would, with this environment's lmms-eval on PATH."""
    out = tmp_path / "out"
    run_env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "HF_HOME": str(tmp_path / "hf-home"),
        "HF_HUB_OFFLINE": "1",
        "HF_DATASETS_OFFLINE": "1",
        "OUTPUT_PATH": str(out),
        **env,
    }
    completed = subprocess.run(
        ["bash", str(EXAMPLES / script), *args], cwd=tmp_path, env=run_env, capture_output=True, text=True, timeout=900
    )
    output = completed.stdout + completed.stderr
    results = sorted(out.rglob("*results*.json"))
    assert completed.returncode == 0 and results, output[-5000:]
    samples = {
        f.stem.split("samples_", 1)[1]: [json.loads(line) for line in f.read_text().splitlines()]
        for f in out.rglob("*samples_*.jsonl")
    }
    return LmmsEvalRun(completed.returncode, output, json.loads(results[-1].read_text()), samples)


def test_sample_example(tmp_path: Path, sample_truth) -> None:
    run = run_example("run_sample.sh", tmp_path, {})
    expected = expected_metrics(
        sample_truth, lambda case: dict.fromkeys(DIMENSIONS, longer_answer(case)), lambda case: False
    )
    assert_metrics(run, "med_rewardbench_sample", expected)


@pytest.mark.tiny_model
def test_gpu_example_command_line_runs_on_a_tiny_checkpoint(tmp_path: Path, tiny_qwen2_5_vl: Path) -> None:
    # The same script a GPU user runs, pointed at a tiny random Qwen2.5-VL on the CPU.
    require_modules("decord", "qwen_vl_utils")
    from tests.tiny_models import shim_env

    env = {"PRETRAINED": str(tiny_qwen2_5_vl), "DEVICE": "cpu", "TASKS": "med_rewardbench_sample", **shim_env(tmp_path)}
    run = run_example("judge_with_qwen2_5_vl.sh", tmp_path, env, "--limit", "2", "--gen_kwargs", "max_new_tokens=8")
    logged = run.samples["med_rewardbench_sample"]
    assert len(logged) == 2
    assert all(
        json.loads(sample["filtered_resps"][0])["status"] in {"ok", "partial", "unparseable"} for sample in logged
    )
    assert "Traceback" not in run.output


def test_api_judge_example(tmp_path: Path, sample_truth) -> None:
    reply = json.dumps(dict.fromkeys(DIMENSIONS, "B") | {"reason": "stub"})
    with serve_chat_completions(lambda text: reply) as server:
        env = {
            "OPENAI_API_KEY": "sk-test",
            "OPENAI_BASE_URL": server.base_url,
            "JUDGE_MODEL": "stub-judge",
            "TASKS": "med_rewardbench_sample",
        }
        run = run_example("judge_with_api.sh", tmp_path, env, "--limit", "4")
    assert len(server.requests) == 4
    assert {request.body["model"] for request in server.requests} == {"stub-judge"}
    first_four = sample_truth[:4]
    expected = expected_metrics(first_four, lambda case: dict.fromkeys(DIMENSIONS, "B"), lambda case: False)
    assert_metrics(run, "med_rewardbench_sample", expected)


def test_api_judge_example_refuses_to_start_without_a_key(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if key != "OPENAI_API_KEY"}
    completed = subprocess.run(["bash", str(EXAMPLES / "judge_with_api.sh")], env=env, capture_output=True, text=True)
    assert completed.returncode != 0
    assert "set OPENAI_API_KEY" in completed.stderr


def test_suite_example_puts_med_rewardbench_beside_slake() -> None:
    # SLAKE's data is on the Hub, so offline we check that lmms-eval resolves the suite:
    # its members must be registered groups whose tasks lmms-eval can list.
    from lmms_eval.tasks import TaskManager

    manager = TaskManager("ERROR", include_path=str(EXAMPLES / "suite"))
    assert "medical_suite" in manager.all_groups
    suite = manager._get_config("medical_suite")
    assert suite["task"] == ["slake", "med_rewardbench"]
    assert {"slake", "med_rewardbench"} <= set(manager.all_groups)
    members = manager._get_config("med_rewardbench")["task"]
    assert len(members) == 13 and all(manager._name_is_task(name) for name in members)
