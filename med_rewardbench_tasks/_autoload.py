"""Zero-flag registration of this package's tasks with lmms-eval.

lmms-eval 0.7.3 has no entry point for plugin tasks, and the task paths it takes from
``LMMS_EVAL_PLUGINS`` are added after its ``TaskManager`` was built, so they are never
indexed. Without help, users would have to pass ``--include_path`` on every run.

The help is deliberately small. The package installs a ``.pth`` file whose one line calls
:func:`install` at interpreter start; that only puts a finder on ``sys.meta_path`` which
waits for ``lmms_eval.tasks`` to be imported (nothing else is imported or touched before).
When it is, ``TaskManager.initialize_tasks`` is wrapped so that every task manager built
with lmms-eval's defaults also indexes this package's task folder, after lmms-eval's own
folders and the user's ``--include_path`` (those win any name clash). If lmms-eval's
internals are not what this expects, the wrapper is not installed and one line on stderr
says to pass ``--include_path`` instead. ``MED_REWARDBENCH_TASKS_AUTOLOAD=0`` turns it off.

The standard mechanism makes all of this unnecessary: an lmms-eval that reads the
``lmms_eval.tasks`` entry point group (``upstream/`` proposes it; such an lmms-eval marks
``lmms_eval.tasks`` with ``TASK_ENTRY_POINT_GROUP = "lmms_eval.tasks"``) indexes the folder
this package declares there (``med_rewardbench_tasks.registration:task_directories``).
When both are in place the hook steps aside silently: no wrapper, no message.
"""

from __future__ import annotations

import os
import sys

# This module is imported at every interpreter start: importing `typing` would cost every
# Python process several milliseconds, so it is only imported for type checkers.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

OPT_OUT_ENV = "MED_REWARDBENCH_TASKS_AUTOLOAD"
TASKS_MODULE = "lmms_eval.tasks"
_WRAPPED_FLAG = "__med_rewardbench_tasks_wrapped__"
# The standard mechanism: the entry point group, and the marker an lmms-eval that reads it sets.
TASK_ENTRY_POINT_GROUP = "lmms_eval.tasks"
ENTRY_POINT_MARKER = "TASK_ENTRY_POINT_GROUP"
_PACKAGE = "med_rewardbench_tasks"


def enabled() -> bool:
    return os.environ.get(OPT_OUT_ENV, "1").strip().lower() not in {"0", "false", "no", "off"}


def install() -> None:
    """Arrange for registration when lmms-eval's task module loads. Never raises: it runs at start-up."""
    try:
        if not enabled():
            return
        module = sys.modules.get(TASKS_MODULE)
        if module is not None:
            register_with(module)
        elif not any(isinstance(finder, _TasksModuleWatcher) for finder in sys.meta_path):
            sys.meta_path.insert(0, _TasksModuleWatcher())
    except Exception:  # a broken plugin must never break the interpreter
        pass


class _TasksModuleWatcher:
    """A one-shot meta path finder: it lends a wrapping loader to ``lmms_eval.tasks`` only."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname != TASKS_MODULE:
            return None
        sys.meta_path.remove(self)
        import importlib.util

        spec = importlib.util.find_spec(fullname)
        if spec is not None and spec.loader is not None:
            spec.loader = _RegisteringLoader(spec.loader)
        return spec


class _RegisteringLoader:
    """Runs the real loader, then registers; everything else is the real loader's."""

    def __init__(self, loader: Any) -> None:
        self._loader = loader

    def create_module(self, spec: Any) -> Any:
        return self._loader.create_module(spec)

    def exec_module(self, module: Any) -> None:
        self._loader.exec_module(module)
        register_with(module)
        _report_incompatibilities()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._loader, name)


def _report_incompatibilities() -> None:
    # lmms-eval's task module loads before any evaluation starts: the last moment to say what
    # would make the evaluation fail, before lmms-eval logs the error and exits 0.
    try:
        from med_rewardbench_tasks.compat import report_once

        report_once()
    except Exception:  # a broken plugin must never break lmms-eval
        pass


def _step_aside(why: str) -> None:
    from med_rewardbench_tasks.registration import task_directory

    print(
        f"med-rewardbench-tasks: tasks not registered automatically ({why}); "
        f"pass --include_path {task_directory()} to lmms-eval",
        file=sys.stderr,
    )


def with_task_directory(include_path: Any, directory: str) -> Any:
    """``include_path`` (None, a path or a list of paths) with ``directory`` appended once."""
    paths = [] if include_path is None else [include_path] if isinstance(include_path, str) else list(include_path)
    if not any(os.path.realpath(str(p)) == os.path.realpath(directory) for p in paths):
        paths.append(directory)
    return paths


def reads_task_entry_points(tasks_module: Any) -> bool:
    """Whether this lmms-eval indexes the task folders of the ``lmms_eval.tasks`` entry point group itself."""
    return getattr(tasks_module, ENTRY_POINT_MARKER, None) == TASK_ENTRY_POINT_GROUP


def entry_point_declared() -> bool:
    """Whether this package's entry point is in the group (it is not in an install older than the declaration)."""
    from importlib.metadata import entry_points

    try:
        declared = entry_points(group=TASK_ENTRY_POINT_GROUP)
    except Exception:  # unreadable metadata of some other distribution
        return False
    return any(ep.value.split(":")[0].strip().split(".")[0] == _PACKAGE for ep in declared)


def register_with(tasks_module: Any) -> bool:
    """Wrap ``tasks_module.TaskManager.initialize_tasks``; step aside (with a warning) if it is not as expected.

    Where lmms-eval reads the ``lmms_eval.tasks`` entry points and this package declares
    one, lmms-eval finds the tasks itself: nothing is wrapped and nothing is printed.
    """
    import functools
    import inspect

    from med_rewardbench_tasks.registration import task_directory

    if reads_task_entry_points(tasks_module) and entry_point_declared():
        return True
    manager = getattr(tasks_module, "TaskManager", None)
    initialize = getattr(manager, "initialize_tasks", None)
    if initialize is None:
        _step_aside("lmms_eval.tasks.TaskManager.initialize_tasks not found")
        return False
    if getattr(initialize, _WRAPPED_FLAG, False):
        return True
    try:
        signature = inspect.signature(initialize)
    except (TypeError, ValueError):
        _step_aside("TaskManager.initialize_tasks has no readable signature")
        return False
    if not {"self", "include_path", "include_defaults"} <= set(signature.parameters):
        _step_aside("TaskManager.initialize_tasks does not take include_path/include_defaults")
        return False

    @functools.wraps(initialize)
    def initialize_tasks(*args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        # include_defaults=False asks for a bare index (lmms-eval's own tests do); installed
        # plugin tasks count as defaults.
        if bound.arguments["include_defaults"]:
            bound.arguments["include_path"] = with_task_directory(bound.arguments["include_path"], task_directory())
        return initialize(*bound.args, **bound.kwargs)

    setattr(initialize_tasks, _WRAPPED_FLAG, True)
    manager.initialize_tasks = initialize_tasks
    return True
