"""Known incompatibilities of the installed lmms-eval are told in one line, before lmms-eval hides them."""

from __future__ import annotations

import importlib
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from med_rewardbench_tasks import compat
from tests.conftest import FILELOCK_4, lmms_eval_executable


@pytest.fixture
def fake_harness(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A module that imports a private submodule, as lmms-eval's evaluator imports filelock._api."""
    (tmp_path / "fake_harness_mod.py").write_text("import fake_lock._api as _api\n")
    (tmp_path / "fake_lock").mkdir()
    (tmp_path / "fake_lock" / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    # find_spec of a submodule imports its parent; each test gets its own parent package.
    monkeypatch.delitem(sys.modules, "fake_lock", raising=False)
    return tmp_path


FAKE = compat.Incompatibility(
    module="fake_harness_mod",
    requires="fake_lock._api",
    package="fake-lock",
    install="fake-lock<2",
    reason="dropped it",
)


def test_a_missing_private_module_is_detected(fake_harness: Path) -> None:
    assert compat.applies(FAKE)
    assert FAKE.message() == (
        "med-rewardbench-tasks: lmms-eval cannot evaluate in this environment: fake_harness_mod imports "
        'fake_lock._api, but fake-lock dropped it. Install "fake-lock<2" (pip install "fake-lock<2").'
    )


def test_present_module_or_no_such_import_is_quiet(fake_harness: Path) -> None:
    (fake_harness / "fake_lock" / "_api.py").write_text("")
    importlib.invalidate_caches()
    assert not compat.applies(FAKE)
    (fake_harness / "fake_lock" / "_api.py").unlink()
    (fake_harness / "fake_harness_mod.py").write_text("import fake_lock\n")
    assert not compat.applies(FAKE)
    assert not compat.applies(compat.Incompatibility("no_such_module_here", "x._y", "x", "x<1", "r"))


def test_the_locked_environment_has_no_known_incompatibility() -> None:
    assert [entry.requires for entry in compat.catalogue()] == ["filelock._api"]
    assert compat.problems() == []


def test_report_prints_once_and_never_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(compat, "_reported", False)
    monkeypatch.setattr(compat, "problems", lambda: [FAKE])
    stream = io.StringIO()
    assert compat.report_once(stream) == 1
    assert compat.report_once(stream) == 0
    assert stream.getvalue().count("\n") == 1

    def broken() -> list[compat.Incompatibility]:
        raise RuntimeError("broken check")

    monkeypatch.setattr(compat, "_reported", False)
    monkeypatch.setattr(compat, "problems", broken)
    assert compat.report_once(stream) == 0


@pytest.mark.integration
def test_cli_names_the_fix_before_lmms_eval_swallows_the_error(filelock_4: Path, tmp_path: Path) -> None:
    # One stream for stdout and stderr, so the order of the lines is the order the user sees.
    completed = subprocess.run(
        [
            lmms_eval_executable(),
            "--model",
            "med_rewardbench_baseline",
            "--tasks",
            "med_rewardbench_sample",
            "--output_path",
            str(tmp_path / "out"),
        ],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(filelock_4), "HF_HOME": str(tmp_path / "hf"), "HF_HUB_OFFLINE": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=600,
        check=False,
    )
    # lmms-eval itself exits 0 and writes no results: the one line is all the user gets.
    assert completed.returncode == 0 and not list((tmp_path / "out").rglob("*results*.json"))
    lines = completed.stdout.splitlines()
    [ours] = [number for number, line in enumerate(lines) if line.startswith(compat.MESSAGE_PREFIX)]
    assert f"filelock {FILELOCK_4}" in lines[ours] and 'pip install "filelock<4"' in lines[ours]
    failure = next(number for number, line in enumerate(lines) if "No module named 'filelock._api'" in line)
    assert ours < failure
