"""Every judge output of ``tests/data/verdict_cases.jsonl`` is read as its line says.

The data file holds the literal output (or, for outputs of megabytes, ``output_parts``:
[text, times] pairs joined in order), the six winners a careful reader reads in it
(``null`` where none is stated) and, where it matters, the expected status, the rule that
found the verdict (``method``), a substring of the note, and the ``lone_verdict`` policy.
The format is described in ``tests/data/README.md``; anyone can add a case without Python.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from med_rewardbench_tasks.constants import DIMENSIONS
from med_rewardbench_tasks.parsing import parse_verdict

CASES_FILE = Path(__file__).parent / "data" / "verdict_cases.jsonl"
FIELDS = {"name", "family", "expected", "status", "method", "note", "lone_verdict", "output", "output_parts"}


def load_cases() -> list[dict[str, object]]:
    cases = []
    for number, line in enumerate(CASES_FILE.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            case = json.loads(line)
            case["line"] = number
            cases.append(case)
    return cases


CASES = load_cases()


def output_of(case: dict[str, object]) -> str:
    if "output_parts" in case:
        return "".join(text * times for text, times in case["output_parts"])  # type: ignore[union-attr]
    return case["output"]  # type: ignore[return-value]


@pytest.mark.parametrize("case", CASES, ids=[str(case["name"]) for case in CASES])
def test_case(case: dict[str, object]) -> None:
    policy = case.get("lone_verdict", "overall_only")
    verdict = parse_verdict(output_of(case), lone_verdict=policy)  # type: ignore[arg-type]
    where = f"line {case['line']} ({case['name']}): {verdict}"
    assert dict(verdict.choices) == case["expected"], where
    if "status" in case:
        assert verdict.status == case["status"], where
    if "method" in case:
        assert verdict.method == case["method"], where
    if "note" in case:
        assert verdict.note is not None and str(case["note"]) in verdict.note, where
    assert (verdict.note is None) == (verdict.status == "ok"), where


def test_cases_file_is_well_formed() -> None:
    names = [str(case["name"]) for case in CASES]
    assert len(names) == len(set(names)), "case names must be unique"
    assert len(names) >= 120
    assert sum(1 for name in names if name.startswith("adversarial")) >= 20
    for case in CASES:
        where = f"line {case['line']}"
        assert set(case) - {"line"} <= FIELDS, where
        assert {"name", "family", "expected"} <= set(case), where
        assert ("output" in case) != ("output_parts" in case), where
        expected = case["expected"]
        assert isinstance(expected, dict) and tuple(expected) == DIMENSIONS, where
        assert all(value in ("A", "B", None) for value in expected.values()), where
        assert case.get("lone_verdict", "overall_only") in ("overall_only", "all_dimensions"), where
