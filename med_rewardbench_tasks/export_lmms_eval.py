"""``med-rewardbench export-lmms-eval DIR``: the Med-RewardBench task folder for lmms-eval itself.

The folder is ``lmms_eval/tasks/med_rewardbench/`` of an lmms-eval checkout, and runs where
this package is not installed. It is a plain copy of readable source:

* the files written for lmms-eval (``upstream_task/`` in this package): the YAMLs, a thin
  ``utils.py`` whose hooks import the modules beside it as
  ``lmms_eval.tasks.med_rewardbench.<module>``, ``__init__.py`` and the task README;
* the package's own modules those hooks need, byte for byte: the closure of
  ``task_hooks`` and ``verdict_filter`` under their relative imports (the prompt, the verdict
  parser, the records, the metric names and the metrics). They import each other only
  relatively, which is what lets the same files run in both places; the export refuses a
  shared module with an absolute import of this package.

``upstream/lmms_eval_task/`` in the source tree holds the same folder (and the test for
lmms-eval's ``test/eval/``); ``tests/test_upstream_task.py`` fails when it differs from a
fresh export, so the two cannot drift apart.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Final

PACKAGE: Final = "med_rewardbench_tasks"
PACKAGE_DIR: Final = Path(__file__).resolve().parent
UPSTREAM_FILES: Final = PACKAGE_DIR / "upstream_task"
# The modules the folder's hooks start from; everything they import relatively comes along.
ROOT_MODULES: Final = ("task_hooks", "verdict_filter")
# How an earlier export is recognised (for --force): its utils.py imports the folder's modules.
EXPORT_SIGNATURE: Final = "from lmms_eval.tasks.med_rewardbench import"
_SKIPPED: Final = ("__pycache__",)


class ExportError(RuntimeError):
    """The folder cannot be written as asked; the message says why."""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "dir",
        metavar="DIR",
        help="the folder to write (created; must be new or empty), e.g. lmms_eval/tasks/med_rewardbench",
    )
    parser.add_argument("--force", action="store_true", help="replace DIR if it holds an earlier export")


def run(args: argparse.Namespace) -> int:
    try:
        written = export_task_folder(Path(args.dir), force=args.force)
    except (ExportError, FileExistsError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"wrote {len(written)} files to {Path(args.dir).resolve()}")
    print(
        "run: lmms-eval --include_path <the folder above it> --tasks med_rewardbench --model ... "
        "(or copy it to lmms_eval/tasks/med_rewardbench in an lmms-eval checkout)",
        file=sys.stderr,
    )
    return 0


def _module_file(name: str) -> Path:
    """``parsing`` -> ``parsing.py`` or ``parsing/__init__.py``; ``parsing.rules`` -> ``parsing/rules.py``."""
    base = PACKAGE_DIR.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    raise ExportError(f"{PACKAGE}.{name} is imported by a shared module but is not a module of the package")


def _is_module(parts: list[str]) -> bool:
    base = PACKAGE_DIR.joinpath(*parts)
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def _relative_imports(path: Path, module: str) -> Iterable[str]:
    """Package-relative names of what ``path`` (module ``module``) imports; absolute imports of the package refused."""
    import ast

    is_package = path.name == "__init__.py"
    parts = module.split(".") if is_package else module.split(".")[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            if any(alias.name.split(".")[0] == PACKAGE for alias in node.names):
                raise ExportError(f"{path}:{node.lineno}: a shared module must import the package relatively")
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                if (node.module or "").split(".")[0] == PACKAGE:
                    raise ExportError(f"{path}:{node.lineno}: a shared module must import the package relatively")
                continue
            if node.level - 1 > len(parts):
                raise ExportError(f"{path}:{node.lineno}: relative import leaves the package")
            base = [*parts[: len(parts) - (node.level - 1)], *(node.module.split(".") if node.module else [])]
            if node.module:
                yield ".".join(base)
            else:  # from . import x, y: each name may be a submodule
                yield from (".".join([*base, alias.name]) for alias in node.names if _is_module([*base, alias.name]))


def shared_modules() -> dict[str, Path]:
    """Package-relative file name -> source file, for every module the folder's hooks need."""
    found: dict[str, Path] = {}
    pending = list(ROOT_MODULES)
    while pending:
        module = pending.pop()
        path = _module_file(module)
        relative = path.relative_to(PACKAGE_DIR).as_posix()
        if relative in found:
            continue
        found[relative] = path
        if path.name == "__init__.py":
            # A sub-package travels whole, with its data files (the parser's aliases.json): its modules
            # import each other, and read their data, in ways the closure need not follow.
            for inner in sorted(path.parent.rglob("*")):
                if inner.is_file() and not any(part in _SKIPPED for part in inner.parts):
                    found.setdefault(inner.relative_to(PACKAGE_DIR).as_posix(), inner)
                    if inner.suffix == ".py":
                        pending.extend(_relative_imports(inner, _module_name(inner)))
        pending.extend(_relative_imports(path, module))
    return dict(sorted(found.items()))


def _module_name(path: Path) -> str:
    relative = path.relative_to(PACKAGE_DIR).with_suffix("")
    parts = list(relative.parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def folder_files() -> dict[str, Path]:
    """Every file of the folder (relative name -> source): the files written for lmms-eval, then the shared modules."""
    files = {
        path.relative_to(UPSTREAM_FILES).as_posix(): path
        for path in sorted(UPSTREAM_FILES.rglob("*"))
        if path.is_file() and not any(part in _SKIPPED for part in path.parts)
    }
    for name, path in shared_modules().items():
        if name in files:
            raise ExportError(f"upstream_task/{name} would hide the package's {name}")
        files[name] = path
    return files


def _earlier_export(dest: Path) -> bool:
    utils = dest / "utils.py"
    return utils.is_file() and EXPORT_SIGNATURE in utils.read_text(encoding="utf-8", errors="replace")


def export_task_folder(dest: Path, *, force: bool = False) -> list[str]:
    """Write the folder to ``dest`` (see the module docstring); returns the files written."""
    import shutil
    import tempfile

    dest = Path(dest).resolve()
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        earlier = _earlier_export(dest)
        if not (force and earlier):
            hint = " (pass --force to replace it)" if earlier else ""
            raise FileExistsError(f"{dest} exists and is not an empty folder{hint}")
    files = folder_files()
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}-", dir=dest.parent))
    try:
        for name, source in files.items():
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
        if dest.exists():
            shutil.rmtree(dest)
        staging.rename(dest)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return list(files)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="med-rewardbench export-lmms-eval")
    configure(parser)
    sys.exit(run(parser.parse_args()))
