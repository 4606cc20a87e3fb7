"""The lmms-eval patches in ``upstream/``: each applies, fixes its problem, and its test catches the problem.

Two patches, one per problem (a maintainer wants one PR each):

* plugin task discovery, ``lmms-eval-0.7.3-plugin-tasks.patch`` for the 0.7.3 release and
  ``lmms-eval-plugin-tasks.patch`` for lmms-eval's main (the same change; the main variant is
  checked here for that sameness, and against a main checkout as below);
* ``lmms-eval-filelock.patch``: ``_enable_reentrant_filelocks`` without ``filelock._api``, which
  filelock 4 removed (one patch for both).

Each is applied to a *copy* of lmms-eval (its benchmark task folders left out, so indexing is
instant) with ``patch -p1``, as a user would, fuzz allowed: what counts is the behaviour, checked
by the tests proposed to lmms-eval (``upstream/test_*.py``) run against the copy in a subprocess.

By default the copy is of the installed lmms-eval 0.7.3. To check another lmms-eval, e.g. a
checkout of main: ``LMMS_EVAL_SOURCE=/path/to/lmms-eval LMMS_EVAL_PLUGIN_PATCH=lmms-eval-plugin-tasks.patch``
(the folder that holds ``lmms_eval/``), with this environment's dependencies.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FILELOCK_4, REPO_ROOT
from tests.lmms_eval_tree import apply_patch
from tests.lmms_eval_tree import copy_lmms_eval as copy_lmms_tree

UPSTREAM = REPO_ROOT / "upstream"
PLUGIN_PATCH_0_7_3 = UPSTREAM / "lmms-eval-0.7.3-plugin-tasks.patch"
PLUGIN_PATCH_MAIN = UPSTREAM / "lmms-eval-plugin-tasks.patch"
PLUGIN_PATCH = UPSTREAM / os.environ.get("LMMS_EVAL_PLUGIN_PATCH", PLUGIN_PATCH_0_7_3.name)
FILELOCK_PATCH = UPSTREAM / "lmms-eval-filelock.patch"
PLUGIN_TEST = UPSTREAM / "test_plugin_tasks.py"
FILELOCK_TEST = UPSTREAM / "test_filelock_compat.py"
PATCHED_FOR = "0.7.3"


def copy_lmms_eval(dest_root: Path) -> Path:
    """A copy of the lmms-eval under test: ``$LMMS_EVAL_SOURCE``'s, else the installed one."""
    source = os.environ.get("LMMS_EVAL_SOURCE")
    return copy_lmms_tree(dest_root, Path(source) / "lmms_eval" if source else None)


def changed_lines(patch: Path) -> list[str]:
    lines = patch.read_text().splitlines()
    return [line for line in lines if line[:1] in "+-" and not line.startswith(("--- ", "+++ "))]


@pytest.fixture(scope="module")
def lmms_eval_version() -> str:
    if os.environ.get("LMMS_EVAL_SOURCE"):
        return "source"
    version = importlib.metadata.version("lmms-eval")
    if version != PATCHED_FOR:
        pytest.skip(f"the 0.7.3 patches are checked against lmms-eval {PATCHED_FOR}; {version} is installed")
    return version


def patched_copy(factory: pytest.TempPathFactory, name: str, *patches: Path) -> Path:
    root = copy_lmms_eval(factory.mktemp(name))
    for patch in patches:
        applied = apply_patch(root, patch)
        assert applied.returncode == 0, applied.stdout + applied.stderr
    return root


@pytest.fixture(scope="module")
def patched(tmp_path_factory: pytest.TempPathFactory, lmms_eval_version: str) -> Path:
    return patched_copy(tmp_path_factory, "patched", PLUGIN_PATCH)


@pytest.fixture(scope="module")
def unpatched(tmp_path_factory: pytest.TempPathFactory, lmms_eval_version: str) -> Path:
    return copy_lmms_eval(tmp_path_factory.mktemp("unpatched"))


@pytest.fixture(scope="module")
def filelock_patched(tmp_path_factory: pytest.TempPathFactory, lmms_eval_version: str) -> Path:
    return patched_copy(tmp_path_factory, "filelock_patched", FILELOCK_PATCH)


def python_env(*paths: Path, autoload: bool = False) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(str(p) for p in paths), "PYTHONDONTWRITEBYTECODE": "1"}
    env["MED_REWARDBENCH_TASKS_AUTOLOAD"] = "1" if autoload else "0"
    return env


def run_upstream_test(test_file: Path, tmp_path: Path, *paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(tmp_path), str(test_file)],
        cwd=tmp_path,
        env=python_env(*paths),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def failed_tests(completed: subprocess.CompletedProcess[str]) -> set[str]:
    return {
        line.split("::", 1)[1].split(" ")[0].split("[")[0]
        for line in completed.stdout.splitlines()
        if line.startswith("FAILED ") and "::" in line
    }


# ---------------------------------------------------------------------------------------
# The patch files
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("patch", "files"),
    [
        (PLUGIN_PATCH_0_7_3, ["lmms_eval/__main__.py", "lmms_eval/tasks/__init__.py"]),
        (PLUGIN_PATCH_MAIN, ["lmms_eval/__main__.py", "lmms_eval/tasks/__init__.py"]),
        (FILELOCK_PATCH, ["lmms_eval/evaluator.py"]),
    ],
    ids=["plugin-0.7.3", "plugin-main", "filelock"],
)
def test_each_patch_touches_only_its_files(patch: Path, files: list[str]) -> None:
    headers = [line for line in patch.read_text().splitlines() if line.startswith(("--- ", "+++ "))]
    assert headers == [header for file in files for header in (f"--- a/{file}", f"+++ b/{file}")]


def test_the_plugin_patch_for_main_makes_the_0_7_3_patchs_change() -> None:
    """The main variant differs only in context (and in main's imports having no ``# noqa: E402``)."""

    def normalised(patch: Path) -> list[str]:
        return [line.replace("  # noqa: E402", "") for line in changed_lines(patch)]

    assert normalised(PLUGIN_PATCH_MAIN) == normalised(PLUGIN_PATCH_0_7_3)


BUILT_FROM_ARGS = "args.verbosity, include_path=args.include_path, model_name=args.model"


def test_the_task_manager_line_is_part_of_the_plugin_change() -> None:
    """The plugin block is anchored by changed lines, not by context: no fuzz can apply it after the TaskManager."""
    for patch in (PLUGIN_PATCH_0_7_3, PLUGIN_PATCH_MAIN):
        lines = changed_lines(patch)
        removed = lines.index(f"-    task_manager = TaskManager({BUILT_FROM_ARGS})")
        plugins = next(i for i, line in enumerate(lines) if "include_path_with_plugins(args.include_path" in line)
        built = next(i for i, line in enumerate(lines) if line.startswith("+    task_manager = TaskManager("))
        assert removed < plugins < built


# ---------------------------------------------------------------------------------------
# Plugin task discovery
# ---------------------------------------------------------------------------------------
def test_the_plugin_patch_applies_without_fuzz_and_only_once(unpatched: Path, tmp_path: Path) -> None:
    root = copy_lmms_eval(tmp_path)
    strict = apply_patch(root, PLUGIN_PATCH, "--fuzz=0")
    assert strict.returncode == 0 and "fuzz" not in strict.stdout, strict.stdout + strict.stderr
    again = apply_patch(root, PLUGIN_PATCH)
    assert again.returncode != 0  # already applied: --forward refuses to apply it twice


@pytest.mark.integration
def test_upstream_plugin_test_passes_on_patched_lmms_eval(patched: Path, tmp_path: Path) -> None:
    completed = run_upstream_test(PLUGIN_TEST, tmp_path, patched)
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-2000:]
    assert " passed" in completed.stdout and "failed" not in completed.stdout


PLUGIN_BUG = {
    "test_entry_point_group_is_advertised",
    "test_entry_point_tasks_are_indexed",
    "test_a_broken_plugin_does_not_hide_the_others",
    "test_lmms_eval_plugins_tasks_are_indexed_by_the_cli",
    "test_lmms_eval_plugins_keeps_the_users_include_path",
}


@pytest.mark.integration
def test_upstream_plugin_test_catches_the_bug_in_unpatched_lmms_eval(unpatched: Path, tmp_path: Path) -> None:
    completed = run_upstream_test(PLUGIN_TEST, tmp_path, unpatched)
    assert completed.returncode != 0
    assert failed_tests(completed) == PLUGIN_BUG, completed.stdout[-4000:]


@pytest.mark.integration
def test_upstream_plugin_test_fails_when_the_plugins_are_added_after_the_task_manager(
    patched: Path, tmp_path: Path
) -> None:
    """What `patch -p1` did with fuzz to the earlier patch on lmms-eval's main: the block after the TaskManager."""
    root = tmp_path / "misplaced"
    shutil.copytree(patched, root)
    main = root / "lmms_eval" / "__main__.py"
    text = main.read_text()
    block = re.search(r"(    # Plugin task folders .*?)(    task_manager = TaskManager\(.*?\n)", text, flags=re.S)
    assert block is not None
    built_first = block.group(2).replace("include_path=include_path", "include_path=args.include_path")
    main.write_text(text.replace(block.group(0), built_first + block.group(1)))

    completed = run_upstream_test(PLUGIN_TEST, tmp_path, root)
    assert failed_tests(completed) == {
        "test_lmms_eval_plugins_tasks_are_indexed_by_the_cli",
        "test_lmms_eval_plugins_keeps_the_users_include_path",
    }, completed.stdout[-4000:]


@pytest.mark.integration
def test_the_plugin_patch_lands_right_when_the_context_drifts(tmp_path: Path, lmms_eval_version: str) -> None:
    """lmms-eval's main renamed a variable next to the insertion point, which sent the earlier patch, applied with
    fuzz, after the TaskManager. Made to drift the same way, the copy still gets the block in the right place."""
    root = copy_lmms_eval(tmp_path / "drifted")
    main = root / "lmms_eval" / "__main__.py"
    text = main.read_text()
    drifted = re.sub(r"\b_?selected_task_list\b", "drifted_task_list", text)
    assert drifted != text
    main.write_text(drifted)

    applied = apply_patch(root, PLUGIN_PATCH)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert "with fuzz" in applied.stdout  # the context did not match as written
    completed = run_upstream_test(PLUGIN_TEST, tmp_path, root)
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-2000:]


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


# ---------------------------------------------------------------------------------------
# filelock 4
# ---------------------------------------------------------------------------------------
def test_the_filelock_patch_applies_without_fuzz(tmp_path: Path, lmms_eval_version: str) -> None:
    strict = apply_patch(copy_lmms_eval(tmp_path), FILELOCK_PATCH, "--fuzz=0")
    assert strict.returncode == 0 and "fuzz" not in strict.stdout, strict.stdout + strict.stderr


@pytest.mark.integration
def test_upstream_filelock_test_fails_on_filelock_4_without_the_patch_and_passes_with_it(
    unpatched: Path, filelock_patched: Path, filelock_4: Path, tmp_path: Path
) -> None:
    version = subprocess.run(
        [sys.executable, "-c", "import filelock; print(filelock.__version__)"],
        env=python_env(filelock_4),
        capture_output=True,
        text=True,
        check=True,
    )
    assert version.stdout.strip() == FILELOCK_4

    broken = run_upstream_test(FILELOCK_TEST, tmp_path, filelock_4, unpatched)
    assert broken.returncode != 0
    assert "No module named 'filelock._api'" in broken.stdout, broken.stdout[-4000:]

    fixed = run_upstream_test(FILELOCK_TEST, tmp_path, filelock_4, filelock_patched)
    assert fixed.returncode == 0, fixed.stdout[-4000:] + fixed.stderr[-2000:]


@pytest.mark.integration
def test_the_filelock_patch_keeps_working_with_filelock_3(filelock_patched: Path, tmp_path: Path) -> None:
    import filelock

    assert int(filelock.__version__.split(".")[0]) == 3  # this environment's filelock (the lmms extra pins <4)
    completed = run_upstream_test(FILELOCK_TEST, tmp_path, filelock_patched)
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-2000:]
