"""The zero-flag registration hook, on stand-in task modules (the real CLI is in test_registration.py)."""

from __future__ import annotations

import os
import sys
import types
from typing import Any, ClassVar

import pytest

from med_rewardbench_tasks import _autoload
from med_rewardbench_tasks.registration import task_directory


def tasks_module(manager: type | None) -> types.ModuleType:
    module = types.ModuleType("stand_in_tasks")
    if manager is not None:
        module.TaskManager = manager  # type: ignore[attr-defined]
    return module


def recording_manager() -> type:
    class TaskManager:
        seen: ClassVar[list[Any]] = []

        def initialize_tasks(self, include_path: Any = None, include_defaults: bool = True) -> dict:
            TaskManager.seen.append(include_path)
            return {}

    return TaskManager


@pytest.mark.parametrize(
    ("include_path", "expected"),
    [
        pytest.param(None, [task_directory()], id="no-user-path"),
        pytest.param("/tmp/mine", ["/tmp/mine", task_directory()], id="user-path-first"),
        pytest.param(["/a", "/b"], ["/a", "/b", task_directory()], id="user-list"),
        pytest.param([task_directory()], [task_directory()], id="already-included-once"),
    ],
)
def test_wrapped_manager_indexes_our_tasks_after_the_users(include_path: Any, expected: list[str]) -> None:
    manager = recording_manager()
    assert _autoload.register_with(tasks_module(manager))
    manager().initialize_tasks(include_path=include_path)
    assert manager.seen == [expected]


def test_bare_index_requests_stay_bare() -> None:
    manager = recording_manager()
    _autoload.register_with(tasks_module(manager))
    manager().initialize_tasks("/only/this", False)
    assert manager.seen == ["/only/this"]


def test_registration_is_idempotent() -> None:
    manager = recording_manager()
    _autoload.register_with(tasks_module(manager))
    wrapped = manager.initialize_tasks
    assert _autoload.register_with(tasks_module(manager))
    assert manager.initialize_tasks is wrapped
    manager().initialize_tasks()
    assert manager.seen == [[task_directory()]]


class DifferentSignature:
    def initialize_tasks(self, paths: list[str]) -> dict:
        return {}


class NoInitializer:
    pass


@pytest.mark.parametrize(
    ("module", "why"),
    [
        pytest.param(tasks_module(None), "TaskManager.initialize_tasks not found", id="no-task-manager"),
        pytest.param(tasks_module(NoInitializer), "TaskManager.initialize_tasks not found", id="no-initializer"),
        pytest.param(tasks_module(DifferentSignature), "does not take include_path", id="other-signature"),
    ],
)
def test_unexpected_internals_step_aside_with_one_line(
    module: types.ModuleType, why: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert not _autoload.register_with(module)
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert why in err
    assert f"pass --include_path {task_directory()}" in err


@pytest.fixture
def clean_meta_path():
    saved = list(sys.meta_path)
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _autoload._TasksModuleWatcher)]
    yield
    sys.meta_path[:] = saved


def test_install_waits_for_lmms_eval_tasks(clean_meta_path: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "lmms_eval.tasks", raising=False)
    _autoload.install()
    _autoload.install()
    watchers = [f for f in sys.meta_path if isinstance(f, _autoload._TasksModuleWatcher)]
    assert len(watchers) == 1
    assert watchers[0].find_spec("json") is None


@pytest.mark.parametrize("value", ["0", "false", "off", "NO"])
def test_opt_out(clean_meta_path: None, monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("MED_REWARDBENCH_TASKS_AUTOLOAD", value)
    monkeypatch.delitem(sys.modules, "lmms_eval.tasks", raising=False)
    _autoload.install()
    assert not any(isinstance(f, _autoload._TasksModuleWatcher) for f in sys.meta_path)


def test_install_never_raises(clean_meta_path: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "lmms_eval.tasks", object())  # not even a module
    _autoload.install()


# ---------------------------------------------------------------------------------------
# An lmms-eval that reads the `lmms_eval.tasks` entry points (upstream/ proposes it)
# ---------------------------------------------------------------------------------------
class FakeEntryPoint:
    def __init__(self, value: str) -> None:
        self.value = value


def entry_point_group(*values: str):
    def entry_points(*, group: str) -> list[FakeEntryPoint]:
        assert group == "lmms_eval.tasks"
        return [FakeEntryPoint(value) for value in values]

    return entry_points


def entry_point_reading_module(manager: type) -> types.ModuleType:
    module = tasks_module(manager)
    module.TASK_ENTRY_POINT_GROUP = "lmms_eval.tasks"  # type: ignore[attr-defined]
    return module


def test_steps_aside_silently_where_lmms_eval_reads_our_entry_point(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import importlib.metadata

    monkeypatch.setattr(
        importlib.metadata,
        "entry_points",
        entry_point_group("other_pkg.tasks:dirs", "med_rewardbench_tasks.registration:task_directories"),
    )
    manager = recording_manager()
    original = manager.initialize_tasks
    assert _autoload.register_with(entry_point_reading_module(manager))
    assert manager.initialize_tasks is original  # not wrapped
    manager().initialize_tasks(include_path="/mine")
    assert manager.seen == ["/mine"]  # lmms-eval adds our folder itself; the hook adds nothing
    assert capsys.readouterr() == ("", "")


def test_still_registers_where_our_entry_point_is_not_declared(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.metadata

    monkeypatch.setattr(importlib.metadata, "entry_points", entry_point_group("other_pkg.tasks:dirs"))
    manager = recording_manager()
    assert _autoload.register_with(entry_point_reading_module(manager))
    manager().initialize_tasks()
    assert manager.seen == [[task_directory()]]


def test_an_lmms_eval_without_the_marker_is_wrapped_even_with_the_entry_point(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.metadata

    monkeypatch.setattr(
        importlib.metadata, "entry_points", entry_point_group("med_rewardbench_tasks.registration:task_directories")
    )
    manager = recording_manager()
    assert _autoload.register_with(tasks_module(manager))  # e.g. lmms-eval 0.7.3: it ignores the group
    manager().initialize_tasks()
    assert manager.seen == [[task_directory()]]


def test_unreadable_entry_point_metadata_keeps_the_hook(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.metadata

    def broken(*, group: str) -> list[FakeEntryPoint]:
        raise ValueError("bad metadata")

    monkeypatch.setattr(importlib.metadata, "entry_points", broken)
    manager = recording_manager()
    assert _autoload.register_with(entry_point_reading_module(manager))
    manager().initialize_tasks()
    assert manager.seen == [[task_directory()]]


def test_entry_point_target_is_the_task_folder() -> None:
    from med_rewardbench_tasks.registration import task_directories

    assert task_directories() == [task_directory()]
    assert os.path.isfile(os.path.join(task_directory(), "med_rewardbench.yaml"))
