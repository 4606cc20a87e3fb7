"""The parser needs nothing but Python: it imports in an isolated interpreter (no site
packages, no environment) with only the repository root on sys.path, it loads no module
outside the standard library, and it reads its vocabulary (aliases.json, package data)
on first use, not at import time."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]

PROBE = """
import json, sys
sys.path[:] = [p for p in sys.path if "site-packages" not in p and "dist-packages" not in p]
sys.path.insert(0, {root!r})
before = set(sys.modules)
import med_rewardbench_tasks.parsing as parsing
import med_rewardbench_tasks.parsing.lexicon as lexicon_module
vocabulary_loaded_at_import = lexicon_module.lexicon.cache_info().currsize
verdict = parsing.parse_verdict(
    '{{"accuracy":"A","relevance":"B","comprehensiveness":"A",'
    '"creativity":"B","responsiveness":"A","overall":"A"}}'
)
allowed = set(sys.stdlib_module_names) | set(sys.builtin_module_names) | {{"__main__"}}
loaded = sorted(name for name in sys.modules if name not in before)
outside = sorted(
    name for name in sys.modules
    if name.split(".")[0] not in allowed and name.split(".")[0] != "med_rewardbench_tasks"
)
print(json.dumps({{
    "status": verdict.status,
    "outside": outside,
    "package_modules": sorted(n for n in sys.modules if n.startswith("med_rewardbench_tasks")),
    "loaded": loaded,
    "file": parsing.__file__,
    "vocabulary_loaded_at_import": vocabulary_loaded_at_import,
    "vocabulary_loaded_after_parse": lexicon_module.lexicon.cache_info().currsize,
    "chinese": parsing.parse_verdict("整体而言A更优。").choices["overall"],
}}))
"""


def run_probe() -> dict[str, object]:
    completed = subprocess.run(
        [sys.executable, "-I", "-S", "-c", PROBE.format(root=str(REPO_ROOT))],
        capture_output=True,
        text=True,
        timeout=60,
        cwd="/",
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    result: dict[str, object] = json.loads(completed.stdout)
    return result


def test_imports_with_nothing_but_python() -> None:
    result = run_probe()
    assert result["status"] == "ok"
    assert (
        Path(str(result["file"])).resolve()
        == (REPO_ROOT / "med_rewardbench_tasks" / "parsing" / "__init__.py").resolve()
    )


def test_reads_its_vocabulary_on_first_use_not_at_import() -> None:
    result = run_probe()
    assert result["vocabulary_loaded_at_import"] == 0
    assert result["vocabulary_loaded_after_parse"] == 1
    assert result["chinese"] == "A"  # the vocabulary file travelled with the package


def test_loads_only_standard_library_modules() -> None:
    result = run_probe()
    assert result["outside"] == [], f"non-stdlib modules imported: {result['outside']}"
    # Within the package it needs only the shared vocabulary and its own modules.
    modules = result["package_modules"]
    assert isinstance(modules, list)
    assert {"med_rewardbench_tasks", "med_rewardbench_tasks.constants", "med_rewardbench_tasks.parsing"} <= set(modules)
    others = [name for name in modules if not name.startswith("med_rewardbench_tasks.parsing.")]
    assert sorted(others) == [
        "med_rewardbench_tasks",
        "med_rewardbench_tasks.constants",
        "med_rewardbench_tasks.parsing",
    ]
