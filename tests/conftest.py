"""Shared helpers: run the real lmms-eval CLI, and read the shipped sample independently of the package."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHIMS = REPO_ROOT / "tests" / "shims"
SAMPLE_DIR = REPO_ROOT / "med_rewardbench_tasks" / "sample_data"
DIMENSIONS = ("accuracy", "relevance", "comprehensiveness", "creativity", "responsiveness", "overall")


@dataclass(frozen=True)
class TruthCase:
    """A sample case as read straight from the files, without the package's loader."""

    organ: str
    question_id: str
    question: str
    answer1_text: str
    answer2_text: str
    labels: Mapping[str, str]


def read_truth(data_dir: Path = SAMPLE_DIR) -> list[TruthCase]:
    cases = []
    for parquet in sorted((data_dir / "pair_gt_all" / "parquet").glob("*.parquet")):
        organ = parquet.stem
        labels = {}
        for line in (data_dir / "pair_gt_all" / f"{organ}.jsonl").read_text().splitlines():
            record = json.loads(line)
            labels[str(record["question_id"])] = record["human_answer"]
        for row in pq.read_table(
            parquet, columns=["question_id", "question", "answer1_text", "answer2_text"]
        ).to_pylist():
            qid = str(row["question_id"])
            cases.append(TruthCase(organ, qid, row["question"], row["answer1_text"], row["answer2_text"], labels[qid]))
    return cases


@pytest.fixture(scope="session")
def sample_truth() -> list[TruthCase]:
    return read_truth()


def share(cases: Sequence[TruthCase], predicate: Any) -> float:
    return sum(1 for case in cases if predicate(case)) / len(cases)


@dataclass
class LmmsEvalRun:
    returncode: int
    output: str
    results: dict[str, Any]
    samples: dict[str, list[dict[str, Any]]]

    def metrics(self, task: str) -> dict[str, Any]:
        """``{"accuracy_acc": 0.5, "accuracy_acc_stderr": ..., ...}`` for one task or group (filter suffix dropped)."""
        section = self.results["results"].get(task) or self.results.get("groups", {}).get(task)
        assert section is not None, f"{task} not in results: {sorted(self.results['results'])}"
        return {key.split(",")[0]: value for key, value in section.items() if "," in key}


def lmms_eval_executable() -> str:
    found = shutil.which("lmms-eval", path=str(Path(sys.executable).parent))
    assert found, "the lmms-eval console script is not installed next to this Python"
    return found


def start_up_shim(folder: Path, sitecustomize: Path) -> Path:
    """A folder for ``PYTHONPATH`` holding ``sitecustomize`` (as sitecustomize.py) and the libyaml
    loader every shim imports (tests/shims/libyaml_loader.py: lmms-eval starts faster)."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(sitecustomize, folder / "sitecustomize.py")
    shutil.copyfile(SHIMS / "libyaml_loader.py", folder / "libyaml_loader.py")
    return folder


def run_lmms_eval(
    args: Sequence[str],
    tmp_path: Path,
    *,
    env: Mapping[str, str] | None = None,
    module: bool = False,
    log_samples: bool = True,
    timeout: int = 900,
    expect_results: bool = True,
    command_prefix: Sequence[str] | None = None,
) -> LmmsEvalRun:
    """Run the real CLI in a subprocess with private caches and no network; read what it wrote.

    lmms-eval exits 0 even when an evaluation fails, so success is judged by the results JSON.
    """
    tmp_path.mkdir(parents=True, exist_ok=True)
    out_dir = tmp_path / "lmms-eval-out"
    if command_prefix is not None:
        command = list(command_prefix)
    else:
        command = [sys.executable, "-m", "lmms_eval"] if module else [lmms_eval_executable()]
    command += [*args, "--output_path", str(out_dir)]
    if log_samples:
        command.append("--log_samples")
    run_env = {
        **os.environ,
        "HF_HOME": str(tmp_path / "hf-home"),
        "HF_HUB_OFFLINE": "1",
        "HF_DATASETS_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
        "PYTHONUNBUFFERED": "1",
        **(env or {}),
    }
    # Last on the path, so a test's own start-up shim (the model classes') is the one imported.
    fast_start = start_up_shim(tmp_path / "fast-start-shim", SHIMS / "fast_start_sitecustomize.py")
    inherited = run_env.get("PYTHONPATH")
    run_env["PYTHONPATH"] = os.pathsep.join([*([inherited] if inherited else []), str(fast_start)])
    completed = subprocess.run(
        command, cwd=tmp_path, env=run_env, capture_output=True, text=True, timeout=timeout, check=False
    )
    output = completed.stdout + completed.stderr
    result_files = sorted(out_dir.rglob("*results*.json"))
    if expect_results:
        assert result_files, f"lmms-eval wrote no results (exit {completed.returncode}):\n{output[-6000:]}"
    results = json.loads(result_files[-1].read_text()) if result_files else {}
    samples: dict[str, list[dict[str, Any]]] = {}
    for samples_file in out_dir.rglob("*samples_*.jsonl"):
        task = samples_file.stem.split("samples_", 1)[1]
        samples[task] = [json.loads(line) for line in samples_file.read_text().splitlines() if line.strip()]
    return LmmsEvalRun(completed.returncode, output, results, samples)


def expected_metrics(
    cases: Sequence[TruthCase],
    picks: Callable[[TruthCase], Mapping[str, str | None]],
    failed: Callable[[TruthCase], bool],
) -> dict[str, float]:
    """Headline metrics of a judge whose picks per case are known, computed from the label files."""
    per_dimension = {
        f"{dimension}_acc": sum(picks(case).get(dimension) == case.labels[dimension] for case in cases) / len(cases)
        for dimension in DIMENSIONS
    }
    return {
        **per_dimension,
        "mean_acc": sum(per_dimension.values()) / len(DIMENSIONS),
        "parse_failure_rate": sum(failed(case) for case in cases) / len(cases),
    }


def assert_metrics(run: LmmsEvalRun, task: str, expected: Mapping[str, float]) -> None:
    reported = run.metrics(task)
    for key, value in expected.items():
        assert reported[key] == pytest.approx(value, abs=1e-12), key
        assert isinstance(reported[key], float)


def longer_answer(case: TruthCase) -> str:
    return "A" if len(case.answer1_text.strip()) >= len(case.answer2_text.strip()) else "B"


def require_modules(*modules: str) -> None:
    # find_spec, not import: qwen_vl_utils cannot be imported here without torchvision.
    missing = [name for name in modules if importlib.util.find_spec(name) is None]
    if missing:
        pytest.skip(f"needs {', '.join(missing)} (lmms-eval's local-model classes import them)")


# The filelock whose removal of filelock._api broke lmms-eval 0.7.3 (fetched from the package registry
# at test time: this environment's lock keeps filelock below 4).
FILELOCK_4 = "4.3.1"


@pytest.fixture(scope="session")
def filelock_4(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """filelock 4.x alone in a folder of its own, from the package registry (skipped only if that is unreachable)."""
    target = tmp_path_factory.mktemp("filelock4")
    # The environment's own constraints pin filelock<4; this install is for one folder and must ignore them.
    env = {key: value for key, value in os.environ.items() if key not in {"PIP_CONSTRAINT", "PIP_REQUIRE_VIRTUALENV"}}
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps"]
    command += ["--target", str(target), f"filelock=={FILELOCK_4}"]
    try:
        installed = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)
    except subprocess.TimeoutExpired:
        pytest.skip(f"the package registry did not deliver filelock {FILELOCK_4} within 300 s")
    if installed.returncode != 0:
        unreachable = re.search(
            r"NewConnectionError|Max retries|Temporary failure|Network is unreachable|timed out",
            installed.stdout + installed.stderr,
        )
        if unreachable:
            pytest.skip(f"the package registry is unreachable: {unreachable.group(0)}")
        pytest.fail(f"pip could not install filelock {FILELOCK_4}:\n{installed.stdout}{installed.stderr}")
    return target


def _build_once(tmp_path_factory: pytest.TempPathFactory, builder_name: str, name: str) -> Path:
    require_modules("transformers", "tokenizers")
    from tests import tiny_models

    return getattr(tiny_models, builder_name)(tmp_path_factory.mktemp(name))


@pytest.fixture(scope="session")
def tiny_qwen2_5_vl(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random Qwen2.5-VL checkpoint built offline (tests/tiny_models.py), once per session."""
    return _build_once(tmp_path_factory, "build_tiny_qwen2_5_vl", "tiny-qwen2_5_vl")


@pytest.fixture(scope="session")
def tiny_qwen2_vl(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build_once(tmp_path_factory, "build_tiny_qwen2_vl", "tiny-qwen2_vl")


@pytest.fixture(scope="session")
def tiny_llava(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build_once(tmp_path_factory, "build_tiny_llava", "tiny-llava")
