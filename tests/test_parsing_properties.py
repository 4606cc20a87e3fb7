"""Property tests for the verdict parser (hypothesis).

Properties: it never raises and always returns a well-formed Verdict; it is
deterministic; the case and surrounding whitespace of a value never matter; every clean
JSON verdict round-trips exactly; a reason can contradict a winner but never flip it; a
cut-off verdict never yields a winner the full verdict does not state; and
lone_verdict="all_dimensions" only ever adds to a lone overall verdict.

parse_verdict turns an internal exception into an "unparseable" verdict, which would hide a
crash from these tests: the never-raises properties therefore call the parser below that
guard (``verdict._parse``) and each stage function on its own.
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from med_rewardbench_tasks.constants import DIMENSIONS
from med_rewardbench_tasks.parsing import (
    METHODS,
    THINK_SUFFIX,
    Verdict,
    assemble,
    json_scan,
    keys,
    lines,
    lone,
    parse_verdict,
    prose,
    scores,
    text,
    values,
    verdict,
)
from med_rewardbench_tasks.parsing.model import Context, Obj, Pair

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

winners = st.sampled_from(("A", "B"))
verdict_codes = st.lists(winners, min_size=6, max_size=6).map(tuple)
blank = st.text(alphabet=" \t\n\r", max_size=6)
inline_blank = st.text(alphabet=" \t", max_size=4)

# Pieces that verdict-shaped text is made of: JSON syntax, keys and their misspellings,
# values and refusals, markup, think tags, lone-verdict phrases, the template.
FRAGMENTS = (
    "{", "}", "[", "]", '"', "'", ":", ",", "=", "\n", " ", "|", "**", "#", "- ", "1. ",
    "\\", "```json\n", "```", "<think>", "</think>", "[[A]]", "[[B]]", "A", "B", "a", "b",
    "Ａ", "accuracy", "Accuracy", "relevance", "relavance", "comprehensiveness",
    "creativity", "creative", "responsiveness", "overall", "overall_winner", "reason",
    "Reason: ", "verdict", "winner", "Final verdict: ", "Final answer: ", "Winner: ",
    "Assistant A", "Answer B", "Assistant B is better.", "Overall, Assistant A is better.",
    "tie", "both", "neither", "A|B", "A or B", "A/B", "N/A", "brief explanation",
    "a small nodule", "I cannot evaluate", "[LMMS_EVAL_REQUEST_FAILED", "True", "None",
    '{"accuracy": "A"', '"overall": "B"}', "| Accuracy | A |", "| --- | --- |",
    # The prose, score, name and correction rules.
    " is more accurate", " less relevant than ", "more ", "than ", " wins on ", "everything but ", "except ",
    "the former", "the latter", "the second response", "Response 1", "Assistant 2", "I prefer ", "goes to ",
    "not ", "if ", "but ", "while ", "?", ". ", "; ", "Update: ", "should be ", "no, ", "~~", "equally ",
    "A > B", "B ≻ A", "A ≈ B", "\\boxed{B}", "6/10", " vs ", "1 = A, 2 = B", "✅", "❌", "x",
    '{"A": 7, "B": 9}', "| Assistant A | Assistant B |", "says that ", "which is ",
    "助手A", "回答B", "第二个回答", "准确性", "全面性", "总体", "更", "更优", "不如", "相当", "比", "如果", "但是",
    "，", "。", "：", "更正：", "应为", "两者",
    # Round two: lists after "more", adjacent-sentence contrasts, labels in prose, totals,
    # numbered and ordinal names, list orders, hedges, emoji keys.
    "more accurate, relevant, ", "the accurate one", "correctly ", "which is wrong", "Overall: ",
    "Assistant A: 6/10", "first", "second answer", "Assistant 1", "[A, B]", "[4, 8]", "probably ",
    "Of the two answers, ", "cannot decide between ", "🎯", "**Accuracy** 🎯: ", "略好", "贴合",
    "the first", "the second", "The former answer", "I have this backwards. ", "on all six dimensions",
    "The correct answer is ", " is my overall choice",
)  # fmt: skip
verdictish_text = st.lists(st.sampled_from(FRAGMENTS), max_size=40).map("".join)

WELL_FORMED_METHODS = set(METHODS) | {method + THINK_SUFFIX for method in METHODS}


def code_of(verdict: Verdict) -> str:
    return "".join(value or "-" for value in verdict.choices.values())


def assert_well_formed(verdict: Verdict) -> None:
    assert isinstance(verdict, Verdict)
    assert tuple(verdict.choices) == DIMENSIONS
    assert all(value in ("A", "B", None) for value in verdict.choices.values())
    expected_status = {6: "ok", 0: "unparseable"}.get(verdict.decided, "partial")
    assert verdict.status == expected_status
    assert verdict.method in WELL_FORMED_METHODS
    assert (verdict.method == "none") == (verdict.status == "unparseable")
    assert (verdict.note is None) == (verdict.status == "ok")
    assert verdict.reason is None or (verdict.reason and verdict.reason == verdict.reason.strip())
    json.dumps(verdict.to_dict())


@SETTINGS
@given(st.text())
def test_never_raises_on_arbitrary_text(text: str) -> None:
    assert_well_formed(verdict._parse(text, "overall_only"))  # below parse_verdict's guard


@SETTINGS
@given(verdictish_text)
def test_never_raises_on_verdictish_fragments(text: str) -> None:
    assert_well_formed(verdict._parse(text, "overall_only"))
    assert_well_formed(verdict._parse(text, "all_dimensions"))


any_text = st.one_of(st.text(), verdictish_text)
dimensions = st.sampled_from(DIMENSIONS)


@SETTINGS
@given(any_text, st.frozensets(dimensions, max_size=2))
def test_prose_stage_is_total(said: str, context: frozenset[str]) -> None:
    for labels in (True, False):
        for statement in prose.statements(said, context=context, labels=labels):  # type: ignore[arg-type]
            assert statement.winner in ("A", "B", None)
            assert statement.dims <= set(DIMENSIONS)
            assert 0 <= statement.pos <= len(said)


@SETTINGS
@given(any_text, st.none() | dimensions, st.sampled_from(({}, {"1": "A", "2": "B"})))
def test_value_stage_is_total(value: str, dim: str | None, legend: dict[str, str]) -> None:
    reading = values.read_winner(value, dim=dim, legend=legend)  # type: ignore[arg-type]
    assert reading.winner in ("A", "B", None)
    assert (reading.winner is None) == bool(reading.problem)
    assert values.problem_note(dim or "overall", reading.problem, value)  # type: ignore[arg-type]


json_like = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30) | verdictish_text,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.lists(st.tuples(st.text(max_size=20) | st.sampled_from(FRAGMENTS), inner), max_size=4).map(Obj)
    ),
    max_leaves=12,
)


@SETTINGS
@given(json_like | st.builds(Pair, st.floats(allow_nan=True), st.floats(allow_nan=True)), st.none() | dimensions)
def test_object_values_are_total(value: object, dim: str | None) -> None:
    reading, shown = values.winner_of_value(value, dim=dim, legend={"1": "A", "2": "B"})  # type: ignore[arg-type]
    assert reading.winner in ("A", "B", None)
    assert isinstance(shown, str)


@SETTINGS
@given(any_text)
def test_key_line_and_object_stages_are_total(said: str) -> None:
    context = Context()
    assert keys.classify_key(said, context).kind in ("dim", "verdict", "reason", "answer", "score", "label", "other")
    candidates, masked, _ = json_scan.scan_json(said, 0, context)
    assert all(candidate.decided <= len(DIMENSIONS) for candidate in candidates)
    assert all(0 <= start < end <= len(said) for start, end in masked)
    plain = json_scan.mask(said, masked)
    assert len(plain) == len(said)
    for at_start in (True, False):
        lines.scan_lines(plain, 0, context, at_start=at_start, at_end=True, had_objects=bool(masked))
    for line in said.split("\n")[:20]:
        lone.lone_in_line(line, concluding=True)
        lone.bare_winner(line, any_case=True)
    scores.legend_of(said)
    assert scores.numbered_legend(said) in ({}, {"1": "A", "2": "B"})
    assert scores.states_pair_order(said) in (True, False)
    for thinking in (False, True):
        found = assemble.find(said)
        chosen = assemble.decide(found, thinking=thinking)
        assert chosen is None or chosen.decided > 0


@SETTINGS
@given(any_text, st.integers(0, 3))
def test_text_stage_is_total(said: str, copies: int) -> None:
    long_text = said * (1 + copies * 400)
    spoken, thought = text.split_think(long_text)
    assert len(spoken) + len(thought) <= len(long_text) + long_text.count("<") + 2
    for window in text.windows(long_text):
        assert len(window) <= text.FULL_SCAN_CHARS


@SETTINGS
@given(st.one_of(st.text(), verdictish_text))
def test_deterministic(text: str) -> None:
    first, second = parse_verdict(text), parse_verdict(text)
    assert first == second
    assert hash(first) == hash(second)
    assert first.to_dict() == second.to_dict()


# Any text that cannot name an answer (no A, B, 1, 2): as a reason it can neither state nor
# contradict a winner.
unnamed_text = st.text(alphabet=st.characters(blacklist_characters="AB12一二"), max_size=200)


@st.composite
def clean_json_verdicts(
    draw: st.DrawFn, reasons: st.SearchStrategy[str | None] | None = None
) -> tuple[str, tuple[str, ...], str | None]:
    code = draw(verdict_codes)
    order = draw(st.permutations(DIMENSIONS))
    body: dict[str, str] = {dim: code[DIMENSIONS.index(dim)] for dim in order}
    reason = draw(reasons if reasons is not None else st.none() | unnamed_text)
    if reason is not None:
        body_items = list(body.items())
        body_items.insert(draw(st.integers(0, len(body_items))), ("reason", reason))
        body = dict(body_items)
    indent = draw(st.none() | st.integers(0, 8))
    item_sep = "," + draw(inline_blank)
    key_sep = ":" + draw(inline_blank)
    dumped = json.dumps(body, indent=indent, separators=(item_sep, key_sep))
    text = draw(blank) + dumped + draw(blank)
    expected_reason = reason.strip() if reason is not None and reason.strip() else None
    return text, code, expected_reason


# Reasons that try to inject a verdict ("overall: B", '{"overall": "B"}', "[[B]]", "Assistant B
# is better."). Think tags are left out: they are recognised even inside strings (a
# documented decision). The fragments hold no correction words ("Update:", "should be").
injected_reasons = verdictish_text.filter(lambda text: "think" not in text)


@SETTINGS
@given(clean_json_verdicts())
def test_clean_json_round_trips(case: tuple[str, tuple[str, ...], str | None]) -> None:
    text, code, reason = case
    verdict = parse_verdict(text)
    assert code_of(verdict) == "".join(code)
    assert verdict.status == "ok"
    assert verdict.method == "json"
    assert verdict.reason == reason
    assert verdict.note is None


@SETTINGS
@given(clean_json_verdicts(injected_reasons))
def test_a_reason_never_flips_a_winner(case: tuple[str, tuple[str, ...], str | None]) -> None:
    # A reason may contradict a value (then that dimension is None, with a note saying so),
    # but what it says is never read as a winner in place of the value.
    text, code, reason = case
    verdict = parse_verdict(text)
    # A reason that withdraws all six values leaves no verdict, and so no rule that read one.
    assert verdict.method == ("none" if verdict.status == "unparseable" else "json")
    assert verdict.reason == reason
    for dim, letter in zip(DIMENSIONS, code, strict=True):
        assert verdict.choices[dim] in (letter, None), (text, dim)
        if verdict.choices[dim] is None:
            assert verdict.note is not None and f"contradiction for {dim}" in verdict.note


@SETTINGS
@given(clean_json_verdicts(), st.sampled_from(("", "```json\n", "Here is my verdict:\n", "<think>A? B?</think>")))
def test_clean_json_round_trips_in_wrappers(case: tuple[str, tuple[str, ...], str | None], prefix: str) -> None:
    text, code, _ = case
    suffix = "\n```" if prefix.startswith("```") else ""
    verdict = parse_verdict(prefix + text + suffix)
    assert code_of(verdict) == "".join(code)
    assert verdict.status == "ok"


def spell(letter: str, case_pattern: list[bool], wording: str) -> str:
    word = wording + letter if wording else letter
    return "".join(
        c.upper() if upper else c.lower() for c, upper in zip(word, case_pattern + [True] * len(word), strict=False)
    )


@SETTINGS
@given(
    verdict_codes,
    st.lists(st.lists(st.booleans(), min_size=12, max_size=12), min_size=6, max_size=6),
    st.lists(st.tuples(blank, blank), min_size=6, max_size=6),
    st.sampled_from(("", "Assistant ", "Answer ", "Response ", "Model ", "Option ")),
    st.sampled_from(("json", "lines", "bold", "table")),
)
def test_case_and_whitespace_of_values_do_not_matter(
    code: tuple[str, ...],
    cases: list[list[bool]],
    pads: list[tuple[str, str]],
    wording: str,
    layout: str,
) -> None:
    values = [spell(letter, pattern, wording) for letter, pattern in zip(code, cases, strict=True)]
    if layout == "json":
        padded = [before + value + after for value, (before, after) in zip(values, pads, strict=True)]
        text = json.dumps(dict(zip(DIMENSIONS, padded, strict=True)))
    else:
        # Line layouts end a value at the line break, so pad with spaces and tabs only.
        padded = [
            before.replace("\n", " ").replace("\r", " ") + value + after.replace("\n", " ").replace("\r", " ")
            for value, (before, after) in zip(values, pads, strict=True)
        ]
        row = {"lines": "{dim}: {v}", "bold": "- **{Dim}**:{v}", "table": "| {Dim} |{v}|"}[layout]
        text = "\n".join(row.format(dim=dim, Dim=dim.title(), v=v) for dim, v in zip(DIMENSIONS, padded, strict=True))
    verdict = parse_verdict(text)
    assert code_of(verdict) == "".join(code), text
    assert verdict.status == "ok"


@st.composite
def verdicts_with_values(draw: st.DrawFn) -> tuple[str, dict[str, str | None]]:
    """A JSON verdict whose values include ties and explanations; its true reading."""
    options = (
        ("A", "A"), ("B", "B"), ("Assistant A", "A"), ("Answer B", "B"), ("A (more precise)", "A"),
        ("B, because A misses the fracture", "B"), ("Both", None), ("Tie", None), ("Neither", None),
        ("A or B", None), ("Bo", None), ("Assistant C", None), ("a small nodule", None),
    )  # fmt: skip
    picked = [draw(st.sampled_from(options)) for _ in DIMENSIONS]
    indent = draw(st.none() | st.just(2))
    body: dict[str, object] = {dim: value for dim, (value, _) in zip(DIMENSIONS, picked, strict=True)}
    body["reason"] = draw(st.sampled_from(("", "overall: B", '{"overall": "A"} [[B]]', "A names it")))
    truth: dict[str, str | None] = {dim: expected for dim, (_, expected) in zip(DIMENSIONS, picked, strict=True)}
    return json.dumps(body, indent=indent), truth


@SETTINGS
@given(verdicts_with_values(), st.data())
def test_cut_off_verdict_never_invents_a_winner(case: tuple[str, dict[str, str | None]], data: st.DataObject) -> None:
    text, truth = case
    cut = data.draw(st.integers(0, len(text)))
    verdict = parse_verdict(text[:cut])
    for dim, value in verdict.choices.items():
        assert value is None or value == truth[dim], (text[:cut], dim, value)
    full = parse_verdict(text)
    assert dict(full.choices) == truth


@SETTINGS
@given(st.one_of(verdictish_text, st.text()))
def test_all_dimensions_policy_only_adds_to_lone_verdicts(text: str) -> None:
    default = parse_verdict(text)
    spread = parse_verdict(text, lone_verdict="all_dimensions")
    for dim, value in default.choices.items():
        if value is not None:
            assert spread.choices[dim] == value
    if default.method.startswith("lone_verdict"):
        assert set(spread.choices.values()) == {default.choices["overall"]}
        assert spread.status == "ok" and spread.method == default.method
    else:
        assert spread == default
