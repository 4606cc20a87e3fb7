"""Known ways the installed lmms-eval cannot evaluate, told to the user before lmms-eval hides them.

lmms-eval 0.7.3 catches every exception of an evaluation, logs it and exits 0, so an environment
in which it cannot work looks like a run that printed no table. The checks here run when
lmms-eval's task module is imported (through this package's start-up hook, or its task entry
point), which is before any evaluation starts, and print one line per problem naming what to
install.

Each check detects the *capability* lmms-eval relies on, not version numbers: a module that
lmms-eval's source imports must be importable. When lmms-eval stops importing it, the check goes
quiet by itself. The checks live in ``known_incompatibilities.json`` beside this module.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from dataclasses import dataclass
from importlib import resources
from typing import Final, TextIO

CATALOGUE: Final = "known_incompatibilities.json"
MESSAGE_PREFIX: Final = "med-rewardbench-tasks:"


@dataclass(frozen=True)
class Incompatibility:
    """lmms-eval's ``module`` imports ``requires``, which the installed ``package`` no longer has."""

    module: str
    requires: str
    package: str
    install: str
    reason: str

    def message(self) -> str:
        return (
            f"{MESSAGE_PREFIX} lmms-eval cannot evaluate in this environment: {self.module} imports "
            f"{self.requires}, but {_installed(self.package)} {self.reason}. "
            f'Install "{self.install}" (pip install "{self.install}").'
        )


def catalogue() -> tuple[Incompatibility, ...]:
    text = resources.files(__package__).joinpath(CATALOGUE).read_text(encoding="utf-8")
    return tuple(Incompatibility(**entry) for entry in json.loads(text))


def _installed(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"{package} {version(package)}"
    except PackageNotFoundError:
        return package


def _module_source(name: str) -> str | None:
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin or not spec.origin.endswith(".py"):
        return None
    try:
        with open(spec.origin, encoding="utf-8") as handle:
            return handle.read()
    except OSError:
        return None


def _importable(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def applies(incompatibility: Incompatibility) -> bool:
    source = _module_source(incompatibility.module)
    if source is None or f"import {incompatibility.requires}" not in source:
        return False
    return not _importable(incompatibility.requires)


def problems() -> list[Incompatibility]:
    return [incompatibility for incompatibility in catalogue() if applies(incompatibility)]


_reported = False


def report_once(stream: TextIO | None = None) -> int:
    """Print one line per known incompatibility (once per process); return how many apply. Never raises."""
    global _reported
    if _reported:
        return 0
    _reported = True
    try:
        found = problems()
    except Exception:  # a broken check must never break lmms-eval
        return 0
    for incompatibility in found:
        print(incompatibility.message(), file=stream or sys.stderr)
    return len(found)
