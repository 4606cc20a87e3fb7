"""VLMEvalKit's ``run.py`` started through the launcher, on the stand-in (``tests/fixtures/fake_vlmeval``).

The documented command lines run as written (only the path of run.py replaced), and the traps a
run against the real VLMEvalKit found (issue 18) are closed: a ``--data-config`` key that is not
its dataset, ``run.py`` without the launcher, and ``--api-mode`` with a model that brings its own
prompt. Each trap also has a control run that shows the stand-in falls into it the way VLMEvalKit
does, so the test would catch the trap coming back. The stand-in judge answers A on every
dimension and logs what it was sent (``STAND_IN_JUDGE_LOG``); expected scores come from the
sample's label files.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from med_rewardbench_tasks import vlmevalkit
from med_rewardbench_tasks.vlmevalkit import launcher
from tests.conftest import DIMENSIONS, REPO_ROOT, TruthCase, expected_metrics
from tests.vlmeval_stand_in import fake_vlmeval_fixture, lmu_data_fixture, run_bash, stand_in_env  # noqa: F401

DOC = REPO_ROOT / "docs" / "vlmevalkit.md"
RUN_PY_IN_DOCS = "/path/to/VLMEvalKit/run.py"
JUDGE_PROMPT_START = "You are an expert medical vision-language evaluator."
THINK_CLAUSE = "You may think step by step internally"
LAUNCHER = "python -m med_rewardbench_tasks.vlmevalkit"
# The pre-fix docs example: the config key is not the dataset it builds.
ALIAS_CONFIG = {
    "MedRewardBench_think": {"class": "MedRewardBench", "dataset": "MedRewardBench", "think_step_by_step": True}
}


def documented_commands() -> list[str]:
    """Every launcher command line in the docs' bash blocks (continuations joined), except torchrun's."""
    commands = []
    usage = DOC.read_text(encoding="utf-8").split("\n## How it was tested", 1)[0]
    for block in re.findall(r"```bash\n(.*?)```", usage, flags=re.S):
        for line in re.sub(r"\\\n\s*", "", block).splitlines():
            if LAUNCHER in line and not line.lstrip().startswith(("#", "torchrun")):
                commands.append(line.strip())
    return commands


def always_a(truth: list[TruthCase]) -> dict[str, float]:
    return expected_metrics(truth, lambda case: dict.fromkeys(DIMENSIONS, "A"), lambda case: False)


def run_summary(output: str) -> list[dict[str, Any]]:
    line = next(line for line in output.splitlines() if line.startswith("RUN SUMMARY "))
    return json.loads(line.removeprefix("RUN SUMMARY "))


def judge_log(tmp_path: Path) -> list[dict[str, Any]]:
    log = tmp_path / "judge_log.jsonl"
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def assert_scored_as_always_a(work_dir: Path, model: str, dataset: str, truth: list[TruthCase]) -> None:
    scores = pd.read_csv(work_dir / model / f"{model}_{dataset}_acc.csv")
    row = scores[scores["organ"] == "all"].iloc[0]
    assert int(row["n_cases"]) == len(truth)
    for key, value in always_a(truth).items():
        assert float(row[key]) == pytest.approx(value, abs=1e-12), key


def registered_run(run_py: Path, args: list[str], *, api_hook: bool = True) -> str:
    """A bash command: register() in-process, then run.py, without the launcher's checks (the control runs)."""
    script = (
        "import runpy, sys\n"
        "from med_rewardbench_tasks import vlmevalkit\nfrom med_rewardbench_tasks.vlmevalkit import launcher\n"
        + ("" if api_hook else "launcher.keep_dataset_prompt_in_api_pipeline = lambda: False\n")
        + "vlmevalkit.register()\n"
        f"sys.argv = {[str(run_py), *args]!r}\n"
        f"runpy.run_path({str(run_py)!r}, run_name='__main__')\n"
    )
    return f"python -c {shlex.quote(script)}"


@pytest.fixture
def env(fake_vlmeval: Path, lmu_data: Path, tmp_path: Path) -> dict[str, str]:
    return stand_in_env(fake_vlmeval, lmu_data, tmp_path)


# ---------------------------------------------------------------------------------------
# The documented command lines
# ---------------------------------------------------------------------------------------
def test_the_docs_show_the_three_launcher_commands() -> None:
    commands = documented_commands()
    assert len(commands) == 3, commands
    assert any("--data-config" in command for command in commands)


@pytest.mark.parametrize("command", documented_commands(), ids=["local", "api-judge", "data-config"])
def test_documented_command_runs_as_written(
    command: str, fake_vlmeval: Path, env: dict[str, str], tmp_path: Path, sample_truth: list[TruthCase]
) -> None:
    completed = run_bash(command.replace(RUN_PY_IN_DOCS, str(fake_vlmeval / "run.py")), env, tmp_path)
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]

    words = shlex.split(command)
    model, dataset = words[words.index("--model") + 1], words[words.index("--data") + 1]
    expected_mean = always_a(sample_truth)["mean_acc"]  # MedRewardBench read from the sample's files
    assert run_summary(completed.stdout) == [
        {"benchmark": dataset, "primary_metric": {"organ=all|mean_acc": pytest.approx(expected_mean)}}
    ]
    assert_scored_as_always_a(tmp_path / "outputs", model, dataset, sample_truth)
    sent = judge_log(tmp_path)
    assert len(sent) == len(sample_truth)
    think = "think_step_by_step" in command
    for message in sent:
        assert message["dataset"] == dataset and len(message["images"]) == 1
        assert message["text"].startswith(JUDGE_PROMPT_START)
        assert (THINK_CLAUSE in message["text"]) is think


# ---------------------------------------------------------------------------------------
# A --data-config key that is not its dataset
# ---------------------------------------------------------------------------------------
def test_a_data_config_alias_is_refused_before_any_model_call(
    fake_vlmeval: Path, env: dict[str, str], tmp_path: Path
) -> None:
    args = ["--model", "GPT4o", "--data", "MedRewardBench_think", "--data-config", json.dumps(ALIAS_CONFIG)]
    launched = run_bash(shlex.join([*LAUNCHER.split(), str(fake_vlmeval / "run.py"), *args]), env, tmp_path)

    assert launched.returncode == 2
    assert "entry 'MedRewardBench_think' builds dataset 'MedRewardBench'" in launched.stderr
    fixed = {"MedRewardBench_think": {**ALIAS_CONFIG["MedRewardBench_think"], "dataset": "MedRewardBench_think"}}
    assert f"--data MedRewardBench_think --data-config '{json.dumps(fixed)}'" in launched.stderr
    assert judge_log(tmp_path) == [] and not (tmp_path / "outputs").exists()

    # Control: what VLMEvalKit does with it, the dataset registered but the arguments unchecked.
    unchecked = run_bash(registered_run(fake_vlmeval / "run.py", args), env, tmp_path)
    assert unchecked.returncode == 0
    assert len(judge_log(tmp_path)) == 30  # every judge call made ...
    (row,) = run_summary(unchecked.stdout)
    assert "No such file or directory" in row["eval_error"] and "GPT4o_MedRewardBench_think" in row["eval_error"]


def test_a_config_file_alias_and_a_misspelt_name_are_refused(
    fake_vlmeval: Path, env: dict[str, str], tmp_path: Path
) -> None:
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"model": {"GPT4o": {}}, "data": ALIAS_CONFIG}))
    launched = run_bash(f"{LAUNCHER} {fake_vlmeval / 'run.py'} --config {config}", env, tmp_path)
    assert launched.returncode == 2
    assert f"--config {config}: entry 'MedRewardBench_think' builds dataset 'MedRewardBench'" in launched.stderr

    launched = run_bash(
        f"{LAUNCHER} {fake_vlmeval / 'run.py'} --model GPT4o --data MedRewardBench_sampled", env, tmp_path
    )
    assert launched.returncode == 2
    assert "'MedRewardBench_sampled' is not a Med-RewardBench dataset name" in launched.stderr
    assert judge_log(tmp_path) == []


def test_run_argument_problems() -> None:
    problems = launcher.run_argument_problems
    assert problems(["--data", "MedRewardBench", "MedRewardBench_sample_x", "MMBench", "--model", "m"]) == []
    ok = {
        "MedRewardBench_x": {"class": "MedRewardBench", "dataset": "MedRewardBench_x", "lone_verdict": "all_dimensions"}
    }
    assert problems(["--data", "MedRewardBench_x", "--data-config", json.dumps(ok)]) == []
    assert problems(["--data-config", "{not json"]) == []  # run.py reports its own argument errors
    other_class = {"MedRewardBench_x": {"class": "ImageVQADataset", "dataset": "FakeVQA"}}
    assert problems(["--data", "MedRewardBench_x", "--data-config", json.dumps(other_class)]) == []
    # No `dataset`: VLMEvalKit builds the class's default, the benchmark, under another name.
    (problem,) = problems(["--data-config", json.dumps({"MedRewardBench_sample": {"class": "MedRewardBench"}})])
    assert "builds dataset 'MedRewardBench'" in problem and '"dataset": "MedRewardBench_sample"' in problem
    (problem,) = problems(["--data-config", json.dumps({"judge": {"class": "MedRewardBench", "dataset": "judge"}})])
    assert "'judge' is not a Med-RewardBench dataset name" in problem


# ---------------------------------------------------------------------------------------
# run.py without the launcher
# ---------------------------------------------------------------------------------------
def test_run_py_without_the_launcher_refuses_the_tsv_before_any_model_call(
    fake_vlmeval: Path, lmu_data: Path, env: dict[str, str], tmp_path: Path
) -> None:
    tsv = lmu_data / "MedRewardBench_sample.tsv"
    vlmevalkit.write_tsv(vlmevalkit.cases_for(vlmevalkit.SAMPLE_DATASET_NAME), tsv)  # as export-vlmevalkit does
    plain = f"python {fake_vlmeval / 'run.py'} --model GPT4o --data MedRewardBench_sample"

    refused = run_bash(plain, env, tmp_path)
    assert refused.returncode == 0  # VLMEvalKit's own exit status; what matters is what it says and does
    assert f"Data file {tsv} does not have a `question` column" in refused.stderr
    assert "Dataset MedRewardBench_sample is not valid, will be skipped" in refused.stdout
    assert run_summary(refused.stdout) == [{"benchmark": "MedRewardBench_sample", "skip_reason": "invalid_dataset"}]
    assert judge_log(tmp_path) == []

    # Control: a TSV in the earlier layout, with a `question` column, is run as a generic VQA dataset.
    tsv.write_text(tsv.read_text(encoding="utf-8").replace('"question_text"', '"question"', 1), encoding="utf-8")
    trapped = run_bash(plain, env, tmp_path)
    assert trapped.returncode == 0 and "as a Custom VQA dataset" in trapped.stderr
    sent = judge_log(tmp_path)
    assert len(sent) == 30 and not any(JUDGE_PROMPT_START in message["text"] for message in sent)
    assert run_summary(trapped.stdout)[0]["eval_error"] == ""  # NotImplementedError has no message

    # The launcher refuses that file and says what to do.
    launched = run_bash(
        f"{LAUNCHER} {fake_vlmeval / 'run.py'} --model GPT4o --data MedRewardBench_sample", env, tmp_path
    )
    assert launched.returncode == 2
    assert f"{tsv}: written by an earlier med-rewardbench-tasks" in launched.stderr and "delete it" in launched.stderr
    assert len(judge_log(tmp_path)) == 30  # no further call


# ---------------------------------------------------------------------------------------
# --api-mode with a model that brings its own prompt
# ---------------------------------------------------------------------------------------
def test_api_mode_sends_the_judge_prompt_to_a_model_with_its_own(
    fake_vlmeval: Path, env: dict[str, str], tmp_path: Path, sample_truth: list[TruthCase]
) -> None:
    args = ["--api-mode", "--model", "GPT4o", "--data", "MedRewardBench_sample"]
    launched = run_bash(shlex.join([*LAUNCHER.split(), str(fake_vlmeval / "run.py"), *args]), env, tmp_path)

    assert launched.returncode == 0, launched.stdout[-3000:] + launched.stderr[-3000:]
    assert "[MedRewardBench_sample] Using vanilla dataset prompt" in launched.stdout
    sent = judge_log(tmp_path)
    assert len(sent) == len(sample_truth)
    assert all(message["text"].startswith(JUDGE_PROMPT_START) and message["images"] for message in sent)
    assert_scored_as_always_a(tmp_path / "outputs", "GPT4o", "MedRewardBench_sample", sample_truth)

    # Control: without the adapter's hook the pipeline sends the model's own prompt, and scores it.
    (tmp_path / "judge_log.jsonl").unlink()
    trapped = run_bash(registered_run(fake_vlmeval / "run.py", args, api_hook=False), env, tmp_path)
    assert "[MedRewardBench_sample] Using model custom prompt" in trapped.stdout
    sent = judge_log(tmp_path)
    assert len(sent) == len(sample_truth) and all(m["text"].startswith("MY OWN PROMPT") for m in sent)


def test_api_hook_touches_only_med_rewardbench_datasets_and_is_installed_once(fake_vlmeval: Path) -> None:
    from vlmeval.config import StandInJudge
    from vlmeval.inference_api import APIEvalPipeline, DatasetConfig

    cls = vlmevalkit.register()
    assert launcher.keep_dataset_prompt_in_api_pipeline() is True  # already installed: not wrapped again
    assert not hasattr(APIEvalPipeline.__init__.__wrapped__, "__wrapped__")

    def config(name: str, dataset: Any) -> DatasetConfig:
        return DatasetConfig(name, dataset, "judge", StandInJudge(), str(fake_vlmeval), "x.xlsx", {})

    ours, theirs = config("MedRewardBench_sample", cls(dataset="MedRewardBench_sample")), config("Other", object())
    APIEvalPipeline(dataset_configs=[ours, theirs])
    assert ours.model_obj.use_custom_prompt("MedRewardBench_sample") is False
    assert theirs.model_obj.use_custom_prompt("Other") is True


def test_launcher_usage() -> None:
    assert vlmevalkit.main(["--help"]) == 0
    assert vlmevalkit.main([]) == 2
    assert vlmevalkit.main(["/no/such/run.py"]) == 2
    completed = subprocess.run(
        [sys.executable, "-m", "med_rewardbench_tasks.vlmevalkit", "--help"], capture_output=True, text=True, check=True
    )
    assert "MedRewardBench_<tag>" in completed.stdout
