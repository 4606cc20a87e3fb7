"""Where the lmms-eval task definitions of this package live."""

from __future__ import annotations

import os


def task_directory() -> str:
    """The folder to give lmms-eval as ``--include_path`` (the installed ``med_rewardbench_tasks/tasks/``)."""
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "tasks")


def task_directories() -> list[str]:
    """Entry-point target for lmms-eval's ``lmms_eval.tasks`` group: the task folders to index.

    An lmms-eval that reads that group (see ``upstream/``) calls this and indexes the
    returned folders next to its own tasks, so no ``--include_path`` and no start-up hook
    are needed. lmms-eval calls it before evaluating, so it also says what in the environment
    would make the evaluation fail (see ``compat``).
    """
    from med_rewardbench_tasks.compat import report_once

    report_once()
    return [task_directory()]
