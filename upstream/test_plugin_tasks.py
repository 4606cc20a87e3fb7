"""Plugin tasks reach lmms-eval's TaskManager: the `lmms_eval.tasks` entry points and LMMS_EVAL_PLUGINS.

Written for lmms-eval's test suite (it needs only lmms-eval and pytest). Each test builds a
throwaway plugin distribution in a temporary directory: a package with a task folder, and
a ``*.dist-info`` whose ``entry_points.txt`` declares it, as ``pip install`` would.

Without the fix (lmms-eval 0.7.3, and main at 75571cfe) 7 of these 9 tests fail: that is the
bug. With the ``LMMS_EVAL_PLUGINS`` block applied after the TaskManager is built, the two CLI
tests fail. (In med-rewardbench-tasks, ``tests/test_upstream_patch.py`` runs this file on
patched, unpatched and deliberately misplaced copies of lmms-eval.)
"""

from __future__ import annotations

import argparse
import importlib
import sys
import textwrap
from pathlib import Path

import pytest

TASK_YAML = """\
task: {name}
dataset_path: json
dataset_kwargs:
  data_files:
    test: placeholder.jsonl
test_split: test
output_type: generate_until
doc_to_text: "{{{{question}}}}"
doc_to_target: "{{{{answer}}}}"
metric_list:
  - metric: exact_match
"""


def make_plugin(root: Path, package: str, task_names: list[str], entry_points: dict[str, str] | None) -> Path:
    """A package ``package`` with ``tasks/<name>.yaml`` files and, if given, its declared entry points."""
    tasks = root / package / "tasks"
    tasks.mkdir(parents=True)
    (root / package / "__init__.py").write_text("")
    (tasks / "__init__.py").write_text("")
    for name in task_names:
        (tasks / f"{name}.yaml").write_text(TASK_YAML.format(name=name))
    (root / package / "registration.py").write_text(
        textwrap.dedent(
            """
            import os

            def task_directories():
                return [os.path.join(os.path.dirname(os.path.abspath(__file__)), "tasks")]

            def task_directory():
                return os.path.join(os.path.dirname(os.path.abspath(__file__)), "tasks")

            def broken():
                raise RuntimeError("this plugin is broken")
            """
        )
    )
    if entry_points is not None:
        dist_info = root / f"{package}-0.1.dist-info"
        dist_info.mkdir()
        (dist_info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {package}\nVersion: 0.1\n")
        lines = "".join(f"{name} = {value}\n" for name, value in entry_points.items())
        (dist_info / "entry_points.txt").write_text(f"[lmms_eval.tasks]\n{lines}")
    return tasks


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "site"
    root.mkdir()
    monkeypatch.syspath_prepend(str(root))
    importlib.invalidate_caches()
    yield root
    for name in [n for n in sys.modules if n.startswith("demo_")]:
        del sys.modules[name]


def task_manager(**kwargs):
    from lmms_eval.tasks import TaskManager

    return TaskManager("WARNING", **kwargs)


def test_entry_point_group_is_advertised() -> None:
    import lmms_eval.tasks

    assert lmms_eval.tasks.TASK_ENTRY_POINT_GROUP == "lmms_eval.tasks"


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("demo_plugin.registration:task_directories", id="callable-returning-a-list"),
        pytest.param("demo_plugin.registration:task_directory", id="callable-returning-a-path"),
        pytest.param("demo_plugin.tasks", id="package-holding-the-yamls"),
    ],
)
def test_entry_point_tasks_are_indexed(site: Path, value: str) -> None:
    tasks = make_plugin(site, "demo_plugin", ["demo_plugin_task"], {"demo": value})
    manager = task_manager()
    assert "demo_plugin_task" in manager.all_tasks
    assert Path(manager.task_index["demo_plugin_task"]["yaml_path"]).parent == tasks


def test_bare_index_leaves_plugins_out(site: Path) -> None:
    make_plugin(site, "demo_plugin", ["demo_plugin_task"], {"demo": "demo_plugin.registration:task_directories"})
    assert "demo_plugin_task" not in task_manager(include_defaults=False).all_tasks


def test_include_path_wins_a_name_clash_with_a_plugin(site: Path, tmp_path: Path) -> None:
    make_plugin(site, "demo_plugin", ["clash_task"], {"demo": "demo_plugin.registration:task_directories"})
    user_tasks = tmp_path / "mine"
    user_tasks.mkdir()
    (user_tasks / "clash_task.yaml").write_text(TASK_YAML.format(name="clash_task"))
    manager = task_manager(include_path=str(user_tasks))
    assert Path(manager.task_index["clash_task"]["yaml_path"]).parent == user_tasks


def test_a_broken_plugin_does_not_hide_the_others(site: Path) -> None:
    make_plugin(site, "demo_good", ["demo_good_task"], {"good": "demo_good.registration:task_directories"})
    make_plugin(
        site,
        "demo_bad",
        ["demo_bad_task"],
        {"raises": "demo_bad.registration:broken", "missing": "demo_bad.nowhere:task_directories"},
    )
    manager = task_manager()
    assert "demo_good_task" in manager.all_tasks
    assert "demo_bad_task" not in manager.all_tasks


class _Built(Exception):
    """Raised by the recording TaskManager to stop the CLI right after it built the task index."""


def test_lmms_eval_plugins_tasks_are_indexed_by_the_cli(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import lmms_eval.__main__ as cli
    from lmms_eval.tasks import TaskManager

    make_plugin(site, "demo_legacy", ["demo_legacy_task"], entry_points=None)
    monkeypatch.setenv("LMMS_EVAL_PLUGINS", "demo_legacy")
    built = []

    class RecordingTaskManager(TaskManager):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            built.append(self)
            raise _Built

    monkeypatch.setattr(cli, "TaskManager", RecordingTaskManager)
    args = argparse.Namespace(tasks="demo_legacy_task", include_path=None, verbosity="WARNING", model="dummy")
    with pytest.raises(_Built):
        cli.cli_evaluate_single(args)
    assert "demo_legacy_task" in built[0].all_tasks


def test_lmms_eval_plugins_keeps_the_users_include_path(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import lmms_eval.__main__ as cli
    from lmms_eval.tasks import TaskManager

    make_plugin(site, "demo_legacy", ["demo_legacy_task"], entry_points=None)
    user_tasks = tmp_path / "mine"
    user_tasks.mkdir()
    (user_tasks / "my_task.yaml").write_text(TASK_YAML.format(name="my_task"))
    monkeypatch.setenv("LMMS_EVAL_PLUGINS", "demo_legacy, demo_no_such_plugin")
    built = []

    class RecordingTaskManager(TaskManager):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            built.append(self)
            raise _Built

    monkeypatch.setattr(cli, "TaskManager", RecordingTaskManager)
    args = argparse.Namespace(tasks="my_task", include_path=str(user_tasks), verbosity="WARNING", model="dummy")
    with pytest.raises(_Built):
        cli.cli_evaluate_single(args)
    assert {"demo_legacy_task", "my_task"} <= set(built[0].all_tasks)
