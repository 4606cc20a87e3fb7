"""Where the lmms-eval task definitions of this package live."""

from __future__ import annotations

import os


def task_directory() -> str:
    """The folder to give lmms-eval as ``--include_path`` (the installed ``task_yamls/``)."""
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "tasks")
