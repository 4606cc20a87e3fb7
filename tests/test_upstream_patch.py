"""The lmms-eval patch in ``upstream/``: it applies to the installed lmms-eval, fixes plugin tasks, and our
start-up hook steps aside when an lmms-eval with the fix is installed.

The patch is applied to a *copy* of the installed ``lmms_eval`` (its benchmark task folders
left out, so indexing is instant), which is put first on ``PYTHONPATH`` of subprocesses.
``upstream/test_plugin_tasks.py`` (the test proposed to lmms-eval) then runs against the
patched copy, where it must pass, and against an unpatched copy, where it must catch the bug.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

PATCH = REPO_ROOT / "upstream" / "lmms-eval-plugin-tasks.patch"
UPSTREAM_TEST = REPO_ROOT / "upstream" / "test_plugin_tasks.py"
PATCHED_FOR = "0.7.3"


def installed_lmms_eval() -> Path:
    spec = importlib.util.find_spec("lmms_eval")
    assert spec is not None and spec.origin is not None
    return Path(spec.origin).parent


def copy_lmms_eval(dest_root: Path) -> Path:
    """``lmms_eval`` without its benchmark folders (``tasks/<benchmark>/``); task helpers and code are kept."""
    source = installed_lmms_eval()

    def ignore(directory: str, names: list[str]) -> set[str]:
        skipped = {name for name in names if name == "__pycache__"}
        if Path(directory) == source / "tasks":
            skipped |= {name for name in names if (Path(directory) / name).is_dir() and name != "_task_utils"}
        return skipped

    shutil.copytree(source, dest_root / "lmms_eval", ignore=ignore)
    return dest_root


def apply_patch(root: Path) -> subprocess.CompletedProcess[str]:
    if shutil.which("patch"):
        command = ["patch", "-p1", "--forward", "--batch", "-i", str(PATCH)]
    elif shutil.which("git"):
        command = ["git", "apply", "-p1", str(PATCH)]  # outside a repository git apply edits plain files
    else:
        pytest.skip("neither patch nor git is available to apply the patch")
    return subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def lmms_eval_version() -> str:
    version = importlib.metadata.version("lmms-eval")
    if version != PATCHED_FOR:
        pytest.skip(f"the patch is written against lmms-eval {PATCHED_FOR}; {version} is installed")
    return version


@pytest.fixture(scope="module")
def patched(tmp_path_factory: pytest.TempPathFactory, lmms_eval_version: str) -> Path:
    root = copy_lmms_eval(tmp_path_factory.mktemp("patched"))
    applied = apply_patch(root)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    return root


@pytest.fixture(scope="module")
def unpatched(tmp_path_factory: pytest.TempPathFactory, lmms_eval_version: str) -> Path:
    return copy_lmms_eval(tmp_path_factory.mktemp("unpatched"))


def python_env(*paths: Path, autoload: bool = False) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(str(p) for p in paths), "PYTHONDONTWRITEBYTECODE": "1"}
    env["MED_REWARDBENCH_TASKS_AUTOLOAD"] = "1" if autoload else "0"
    return env


def run_upstream_test(root: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--rootdir",
            str(tmp_path),
            str(UPSTREAM_TEST),
        ],
        cwd=tmp_path,
        env=python_env(root),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_patch_touches_only_the_two_files_and_applies_once(patched: Path) -> None:
    headers = [line for line in PATCH.read_text().splitlines() if line.startswith(("--- ", "+++ "))]
    assert headers == [
        "--- a/lmms_eval/__main__.py",
        "+++ b/lmms_eval/__main__.py",
        "--- a/lmms_eval/tasks/__init__.py",
        "+++ b/lmms_eval/tasks/__init__.py",
    ]
    again = apply_patch(patched)
    assert again.returncode != 0  # already applied: --forward refuses to apply it twice
    shutil.rmtree(patched / "lmms_eval" / "tasks" / "__pycache__", ignore_errors=True)


@pytest.mark.integration
def test_upstream_test_passes_on_patched_lmms_eval(patched: Path, tmp_path: Path) -> None:
    completed = run_upstream_test(patched, tmp_path)
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-2000:]
    assert " passed" in completed.stdout and "failed" not in completed.stdout


@pytest.mark.integration
def test_upstream_test_catches_the_bug_in_lmms_eval_0_7_3(unpatched: Path, tmp_path: Path) -> None:
    completed = run_upstream_test(unpatched, tmp_path)
    assert completed.returncode != 0
    failed = {
        line.split("::", 1)[1].split(" ")[0].split("[")[0]
        for line in completed.stdout.splitlines()
        if line.startswith("FAILED ") and "::" in line
    }
    assert failed == {
        "test_entry_point_group_is_advertised",
        "test_entry_point_tasks_are_indexed",
        "test_a_broken_plugin_does_not_hide_the_others",
        "test_lmms_eval_plugins_tasks_are_indexed_by_the_cli",
        "test_lmms_eval_plugins_keeps_the_users_include_path",
    }, completed.stdout[-4000:]


PROBE = """
import json, sys
from lmms_eval.tasks import TaskManager
manager = TaskManager("WARNING")
wrapped = getattr(TaskManager.initialize_tasks, "__med_rewardbench_tasks_wrapped__", False)
print(json.dumps({
    "patched": hasattr(sys.modules["lmms_eval.tasks"], "TASK_ENTRY_POINT_GROUP"),
    "wrapped": wrapped,
    "ours": sorted(t for t in manager.all_tasks if t.startswith("med_rewardbench")),
}))
"""


@pytest.mark.integration
def test_start_up_hook_steps_aside_for_a_patched_lmms_eval(patched: Path, tmp_path: Path) -> None:
    """This package declares the lmms_eval.tasks entry point (pyproject), so a patched
    lmms-eval finds the tasks itself and the .pth hook does nothing, silently. (The branch
    for an install without the entry point is covered in tests/test_autoload.py.)"""
    import json

    completed = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=tmp_path,
        env=python_env(patched, autoload=True),
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    assert result["patched"]
    assert "med_rewardbench_sample" in result["ours"]
    assert result["wrapped"] is False
    assert "med-rewardbench-tasks:" not in completed.stderr
