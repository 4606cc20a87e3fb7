"""The code stays within the project's ruff rules and format (pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT


@pytest.mark.parametrize("arguments", [["check", "."], ["format", "--check", "."]], ids=["check", "format"])
def test_ruff(arguments: list[str]) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "ruff", *arguments], cwd=REPO_ROOT, capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-2000:]
