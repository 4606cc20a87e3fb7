"""The stand-in ``vlmeval`` package (``tests/fixtures/fake_vlmeval``) as pytest fixtures, and how to run it.

VLMEvalKit is not installable here, so the stand-in takes its place: a fresh copy per test on
``sys.path`` (registrations do not leak between tests), or on ``PYTHONPATH`` of a subprocess
that runs its ``run.py`` as VLMEvalKit's would be run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from med_rewardbench_tasks import vlmevalkit
from tests.conftest import REPO_ROOT, SAMPLE_DIR

FAKE_VLMEVAL = Path(__file__).resolve().parent / "fixtures" / "fake_vlmeval"


@pytest.fixture(name="lmu_data")
def lmu_data_fixture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "LMUData"
    root.mkdir()
    monkeypatch.setenv("LMUData", str(root))
    return root


def _forget_vlmeval() -> None:
    for name in [n for n in sys.modules if n == "vlmeval" or n.startswith("vlmeval.")]:
        del sys.modules[name]


@pytest.fixture(name="fake_vlmeval")
def fake_vlmeval_fixture(tmp_path: Path, lmu_data: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh copy of the stand-in ``vlmeval`` on sys.path (registrations do not leak between tests)."""
    root = tmp_path / "site"
    shutil.copytree(FAKE_VLMEVAL, root)
    _forget_vlmeval()
    monkeypatch.syspath_prepend(str(root))
    yield root
    _forget_vlmeval()
    vars(vlmevalkit).pop(vlmevalkit.CLASS_NAME, None)


def stand_in_env(site: Path, lmu_data: Path, tmp_path: Path, **extra: str) -> dict[str, str]:
    """A subprocess environment: the stand-in and this checkout importable, `python` on PATH, offline."""
    return {
        # This Python's own folder: `python` is this interpreter with its environment (a venv's, if any).
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}/usr/bin{os.pathsep}/bin",
        "PYTHONPATH": f"{site}{os.pathsep}{REPO_ROOT}",
        "LMUData": str(lmu_data),
        "MED_REWARDBENCH_DATA_DIR": str(SAMPLE_DIR),  # `MedRewardBench` from the sample's files, offline
        "HF_HUB_OFFLINE": "1",
        "HOME": str(tmp_path),
        "STAND_IN_JUDGE_LOG": str(tmp_path / "judge_log.jsonl"),
        **extra,
    }


def run_bash(command: str, env: Mapping[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["/bin/bash", "-c", command], env=dict(env), cwd=cwd, capture_output=True, text=True, timeout=300, check=False
    )
