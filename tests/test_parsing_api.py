"""The parser's API beyond reading the six winners: the reason and the notes it reports,
non-string input, the lone-verdict policy, the Verdict contract and bounded work on long
outputs. The readings themselves are in tests/data/verdict_cases.jsonl."""

from __future__ import annotations

import json
import time

import pytest

from med_rewardbench_tasks.constants import DIMENSIONS
from med_rewardbench_tasks.parsing import Verdict, parse_verdict

TEMPLATE = (
    '{"accuracy":"A|B","relevance":"A|B","comprehensiveness":"A|B",'
    '"creativity":"A|B","responsiveness":"A|B","overall":"A|B",'
    '"reason":"brief explanation"}'
)


def verdict_json(code: str, indent: int | None = None, **extra: object) -> str:
    """A clean JSON verdict from a six-letter code such as "ABABAA"."""
    body: dict[str, object] = {dim: letter for dim, letter in zip(DIMENSIONS, code, strict=True)}
    body.update(extra)
    return json.dumps(body, indent=indent)


def lines(code: str, fmt: str = "{Dim}: {w}") -> str:
    """One line per dimension, e.g. fmt="**{Dim}**: {w}"."""
    return "\n".join(fmt.format(Dim=dim.title(), dim=dim, w=w) for dim, w in zip(DIMENSIONS, code, strict=True))


def code_of(verdict: Verdict) -> str:
    return "".join(value or "-" for value in verdict.choices.values())


# ------------------------------------------------------------------ fields beyond choices
def test_reason_is_the_judges_own_text_stripped() -> None:
    assert parse_verdict(verdict_json("ABABAA", reason="  B misses the fracture.  ")).reason == "B misses the fracture."
    assert parse_verdict(verdict_json("ABABAA", explanation="B is vague")).reason == "B is vague"
    assert parse_verdict(verdict_json("ABABAA", rationale="r")).reason == "r"
    assert parse_verdict(verdict_json("ABABAA", justification="j")).reason == "j"
    assert parse_verdict(lines("ABABAA") + "\nReason: A names the lesion.").reason == "A names the lesion."
    assert parse_verdict(verdict_json("ABABAA")).reason is None


def test_reason_beside_a_bare_letter() -> None:
    verdict = parse_verdict("A\n\nReason: B misses the fracture.")
    assert code_of(verdict) == "-----A"
    assert verdict.reason == "B misses the fracture."


def test_reason_from_yaml_block_and_multiline_reason_line() -> None:
    yaml = (
        "verdict:\n"
        + lines("BABABA", "  {dim}: {w}")
        + "\n  reason: |\n    A misreads the scan.\n    overall: A is wrong"
    )
    assert parse_verdict(yaml).reason == "A misreads the scan.\noverall: A is wrong"
    two_lines = lines("ABABAA") + "\nReason: A names the lesion\nand B does not."
    assert parse_verdict(two_lines).reason == "A names the lesion\nand B does not."


def test_notes_explain_what_was_dropped() -> None:
    assert parse_verdict("").note == "empty output"
    assert parse_verdict(TEMPLATE).note == "format template echoed without a verdict"
    tie = parse_verdict(verdict_json("ABABAA", overall="tie"))
    assert tie.note is not None and "tie/both/neither for overall" in tie.note
    other = parse_verdict(verdict_json("BABABA", accuracy="C"))
    assert other.note is not None and "value 'C' for accuracy is not A or B" in other.note
    truncated = parse_verdict('{"accuracy": "A", "relevance": "B"')
    assert truncated.note is not None and "no value for overall" in truncated.note
    failed = parse_verdict("[LMMS_EVAL_REQUEST_FAILED after 5 retries: " + "x" * 500)
    assert failed.note is not None and failed.note.startswith("judge request failed: [LMMS_EVAL_REQUEST_FAILED")
    assert len(failed.note) <= len("judge request failed: ") + 200
    assert parse_verdict("I cannot evaluate medical images.").note == "judge declined to give a verdict"
    assert parse_verdict("Both A and B describe the lesion.").note == "no verdict found"
    assert parse_verdict("Final verdict: [[C]]").note == "tie/both/neither for overall"
    cut = parse_verdict('{\n  "accuracy": "B')
    assert cut.note == "output cut off inside the verdict object before its first complete pair"
    assert parse_verdict("<think>hmm</think>").note == "no verdict found outside or inside the think block"


@pytest.mark.parametrize("value", [None, 42, 3.5, b'{"overall": "A"}', ["A"], {"overall": "A"}, object()])
def test_non_string_input_is_unparseable(value: object) -> None:
    verdict = parse_verdict(value)  # type: ignore[arg-type]
    assert verdict.status == "unparseable"
    assert verdict.method == "none"
    assert verdict.note is not None and "not a string" in verdict.note


def test_lone_verdict_policy_all_dimensions() -> None:
    spread = parse_verdict("Final verdict: [[B]]", lone_verdict="all_dimensions")
    assert code_of(spread) == "BBBBBB"
    assert spread.status == "ok" and spread.method == "lone_verdict" and spread.note is None
    # Only lone verdicts are spread; per-dimension results are left as read.
    partial = parse_verdict('{"accuracy": "A", "overall": "B"}', lone_verdict="all_dimensions")
    assert code_of(partial) == "A----B"
    assert code_of(parse_verdict("Overall: A", lone_verdict="all_dimensions")) == "-----A"


def test_unknown_policy_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        parse_verdict("A", lone_verdict="sometimes")  # type: ignore[arg-type]


def test_verdict_object_contract() -> None:
    verdict = parse_verdict(verdict_json("ABABAA", reason="why"))
    assert tuple(verdict.choices) == DIMENSIONS
    with pytest.raises(TypeError):
        verdict.choices["overall"] = "B"  # type: ignore[index]
    with pytest.raises(AttributeError):
        verdict.status = "partial"  # type: ignore[misc]
    as_dict = verdict.to_dict()
    assert json.loads(json.dumps(as_dict)) == {
        "choices": dict(zip(DIMENSIONS, "ABABAA", strict=True)),
        "status": "ok",
        "method": "json",
        "reason": "why",
        "note": None,
    }
    assert hash(verdict) == hash(parse_verdict(verdict_json("ABABAA", reason="why")))
    assert Verdict(choices={"overall": "A"}, status="partial", method="lone_verdict").choices["accuracy"] is None
    with pytest.raises(ValueError):
        Verdict(choices={"overall": "C"}, status="partial", method="lone_verdict")  # type: ignore[dict-item]
    # Every method is a member of the closed set (VerdictMethod); a made-up one is refused.
    with pytest.raises(ValueError, match="method must be one of"):
        Verdict(choices={"overall": "A"}, status="partial", method="x")  # type: ignore[arg-type]


MEGABYTE = 1_000_000
LONG_SHAPES = {
    "open-braces": "{" * MEGABYTE,
    "open-objects": '{"a":' * (MEGABYTE // 5),
    "closed-pairs": "{}" * (MEGABYTE // 2),
    "key-then-brace": "B{" * (MEGABYTE // 2),
    "quotes-in-braces": "{" + '"' * MEGABYTE,
    "blank-run-in-list": "accuracy: A, relevance=B" + " " * MEGABYTE + "x",
    "dimension-lines": "accuracy: A\n" * (MEGABYTE // 12),
    "table-rows": "| Accuracy | A |\n" * (MEGABYTE // 17),
    "lone-lines": "[[A]]\n" * (MEGABYTE // 6),
    "nfkc-expansion": "\ufdfa" * MEGABYTE,
    "underscore-run": "accuracy" + "_" * MEGABYTE + ".",
    # Shapes aimed at the prose, score, name and correction rules.
    "comparison-sentence": "Assistant A is more accurate than Assistant B " * (MEGABYTE // 46),
    "modifier-run": "more " * (MEGABYTE // 5) + "accurate",
    "letters-and-words": "A B the more less accurate relevant, " * (MEGABYTE // 37),
    "wins-on-list": "A wins on:\n" + "- Accuracy\n" * (MEGABYTE // 11),
    "chinese-comparisons": "助手A比助手B更准确，" * (MEGABYTE // 10),
    "chinese-no-punctuation": "更" * MEGABYTE,
    "legend-run": "1 = A, 2 = B, " * (MEGABYTE // 14),
    "strike-run": "Accuracy: " + "~~" * (MEGABYTE // 2),
    "score-pairs": "Accuracy: A 6/10 vs B 8/10\n" * (MEGABYTE // 27),
    "per-answer-scores": "Assistant A: accuracy 7, " * (MEGABYTE // 25),
    "references": "the former the latter " * (MEGABYTE // 22),
    "hypotheticals": "if A is better, " * (MEGABYTE // 16),
    "quotes": '"A is better" ' * (MEGABYTE // 14),
    "marks-table": "| Accuracy | ✅ | ❌ |\n" * (MEGABYTE // 20),
}


@pytest.mark.parametrize("text", list(LONG_SHAPES.values()), ids=list(LONG_SHAPES))
def test_long_outputs_stay_bounded(text: str) -> None:
    # The budget is 50 ms per MB (see benchmarks/parser_throughput.py); this guard is
    # loose on purpose so that it only catches super-linear regressions, not slow CI.
    start = time.perf_counter()
    verdict = parse_verdict(text)
    assert time.perf_counter() - start < 1.0
    assert verdict.status in ("ok", "partial", "unparseable")
