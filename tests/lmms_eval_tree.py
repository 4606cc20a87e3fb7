"""lmms-eval package trees for tests: copies to patch, and one with the upstream task folder in it.

:func:`copy_lmms_eval` copies lmms-eval (without its benchmark folders) for a test to apply an
``upstream/`` patch to with :func:`apply_patch`, as a user would.

:func:`lmms_eval_with_task` builds ``<root>/lmms_eval/``: every entry of the installed
lmms-eval linked in, except ``tasks/``, which is a folder of links to lmms-eval's own task
folders plus a real copy of the exported ``med_rewardbench`` folder. With ``<root>`` first
on ``PYTHONPATH`` that tree *is* lmms-eval, so the folder is ``lmms_eval.tasks.med_rewardbench``
exactly as in an lmms-eval checkout (its ``utils.py`` imports its modules by that name).
lmms-eval's task index does not follow the links, so it indexes only our folder, quickly.

:func:`isolated_env` adds a start-up hook that makes ``import med_rewardbench_tasks`` fail
(it also defeats the editable install's path entry and the package's ``.pth`` hook), so a
test proves the folder needs nothing but lmms-eval.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
from pathlib import Path

import pytest

BLOCKER = '''
"""Test start-up hook: makes `import med_rewardbench_tasks` fail in this interpreter."""
import os
import sys

_PACKAGE = "med_rewardbench_tasks"


def _ours(name):
    return name == _PACKAGE or name.startswith(_PACKAGE + ".")


# The editable install's .pth files ran before this hook: they put the checkout on sys.path
# and imported the package's start-up module. Undo both.
for _name in [n for n in sys.modules if _ours(n)]:
    del sys.modules[_name]
sys.path[:] = [p for p in sys.path if not os.path.isdir(os.path.join(p or ".", _PACKAGE))]
sys.meta_path[:] = [f for f in sys.meta_path if type(f).__module__ is None or not _ours(type(f).__module__)]


class _Blocker:
    def find_spec(self, name, path=None, target=None):
        if _ours(name):
            raise ModuleNotFoundError(f"No module named {name!r} (blocked by a test)", name=name)
        return None


sys.meta_path.insert(0, _Blocker())
'''


def installed_lmms_eval() -> Path:
    """The installed ``lmms_eval`` package folder (found, not imported)."""
    spec = importlib.util.find_spec("lmms_eval")
    assert spec is not None and spec.origin is not None
    return Path(spec.origin).resolve().parent


def copy_lmms_eval(dest_root: Path, source: Path | None = None) -> Path:
    """``dest_root/lmms_eval``: a copy of ``source`` (default: the installed lmms_eval) without its benchmark
    folders (``tasks/<benchmark>/``), so task indexing stays quick; task helpers and code are kept."""
    source = installed_lmms_eval() if source is None else source

    def ignore(directory: str, names: list[str]) -> set[str]:
        skipped = {name for name in names if name == "__pycache__"}
        if Path(directory) == source / "tasks":
            skipped |= {name for name in names if (Path(directory) / name).is_dir() and name != "_task_utils"}
        return skipped

    shutil.copytree(source, dest_root / "lmms_eval", ignore=ignore)
    return dest_root


def apply_patch(root: Path, patch: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """``patch -p1`` as a user runs it (fuzz allowed unless ``extra`` says otherwise); ``git apply`` without patch."""
    if shutil.which("patch"):
        command = ["patch", "-p1", "--forward", "--batch", *extra, "-i", str(patch)]
    elif shutil.which("git"):
        command = ["git", "apply", "-p1", str(patch)]  # outside a repository git apply edits plain files
    else:
        pytest.skip("neither patch nor git is available to apply the patch")
    return subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)


def lmms_eval_with_task(root: Path, task_folder: Path) -> Path:
    """``root`` made an lmms-eval package tree whose ``tasks/med_rewardbench`` is a copy of ``task_folder``."""
    installed = installed_lmms_eval()
    package = root / "lmms_eval"
    (package / "tasks").mkdir(parents=True)
    for entry in installed.iterdir():
        if entry.name not in ("tasks", "__pycache__"):
            (package / entry.name).symlink_to(entry)
    for entry in (installed / "tasks").iterdir():
        if entry.name != "__pycache__":
            (package / "tasks" / entry.name).symlink_to(entry)
    shutil.copytree(task_folder, package / "tasks" / "med_rewardbench", ignore=shutil.ignore_patterns("__pycache__"))
    return package / "tasks" / "med_rewardbench"


def isolated_env(root: Path) -> dict[str, str]:
    """Environment for a subprocess that sees ``root``'s lmms-eval and cannot import this package."""
    hooks = root / "startup"
    hooks.mkdir(exist_ok=True)
    (hooks / "sitecustomize.py").write_text(BLOCKER)
    inherited = os.environ.get("PYTHONPATH")
    return {
        "PYTHONPATH": os.pathsep.join([str(hooks), str(root), *([inherited] if inherited else [])]),
        "MED_REWARDBENCH_TASKS_AUTOLOAD": "0",
    }
