"""CONTRIBUTING.md stays true: every file it names exists, every name it gives resolves, every module is listed."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

GUIDE = REPO_ROOT / "CONTRIBUTING.md"
PACKAGE = "med_rewardbench_tasks"
FILE_SUFFIXES = (".py", ".md", ".json", ".jsonl", ".yaml", ".sh", ".txt", ".toml", ".patch")
INLINE_CODE = re.compile(r"`([^`\n]+)`")


def guide_lines() -> list[str]:
    """The guide without its fenced code blocks (commands, not names)."""
    lines, fenced = [], False
    for line in GUIDE.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced:
            lines.append(line)
    return lines


def is_path(token: str) -> bool:
    return re.fullmatch(r"[\w./-]+", token) is not None and ("/" in token or token.endswith(FILE_SUFFIXES))


def table_rows() -> list[tuple[str, str]]:
    """(first cell's path, whole row) of every table row whose first cell is a path."""
    rows = []
    for line in guide_lines():
        cells = line.split("|")
        if line.startswith("|") and len(cells) > 2:
            first = INLINE_CODE.findall(cells[1])
            if first and is_path(first[0]):
                rows.append((first[0], line))
    return rows


def named_paths() -> set[Path]:
    """Every path the guide names: relative to the repository, or to the folder its table row is about."""
    paths = set()
    folder_of_line = {line: path for path, line in table_rows() if path.endswith("/")}
    for line in guide_lines():
        for token in INLINE_CODE.findall(line):
            if not is_path(token):
                continue
            folder = folder_of_line.get(line)
            # In a folder's row, a bare name ("cases.py", "assets/") is a file of that folder.
            within = folder is not None and token != folder and "/" not in token.rstrip("/")
            paths.add((REPO_ROOT / folder if within else REPO_ROOT) / token)
    return paths


def test_the_guide_names_only_files_that_exist() -> None:
    paths = named_paths()
    assert len(paths) > 80, "the guide's paths were not found: is it still written with `backticked` paths?"
    missing = sorted(str(path.relative_to(REPO_ROOT)) for path in paths if not path.exists())
    assert missing == [], f"CONTRIBUTING.md names files that do not exist: {missing}"


def test_every_module_of_the_package_is_listed() -> None:
    listed = {path.resolve() for path in named_paths()}
    modules = sorted(path for path in (REPO_ROOT / PACKAGE).rglob("*.py") if "__pycache__" not in path.parts)
    assert len(modules) > 70
    unlisted = [str(path.relative_to(REPO_ROOT)) for path in modules if path.resolve() not in listed]
    assert unlisted == [], f"add these modules to CONTRIBUTING.md's 'Where things live': {unlisted}"


def dotted_names() -> list[str]:
    """``records.encode_verdict``-style names of the package's modules and their members."""
    tops = {path.stem for path in (REPO_ROOT / PACKAGE).glob("*.py")} | {
        path.name for path in (REPO_ROOT / PACKAGE).iterdir() if (path / "__init__.py").is_file()
    }
    names = set()
    for line in guide_lines():
        for token in INLINE_CODE.findall(line):
            dotted = re.fullmatch(r"[a-z_]+(\.[A-Za-z_]+)+", token) and not token.endswith(FILE_SUFFIXES)
            if dotted and token.split(".")[0] in tops:
                names.add(token)
    return sorted(names)


@pytest.mark.parametrize("name", dotted_names())
def test_every_function_and_module_the_guide_names_exists(name: str) -> None:
    parts = name.split(".")
    for split in range(len(parts), 0, -1):
        try:
            target = importlib.import_module(".".join([PACKAGE, *parts[:split]]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[split:]:
            assert hasattr(target, attribute), f"CONTRIBUTING.md names {name}, but {target.__name__} has no {attribute}"
            target = getattr(target, attribute)
        return
    pytest.fail(f"CONTRIBUTING.md names {name}, which is no module of {PACKAGE}")


def test_the_readme_links_the_guide() -> None:
    assert "(CONTRIBUTING.md)" in (REPO_ROOT / "README.md").read_text(encoding="utf-8")
