"""requirements/lock.txt is complete, honours the holds, and is what this environment runs."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import REPO_ROOT


def load_script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"scripts_{name}", REPO_ROOT / "scripts" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


lock = load_script("lock")


def version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("+")[0].split(".")[:3])


def test_read_pins_reads_name_version_lines_and_refuses_anything_else(tmp_path: Path) -> None:
    pins = tmp_path / "pins.txt"
    pins.write_text("# why\nTorch==2.13.0+cpu  # the CPU build\n\nzope.interface==7.1\n")
    assert lock.read_pins(pins) == {"torch": "2.13.0+cpu", "zope-interface": "7.1"}
    pins.write_text("numpy>=2\n")
    with pytest.raises(SystemExit, match=r"pins\.txt:1: expected name==version"):
        lock.read_pins(pins)


def test_drift_names_unlocked_and_moved_packages_only() -> None:
    locked = {"numpy": "2.4.6", "filelock": "3.32.7", "torchvision": "0.28.0"}
    installed = {"numpy": "2.4.6", "filelock": "4.3.1", "newdep": "1.0", "pip": "23.2.1", lock.PROJECT: "0.1.0"}
    assert lock.drift(locked, installed) == [
        "filelock==4.3.1 is installed, the lock has 3.32.7",
        "newdep==1.0 is installed but not in the lock",
    ]


def test_the_lock_is_complete_and_honours_the_holds() -> None:
    pinned = lock.read_pins(lock.LOCK)
    assert lock.read_pins(lock.HOLDS).items() <= pinned.items()
    assert pinned["torch"] == "2.13.0+cpu"
    assert version_tuple(pinned["filelock"]) < (4,)  # lmms-eval 0.7.3 needs filelock._api
    assert {"lmms-eval", "datasets", "transformers", "pytest", "matplotlib", "pandas"} <= set(pinned)
    assert lock.PROJECT not in pinned


def test_this_environment_is_the_locked_one() -> None:
    completed = subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts" / "lock.py"), "--check"], capture_output=True, text=True
    )
    assert completed.returncode == 0, completed.stderr


@pytest.mark.integration
def test_the_lock_script_resolves_the_project_under_the_holds(tmp_path: Path) -> None:
    # The README's refresh command, writing beside the committed lock instead of over it. The
    # registry may offer newer releases than the lock has, so only the shape is compared.
    output = tmp_path / "lock.txt"
    completed = subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts" / "lock.py"), "--output", str(output)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    resolved = lock.read_pins(output)
    assert resolved["torch"] == "2.13.0+cpu"
    assert version_tuple(resolved["filelock"]) < (4,)
    assert {"lmms-eval", "datasets", "transformers", "pytest", "matplotlib"} <= set(resolved)
    assert output.read_text().startswith("# The complete, tested environment of med-rewardbench-tasks")
