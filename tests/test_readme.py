"""Every command in the README runs, as written or with the smallest substitution that makes it run here.

Commands are read from the README's ``bash`` blocks. Each must match one of the runners
below (a command nobody runs fails the test), and they run in order in one workspace, so a
later command (``report``) reads what an earlier one (``lmms-eval``) wrote. What is
substituted, and why: model checkpoints become tiny offline ones, ``cuda`` becomes ``cpu``,
the OpenAI endpoint becomes the loopback stub, and model runs get ``--limit`` so CPU time
stays small. The test command is the one CI runs (``.ci/run``).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from med_rewardbench_tasks.constants import DIMENSIONS, ORGANS
from tests.conftest import REPO_ROOT, read_truth, require_modules
from tests.openai_stub import serve_chat_completions
from tests.synthetic import make_cases, write_layout

pytestmark = [pytest.mark.integration]

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
SAMPLE_COMMAND = (
    "scripts/install.sh && .venv/bin/lmms-eval --model med_rewardbench_baseline --model_args strategy=longer_answer "
    "--tasks med_rewardbench_sample --log_samples --output_path results/sample"
)
TEST_COMMAND = "scripts/install.sh --dev && .venv/bin/python -m pytest"
TINY_RUN = ["--limit", "1", "--gen_kwargs", "max_new_tokens=8"]


def fenced(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.DOTALL)


def readme_commands() -> list[str]:
    return [line.strip() for block in fenced("bash") for line in block.splitlines() if line.strip()]


@dataclass
class Workspace:
    root: Path
    env: dict[str, str]
    qwen: Path | None = None  # the tiny checkpoints, for the model commands only
    llava: Path | None = None

    def run(self, command: str, extra_env: dict[str, str] | None = None) -> str:
        completed = subprocess.run(
            ["bash", "-c", command],
            cwd=self.root,
            env={**self.env, **(extra_env or {})},
            capture_output=True,
            text=True,
            timeout=900,
        )
        output = completed.stdout + completed.stderr
        assert completed.returncode == 0, f"{command}\n{output[-5000:]}"
        return output

    def results(self, output_dir: str) -> dict:
        files = sorted((self.root / output_dir).rglob("*results*.json"))
        assert files, f"no results under {output_dir}"
        return json.loads(files[-1].read_text())


def tiny_checkpoints(command: str, workspace: Workspace) -> tuple[str, dict[str, str]]:
    from tests.tiny_models import QWEN_IMAGE_PIXELS, shim_env

    pixels = f"min_pixels={QWEN_IMAGE_PIXELS},max_pixels={QWEN_IMAGE_PIXELS}"
    command = command.replace("pretrained=Qwen/Qwen2.5-VL-7B-Instruct", f"pretrained={workspace.qwen},{pixels}")
    command = command.replace("pretrained=llava-hf/llava-1.5-7b-hf", f"pretrained={workspace.llava}")
    command = command.replace("device=cuda,device_map=cuda", "device=cpu,device_map=cpu")
    return f"{command} {' '.join(TINY_RUN)}", shim_env(workspace.root / "shim")


def run_sample_quick_start(command: str, ws: Workspace) -> None:
    assert command == SAMPLE_COMMAND
    output = ws.run(command.removeprefix("scripts/install.sh && .venv/bin/"))
    truth = read_truth()
    longer = {
        (c.organ, c.question_id): "A" if len(c.answer1_text.strip()) >= len(c.answer2_text.strip()) else "B"
        for c in truth
    }
    reported = ws.results("results/sample")["results"]["med_rewardbench_sample"]
    for dimension in DIMENSIONS:
        expected = sum(c.labels[dimension] == longer[(c.organ, c.question_id)] for c in truth) / len(truth)
        assert reported[f"{dimension}_acc,verdict"] == pytest.approx(expected)
    quoted = re.search(r"```text\n(.*?)```", README, flags=re.DOTALL)
    assert quoted and f"|{reported['mean_acc,verdict']:.4f}|" in quoted.group(1), "the README's table is stale"
    printed = [line for line in output.splitlines() if line.startswith("|")]
    assert quoted.group(1).splitlines() == printed, "the README's table is not what lmms-eval prints"


def run_test_command(command: str, ws: Workspace) -> None:
    assert command == TEST_COMMAND
    assert (REPO_ROOT / ".ci" / "run").read_text().strip().endswith(TEST_COMMAND)


def run_pip_install(command: str, ws: Workspace) -> None:
    # From the checkout, as written; --dry-run --no-deps builds the package metadata without
    # touching this environment.
    ws.run(
        command.replace("pip install", f"{sys.executable} -m pip install --dry-run --no-deps --quiet", 1).replace(
            '".', f'"{REPO_ROOT}'
        )
    )


def run_local_model(command: str, ws: Workspace) -> None:
    require_modules("decord", "qwen_vl_utils")
    runnable, env = tiny_checkpoints(command, ws)
    output_dir = command.split("--output_path ")[1].split()[0]
    output = ws.run(runnable, {**env, "MED_REWARDBENCH_DATA_DIR": str(ws.root / "data" / "Med-RewardBench")})
    assert "Traceback" not in output
    results = ws.results(output_dir)
    assert sum(v["effective"] for v in results["n-samples"].values()) == len(ORGANS)


def run_api_judge(command: str, ws: Workspace) -> None:
    reply = json.dumps(dict.fromkeys(DIMENSIONS, "A") | {"reason": "stub"})
    with serve_chat_completions(lambda text: reply) as server:
        runnable = command.replace("base_url=https://api.openai.com/v1", f"base_url={server.base_url}")
        env = {"OPENAI_API_KEY": "sk-test", "MED_REWARDBENCH_DATA_DIR": str(ws.root / "data" / "Med-RewardBench")}
        ws.run(f"{runnable} --limit 1", env)
    assert len(server.requests) == len(ORGANS)
    assert {request.body["model"] for request in server.requests} == {"gpt-4o"}


def run_as_written(command: str, ws: Workspace) -> None:
    ws.run(command)


def run_two_ranks(command: str, ws: Workspace) -> None:
    ws.run(command, {"OMP_NUM_THREADS": "1"})
    assert ws.results("results/two_ranks")["n-samples"]["med_rewardbench_sample"]["effective"] == 30


def run_report(command: str, ws: Workspace) -> None:
    ws.run(command)
    report = ws.root / "report"
    for name in ("report.md", "report.html", "report.xlsx", "accuracy_by_dimension.png", "position_bias.csv"):
        assert (report / name).is_file(), name


def run_paper_rescore(command: str, ws: Workspace) -> None:
    predictions = ws.root / "outputs" / "pair_MedMO-8B.jsonl"
    predictions.parent.mkdir(exist_ok=True)
    truth = read_truth(ws.root / "data" / "Med-RewardBench")
    lines = [{"question_id": int(c.question_id), "modality_type": c.organ, "chosen_answer": "[[A]]"} for c in truth]
    predictions.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    output = ws.run(command)
    a_share = sum(c.labels["accuracy"] == "A" for c in truth) / len(truth)
    assert f"{a_share:.4f}" in output


def run_export_vlmevalkit(command: str, ws: Workspace) -> None:
    ws.run(command)
    assert (ws.root / "MedRewardBench_sample.tsv").stat().st_size > 0


def run_export_lmms_eval(command: str, ws: Workspace) -> None:
    ws.run(command)
    exported = ws.root / "lmms_eval_tasks" / "med_rewardbench"
    assert (exported / "utils.py").is_file() and (exported / "README.md").is_file()
    committed = REPO_ROOT / "upstream" / "lmms_eval_task" / "lmms_eval" / "tasks" / "med_rewardbench"
    assert (exported / "task_hooks.py").read_bytes() == (committed / "task_hooks.py").read_bytes()


def run_build_dataset(command: str, ws: Workspace) -> None:
    import datasets

    ws.run(command)
    out = ws.root / command.split()[-1]
    brain = datasets.load_dataset(str(out), "brain", split="test")
    truth = [case for case in read_truth() if case.organ == "brain"]
    assert brain["question_id"] == [case.question_id for case in truth]


def run_lock_refresh(command: str, ws: Workspace) -> None:
    # tests/test_lock.py runs the refresh itself, writing beside the committed lock: running it
    # here as written would rewrite the checkout's lock with whatever the registry offers today.
    assert command == "python3 scripts/lock.py"


RUNNERS: list[tuple[str, Callable[[str, Workspace], None]]] = [
    (r"^scripts/install\.sh && \.venv/bin/lmms-eval ", run_sample_quick_start),
    (r"^scripts/install\.sh --dev ", run_test_command),
    (r"^pip install ", run_pip_install),
    (r"^lmms-eval --model (qwen2_5_vl|llava_hf) ", run_local_model),
    (r"^lmms-eval --model openai ", run_api_judge),
    (r"^torchrun ", run_two_ranks),
    (r"^lmms-eval --model med_rewardbench_baseline ", run_as_written),
    (r"^MED_REWARDBENCH_DATA_DIR=data/Med-RewardBench lmms-eval ", run_as_written),
    (r"^med-rewardbench report ", run_report),
    (r"^med-rewardbench rescore --paper-outputs ", run_paper_rescore),
    (r"^med-rewardbench rescore ", run_as_written),
    (r"^med-rewardbench export-vlmevalkit ", run_export_vlmevalkit),
    (r"^med-rewardbench export-lmms-eval ", run_export_lmms_eval),
    (r"^python3 scripts/lock\.py$", run_lock_refresh),
    (r"^med-rewardbench build-dataset ", run_build_dataset),
]


def runner_for(command: str) -> Callable[[str, Workspace], None]:
    for pattern, runner in RUNNERS:
        if re.match(pattern, command):
            return runner
    raise AssertionError(f"the README command {command!r} is run by no test: add a runner")


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    write_layout(make_cases(dict.fromkeys(ORGANS, 2), seed=11), tmp_path / "data" / "Med-RewardBench")
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "HF_HOME": str(tmp_path / "hf-home"),
        "HF_HUB_OFFLINE": "1",
        "HF_DATASETS_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
    }
    # The examples folder the README names is resolved from the workspace, as from a checkout.
    (tmp_path / "examples").symlink_to(REPO_ROOT / "examples")
    yield Workspace(tmp_path, env)


@pytest.fixture
def model_workspace(workspace: Workspace, tiny_qwen2_5_vl: Path, tiny_llava: Path) -> Workspace:
    return replace(workspace, qwen=tiny_qwen2_5_vl, llava=tiny_llava)


def test_the_quick_start_commands_are_there() -> None:
    commands = readme_commands()
    assert SAMPLE_COMMAND in commands and TEST_COMMAND in commands


def test_every_readme_command_runs(workspace: Workspace) -> None:
    # In README order (the report reads the runs above it); the commands that run a model
    # checkpoint are run on tiny ones by the next test.
    commands = readme_commands()
    runners = [runner_for(command) for command in commands]  # fail fast on an unhandled command
    assert run_local_model in runners
    for command, runner in zip(commands, runners, strict=True):
        if runner is not run_local_model:
            runner(command, workspace)


@pytest.mark.tiny_model
def test_every_readme_model_command_runs_on_tiny_checkpoints(model_workspace: Workspace) -> None:
    for command in readme_commands():
        if runner_for(command) is run_local_model:
            run_local_model(command, model_workspace)


def test_the_python_example_prints_what_its_comment_says() -> None:
    [block] = fenced("python")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(block, "README.md", "exec"), {})  # the README's own example code, not model output
    expected = re.search(r"#\s*(.+)$", block.strip().splitlines()[-1])
    assert expected and printed.getvalue().strip() == expected.group(1).strip()
