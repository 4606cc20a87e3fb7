"""The built wheel carries the task folder, the sample, the .pth hook and the entry points, and works installed."""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from med_rewardbench_tasks.constants import ORGANS
from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(out), str(REPO_ROOT)],
        check=True,
        capture_output=True,
    )
    [built] = out.glob("med_rewardbench_tasks-*.whl")
    return built


def install_wheel(wheel: Path, target: Path) -> Path:
    """The wheel installed into the folder ``target`` (no dependencies: this environment provides them)."""
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    return target


def test_wheel_contents(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    tasks = "med_rewardbench_tasks/tasks/"
    expected = {
        "med_rewardbench_tasks.pth",
        f"{tasks}_default_template_yaml",
        f"{tasks}_swap_template_yaml",
        f"{tasks}med_rewardbench.yaml",
        f"{tasks}med_rewardbench_swap.yaml",
        f"{tasks}med_rewardbench_sample.yaml",
        f"{tasks}med_rewardbench_sample_swap.yaml",
        f"{tasks}utils.py",
        f"{tasks}make_yamls.py",
        f"{tasks}placeholder.jsonl",
        "med_rewardbench_tasks/upstream_task/README.md",
        "med_rewardbench_tasks/upstream_task/utils.py",
        "med_rewardbench_tasks/upstream_task/_default_template_yaml",
        "med_rewardbench_tasks/sample_data/README.md",
        # report.html inlines these: a wheel without them writes a page with no style and no case browser.
        "med_rewardbench_tasks/report/assets/report.css",
        "med_rewardbench_tasks/report/assets/browser.js",
        "med_rewardbench_tasks/parsing/aliases.json",  # the parser's vocabulary, read on first use
        *(f"{tasks}med_rewardbench_{organ}.yaml" for organ in ORGANS),
        *(f"{tasks}med_rewardbench_swap_{organ}.yaml" for organ in ORGANS),
        *(f"med_rewardbench_tasks/sample_data/pair_gt_all/parquet/{organ}.parquet" for organ in ORGANS),
        *(f"med_rewardbench_tasks/sample_data/pair_gt_all/{organ}.jsonl" for organ in ORGANS),
    }
    assert expected <= names
    assert not any(name.startswith("med_rewardbench_tasks/tasks/") and name.count("/") > 2 for name in names)
    assert not any(name.startswith(("tests/", "benchmarks/", "examples/")) for name in names)
    # The synthetic generator is build and test tooling (tests/synthetic): the wheel ships only the sample it made.
    assert not any("synthetic" in name or name.endswith("cases.yaml") for name in names), sorted(names)
    dist_info = next(name.split("/")[0] for name in names if name.endswith(".dist-info/METADATA"))
    entry_points = zipfile.ZipFile(wheel).read(f"{dist_info}/entry_points.txt").decode()
    assert "[lmms_eval.models]" in entry_points and "med_rewardbench_tasks.models:model_manifests" in entry_points
    assert "med-rewardbench = med_rewardbench_tasks.cli:main" in entry_points
    metadata = zipfile.ZipFile(wheel).read(f"{dist_info}/METADATA").decode()
    assert "Requires-Python: >=3.10" in metadata
    assert "Provides-Extra: lmms" in metadata
    # Users installing the extra without the lock must not get a filelock lmms-eval 0.7.3 cannot run with.
    assert "Requires-Dist: filelock<4; extra == 'lmms'" in metadata


def test_installed_wheel_registers_its_tasks_with_no_flag(wheel: Path, tmp_path: Path) -> None:
    target = install_wheel(wheel, tmp_path / "site")
    # -S: no site processing, so this checkout's editable install stays out of the way; the
    # wheel's folder is added as a site directory (its .pth runs) and lmms-eval comes from
    # this environment's site-packages, added as a plain path.
    probe = f"""
import json, site, sys
sys.path.append({sysconfig.get_paths()["purelib"]!r})
site.addsitedir({str(target)!r})
from lmms_eval.tasks import TaskManager
import med_rewardbench_tasks
from med_rewardbench_tasks.registration import task_directory
manager = TaskManager("ERROR")
print(json.dumps({{"package": med_rewardbench_tasks.__file__, "tasks": task_directory(),
                  "found": sorted(t for t in manager.all_tasks if t.startswith("med_rewardbench"))}}))
"""
    completed = subprocess.run([sys.executable, "-S", "-c", probe], capture_output=True, text=True, cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr[-3000:]
    report = json.loads(completed.stdout.strip().splitlines()[-1])
    assert report["package"].startswith(str(target))
    assert report["tasks"].startswith(str(target))
    assert {"med_rewardbench", "med_rewardbench_swap", "med_rewardbench_sample"} <= set(report["found"])
    assert len(report["found"]) == 2 + 2 + 2 * len(ORGANS)


def test_installed_wheel_exports_the_committed_lmms_eval_task_folder(wheel: Path, tmp_path: Path) -> None:
    target = install_wheel(wheel, tmp_path / "site")
    out = tmp_path / "med_rewardbench"
    probe = f"""
import site, sys
sys.path.append({sysconfig.get_paths()["purelib"]!r})
site.addsitedir({str(target)!r})
import med_rewardbench_tasks
assert med_rewardbench_tasks.__file__.startswith({str(target)!r}), med_rewardbench_tasks.__file__
from med_rewardbench_tasks.cli import main
sys.exit(main(["export-lmms-eval", {str(out)!r}]))
"""
    completed = subprocess.run([sys.executable, "-S", "-c", probe], capture_output=True, text=True, cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr[-3000:]
    committed = REPO_ROOT / "upstream" / "lmms_eval_task" / "lmms_eval" / "tasks" / "med_rewardbench"
    written = {path.relative_to(out).as_posix(): path.read_bytes() for path in out.rglob("*") if path.is_file()}
    assert written == {
        path.relative_to(committed).as_posix(): path.read_bytes()
        for path in committed.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
