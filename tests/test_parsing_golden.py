"""Golden cases for the verdict parser: what it must read, and what it must refuse.

Each case gives the expected winners as a six-character code in DIMENSIONS order
(accuracy, relevance, comprehensiveness, creativity, responsiveness, overall), "-" for
None, plus the expected status and (where it matters) the rule that found the verdict.
Cases named ``adversarial-*`` are inputs built to make a careless parser guess.

Decisions recorded here:
* Full-width letters and keys (``Ａ``, ``ａｃｃｕｒａｃｙ``) are read after NFKC normalisation.
* A generic verdict line next to a per-dimension list ("Final verdict: A" after five
  dimension lines) supplies the missing ``overall`` of that list; an explicit
  ``Overall:`` line beats it.
* ``Overall: A`` on its own is a per-dimension statement (method key_value_lines), not a
  lone verdict, so ``lone_verdict="all_dimensions"`` does not spread it.
* Two candidates are never merged; the last complete one wins, else the most decided.
* A bare letter line is a verdict only when it is all the judge said apart from a
  labelled reason; "B" followed by free prose is refused (the brief allows lone letters
  only as the whole output).
* A concluding "X is better." that names another dimension is not an overall verdict.
"""

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


ABABAA = verdict_json("ABABAA")

CASES = [
    # ---------------------------------------------------------------- JSON, where it sits
    pytest.param(ABABAA, "ABABAA", "ok", "json", id="json-clean"),
    pytest.param(
        verdict_json("BBBBBB", reason="B names the lesion"), "BBBBBB", "ok", "json", id="json-clean-with-reason"
    ),
    pytest.param(
        "```json\n" + verdict_json("ABBABA", indent=2) + "\n```", "ABBABA", "ok", "json", id="json-fenced-json"
    ),
    pytest.param("```\n" + ABABAA + "\n```", "ABABAA", "ok", "json", id="json-fenced-plain"),
    pytest.param(
        "After comparing both answers, here is my verdict:\n" + ABABAA, "ABABAA", "ok", "json", id="json-after-prose"
    ),
    pytest.param(
        ABABAA + "\n\nI hope this helps. Let me know if you need more.", "ABABAA", "ok", "json", id="json-before-prose"
    ),
    pytest.param(verdict_json("AAABBB", indent=4), "AAABBB", "ok", "json", id="json-pretty-indented"),
    pytest.param(
        "<think>Assistant B seems better on accuracy: B. Overall B?</think>\n" + ABABAA,
        "ABABAA",
        "ok",
        "json",
        id="json-after-think-block",
    ),
    pytest.param(
        "The required format is " + TEMPLATE + "\nHere is my evaluation:\n" + verdict_json("BABABA"),
        "BABABA",
        "ok",
        "json",
        id="adversarial-template-echo-then-verdict",
    ),
    pytest.param(
        verdict_json("BABABA") + "\nFormat reminder: " + TEMPLATE,
        "BABABA",
        "ok",
        "json",
        id="adversarial-verdict-then-template-echo",
    ),
    # ---------------------------------------------------------------- almost-JSON
    pytest.param(
        "{'accuracy': 'A', 'relevance': 'B', 'comprehensiveness': 'A', 'creativity': 'B', "
        "'responsiveness': 'A', 'overall': 'B', 'reason': \"A's answer misses the fracture\"}",
        "ABABAB",
        "ok",
        "json_lenient",
        id="python-dict-single-quotes",
    ),
    pytest.param(
        "{'accuracy': 'A', 'relevance': 'A', 'comprehensiveness': 'B', 'creativity': 'B', "
        "'responsiveness': 'A', 'overall': 'A', 'confident': True, 'notes': None}",
        "AABBAA",
        "ok",
        "json_lenient",
        id="python-dict-true-none-barewords",
    ),
    pytest.param(
        '{"accuracy": "A", "relevance": "B", "comprehensiveness": "B", "creativity": "A", '
        '"responsiveness": "B", "overall": "B",}',
        "ABBABB",
        "ok",
        "json_lenient",
        id="trailing-comma",
    ),
    pytest.param(
        "{accuracy: A, relevance: B, comprehensiveness: A, creativity: A, responsiveness: B, overall: A}",
        "ABAABA",
        "ok",
        "json_lenient",
        id="unquoted-keys-and-values",
    ),
    pytest.param(
        '{"accuracy": "A", "relevance": "B", "comprehensiveness": "A", "creat',
        "ABA---",
        "partial",
        "json_truncated",
        id="adversarial-truncated-mid-key",
    ),
    pytest.param(
        '{"accuracy": "A", "relevance": "B", "comprehensiveness": "A", "creativity": "B", '
        '"responsiveness": "A", "overall": "B',
        "ABABA-",
        "partial",
        "json_truncated",
        id="adversarial-truncated-mid-value",
    ),
    pytest.param(
        '{"accuracy": "A", "relevance": "B", "comprehensiveness": "A", "creativity": "B", '
        '"responsiveness": "A", "overall": "B", "reason": "Assistant B gives the correct',
        "ABABAB",
        "ok",
        "json_truncated",
        id="truncated-in-reason-keeps-all-six",
    ),
    pytest.param(
        '```json\n{"accuracy": "B", "relevance": "B", "comprehensiveness": "A",\n  "creativity": Assis',
        "BBA---",
        "partial",
        "json_truncated",
        id="adversarial-truncated-bare-value-not-guessed",
    ),
    pytest.param(
        '{"ACCURACY": "A", "RELEVANCE": "B", "COMPREHENSIVENESS": "A", "CREATIVITY": "B", '
        '"RESPONSIVENESS": "A", "OVERALL": "A"}',
        "ABABAA",
        "ok",
        "json",
        id="keys-upper-case",
    ),
    pytest.param(
        '{"Accuracy": "B", "Relevance": "B", "Comprehensiveness": "A", "Creativity": "A", '
        '"Responsiveness": "B", "Overall": "A"}',
        "BBAABA",
        "ok",
        "json",
        id="keys-title-case",
    ),
    pytest.param(
        '{"accurate": "A", "relevancy": "B", "comprehensive": "A", "creative": "B", '
        '"responsive": "A", "overall_winner": "B"}',
        "ABABAB",
        "ok",
        "json",
        id="fuzzy-keys-stems",
    ),
    pytest.param(
        '{"acuracy": "B", "relavance": "A", "comprehensivness": "B", "creativty": "A", '
        '"responsivness": "B", "overal": "A"}',
        "BABABA",
        "ok",
        "json",
        id="fuzzy-keys-misspellings",
    ),
    pytest.param(
        '{"reponsiveness": "A", "accuracy": "A", "relevance": "A", "comprehensiveness": "A", '
        '"creativty": "A", "Overall Preference": "A"}',
        "AAAAAA",
        "ok",
        "json",
        id="fuzzy-keys-edit-distance-and-preference",
    ),
    pytest.param(
        '{"accuracy": "A", "accurate": "B", "relevance": "A", "comprehensiveness": "A", '
        '"creativity": "A", "responsiveness": "A", "overall": "A"}',
        "AAAAAA",
        "ok",
        "json",
        id="adversarial-exact-key-beats-later-fuzzy-key",
    ),
    pytest.param(
        '{"accurate": "B", "accuracy": "A", "relevance": "A", "comprehensiveness": "A", '
        '"creativity": "A", "responsiveness": "A", "overall": "A"}',
        "AAAAAA",
        "ok",
        "json",
        id="adversarial-exact-key-beats-earlier-fuzzy-key",
    ),
    pytest.param(
        '{"accuracy": "A", "accuracy_score": 4, "accuracy_reason": "B is vague", "relevance": "B", '
        '"comprehensiveness": "A", "creativity": "B", "responsiveness": "A", "overall": "A"}',
        "ABABAA",
        "ok",
        "json",
        id="adversarial-score-and-reason-keys-are-not-winners",
    ),
    pytest.param('{"verdict": ' + ABABAA + "}", "ABABAA", "ok", "json", id="wrapped-in-verdict-key"),
    pytest.param(
        '{"evaluation": ' + verdict_json("BBBAAA") + ', "reason": "B is more precise"}',
        "BBBAAA",
        "ok",
        "json",
        id="wrapped-in-evaluation-with-outer-reason",
    ),
    pytest.param("[" + verdict_json("ABBBBA") + "]", "ABBBBA", "ok", "json", id="list-of-one-object"),
    pytest.param(
        '{"accuracy": {"winner": "A", "reason": "B misreads the scan"}, '
        '"relevance": {"choice": "B"}, "comprehensiveness": {"preferred": "Assistant A"}, '
        '"creativity": {"better": "B"}, "responsiveness": {"verdict": "A"}, '
        '"overall": {"winner": "A", "reason": "overall: B is worse"}}',
        "ABABAA",
        "ok",
        "json",
        id="nested-per-dimension-objects",
    ),
    pytest.param(
        '{"accuracy": {"score_a": 8, "score_b": 6}, "relevance": "B", "comprehensiveness": "A", '
        '"creativity": "B", "responsiveness": "A", "overall": "A"}',
        "-BABAA",
        "partial",
        "json",
        id="adversarial-nested-scores-without-winner",
    ),
    pytest.param(
        '{"accuracy": "A", "accuracy": "B", "relevance": "B", "comprehensiveness": "B", '
        '"creativity": "B", "responsiveness": "B", "overall": "B"}',
        "BBBBBB",
        "ok",
        "json",
        id="duplicate-key-last-wins",
    ),
    # ---------------------------------------------------------------- value spellings
    pytest.param(
        '{"accuracy": "a", "relevance": " B ", "comprehensiveness": "**A**", "creativity": "[[B]]", '
        '"responsiveness": "(A)", "overall": "A."}',
        "ABABAA",
        "ok",
        "json",
        id="values-case-space-markup",
    ),
    pytest.param(
        '{"accuracy": "Assistant A", "relevance": "Answer B", "comprehensiveness": "Response A", '
        '"creativity": "Model B", "responsiveness": "Output A", "overall": "Candidate B"}',
        "ABABAB",
        "ok",
        "json",
        id="values-wordings",
    ),
    pytest.param(
        '{"accuracy": "Option A", "relevance": "Assistant B is better", "comprehensiveness": "A (more precise)", '
        '"creativity": "A - it names the lesion", "responsiveness": "B, because A misses the fracture", '
        '"overall": "A > B"}',
        "ABAABA",
        "ok",
        "json",
        id="values-leading-winner-then-explanation",
    ),
    pytest.param(
        '{"accuracy": "Ａ", "relevance": "Ｂ", "comprehensiveness": "ａ", "creativity": "Ｂ", '
        '"responsiveness": "Ａ", "overall": "Ｂ"}',
        "ABABAB",
        "ok",
        "json",
        id="unicode-full-width-letters-nfkc",
    ),
    pytest.param(
        '｛"ａｃｃｕｒａｃｙ"：“A”, "relevance": "B", "comprehensiveness": "A", "creativity": "B", '
        '"responsiveness": "A", "overall": "B"｝',
        "ABABAB",
        "ok",
        "json_lenient",
        id="unicode-full-width-braces-keys-curly-quotes",
    ),
    # ---------------------------------------------------------------- line layouts
    pytest.param(lines("ABABAB"), "ABABAB", "ok", "key_value_lines", id="lines-dimension-colon"),
    pytest.param(lines("BBAABB", "**{Dim}**: {w}"), "BBAABB", "ok", "key_value_lines", id="lines-bold-key"),
    pytest.param(
        lines("ABBBBA", "- **{Dim}:** Assistant {w}"),
        "ABBBBA",
        "ok",
        "key_value_lines",
        id="lines-bullet-bold-colon-inside",
    ),
    pytest.param(
        "\n".join(
            f"{i}. {dim.title()} - {w}" for i, (dim, w) in enumerate(zip(DIMENSIONS, "AAABBB", strict=True), start=1)
        ),
        "AAABBB",
        "ok",
        "key_value_lines",
        id="lines-numbered-dash",
    ),
    pytest.param(lines("BABABA", "* {dim} = {w}"), "BABABA", "ok", "key_value_lines", id="lines-asterisk-equals"),
    pytest.param(
        "verdict:\n" + lines("ABABAB", "  {dim}: {w}") + "\n  reason: |\n    B misses the lesion; overall: B is worse",
        "ABABAB",
        "ok",
        "key_value_lines",
        id="lines-yaml-nested",
    ),
    pytest.param(
        "\n".join(f'"{dim}": "{w}",' for dim, w in zip(DIMENSIONS, "BBBAAA", strict=True)),
        "BBBAAA",
        "ok",
        "key_value_lines",
        id="lines-json-without-braces",
    ),
    pytest.param(
        "accuracy=A, relevance=B, comprehensiveness=A, creativity=B, responsiveness=A, overall=A",
        "ABABAA",
        "ok",
        "key_value_list",
        id="key-value-list-one-line",
    ),
    pytest.param(
        "Accuracy: A; Relevance: A; Comprehensiveness: B; Creativity: B; Responsiveness: A; Overall: A",
        "AABBAA",
        "ok",
        "key_value_list",
        id="key-value-list-semicolons",
    ),
    pytest.param(
        "\n".join(
            f"### {dim.title()}\n**Winner:** Assistant {w}\n"
            f"**Reason:** Assistant {'B' if w == 'A' else 'A'} is vague.\n"
            for dim, w in zip(DIMENSIONS, "ABAABB", strict=True)
        ),
        "ABAABB",
        "ok",
        "key_value_lines",
        id="lines-headings-with-winner-lines",
    ),
    pytest.param(
        "\n".join(f"**{dim.title()}**\n{w}\n" for dim, w in zip(DIMENSIONS, "BAABBA", strict=True)),
        "BAABBA",
        "ok",
        "key_value_lines",
        id="lines-headings-with-bare-letters",
    ),
    pytest.param(
        "1. Accuracy: A\nAssistant A names the fracture; B does not.\n2. Relevance: B\nB stays on topic.\n"
        "3. Comprehensiveness: A\n4. Creativity: B\n5. Responsiveness: A\n6. Overall: A",
        "ABABAA",
        "ok",
        "key_value_lines",
        id="lines-with-explanations-between",
    ),
    pytest.param(
        "\n".join(lines("ABABAB").split("\n")[:5]) + "\nFinal verdict: [[A]]",
        "ABABAA",
        "ok",
        "key_value_lines",
        id="lines-generic-final-verdict-fills-overall",
    ),
    pytest.param(
        "<b>Accuracy</b>: A\n<b>Relevance</b>: B\n<b>Comprehensiveness</b>: A\n<b>Creativity</b>: A\n"
        "<b>Responsiveness</b>: B\n<b>Overall</b>: B",
        "ABAABB",
        "ok",
        "key_value_lines",
        id="lines-html-bold-keys",
    ),
    pytest.param(
        'accuracy="A" relevance="B" comprehensiveness="A" creativity="A" responsiveness="B" overall="B"',
        "ABAABB",
        "ok",
        "key_value_list",
        id="key-value-list-space-separated",
    ),
    pytest.param(
        "Accuracy → A\nRelevance → A\nComprehensiveness → B\nCreativity → B\nResponsiveness → A\nOverall → A",
        "AABBAA",
        "ok",
        "key_value_lines",
        id="lines-arrow-separator",
    ),
    pytest.param(
        "**Overall Winner: Assistant B**",
        "-----B",
        "partial",
        "key_value_lines",
        id="lines-bold-overall-winner-alone",
    ),
    # ---------------------------------------------------------------- tables
    pytest.param(
        "| Dimension | Winner |\n|---|---|\n"
        + "\n".join(f"| {dim.title()} | {w} |" for dim, w in zip(DIMENSIONS, "ABABAB", strict=True)),
        "ABABAB",
        "ok",
        "markdown_table",
        id="table-with-header",
    ),
    pytest.param(
        "\n".join(f"| {dim.title()} | Assistant {w} |" for dim, w in zip(DIMENSIONS, "BBABAA", strict=True)),
        "BBABAA",
        "ok",
        "markdown_table",
        id="table-without-header",
    ),
    pytest.param(
        "| Dimension | Winner | Reason |\n|:--|:-:|--|\n"
        + "\n".join(
            f"| **{dim}** | **{w}** | A and B differ; overall: B |" for dim, w in zip(DIMENSIONS, "AAAAAB", strict=True)
        ),
        "AAAAAB",
        "ok",
        "markdown_table",
        id="table-with-reason-column",
    ),
    pytest.param(
        "| Criterion | Assistant A | Assistant B | Winner |\n|---|---|---|---|\n"
        + "\n".join(f"| {dim} | 7/10 | 9/10 | {w} |" for dim, w in zip(DIMENSIONS, "BBABBB", strict=True)),
        "BBABBB",
        "ok",
        "markdown_table",
        id="table-scores-and-winner-column",
    ),
    pytest.param(
        "| Accuracy | Relevance | Comprehensiveness | Creativity | Responsiveness | Overall |\n"
        "|---|---|---|---|---|---|\n| A | B | B | A | A | B |",
        "ABBAAB",
        "ok",
        "markdown_table",
        id="table-transposed",
    ),
    pytest.param(
        "| Dimension | Assistant A | Assistant B |\n|---|---|---|\n"
        + "\n".join(f"| {dim} | 8 | 6 |" for dim in DIMENSIONS),
        "------",
        "unparseable",
        "none",
        id="adversarial-table-of-scores-not-winners",
    ),
    # ---------------------------------------------------------------- self-correction
    pytest.param(
        verdict_json("AAAAAA") + "\nWait, I misread the image. Corrected:\n" + verdict_json("BBBBBB"),
        "BBBBBB",
        "ok",
        "json",
        id="self-correction-last-complete-json-wins",
    ),
    pytest.param(
        lines("AAAAAA") + "\n\nWait, let me reconsider.\n\n" + lines("BBBBBB"),
        "BBBBBB",
        "ok",
        "key_value_lines",
        id="self-correction-lines",
    ),
    pytest.param(
        verdict_json("ABABAB") + '\nActually {"accuracy": "B", "relevance": "A"}',
        "ABABAB",
        "ok",
        "json",
        id="self-correction-later-partial-does-not-beat-complete",
    ),
    pytest.param(
        '{"accuracy": "A", "relevance": "A", "comprehensiveness": "A", "creativity": "A"} then '
        '{"accuracy": "B", "relevance": "B"}',
        "AAAA--",
        "partial",
        "json",
        id="self-correction-most-decided-partial-wins",
    ),
    pytest.param(
        '{"accuracy": "A", "relevance": "A"} then {"creativity": "B", "overall": "B"}',
        "---B-B",
        "partial",
        "json",
        id="adversarial-never-merge-partials-later-wins-tie",
    ),
    pytest.param(
        lines("AAAAAA") + "\n\n" + verdict_json("BBBBBB"),
        "BBBBBB",
        "ok",
        "json",
        id="self-correction-across-layouts",
    ),
    # ---------------------------------------------------------------- lone verdicts
    pytest.param("[[A]]", "-----A", "partial", "lone_verdict", id="lone-double-brackets"),
    pytest.param(
        "Assistant A describes the opacity but misses the effusion. Assistant B covers both.\n\nFinal verdict: [[B]]",
        "-----B",
        "partial",
        "lone_verdict",
        id="lone-final-verdict-after-prose",
    ),
    pytest.param("Final answer: B", "-----B", "partial", "lone_verdict", id="lone-final-answer"),
    pytest.param("Winner: Assistant B", "-----B", "partial", "lone_verdict", id="lone-winner-line"),
    pytest.param(
        "Both answers mention the nodule. Assistant A gives the size, a key detail.\n\nOverall, Assistant A is better.",
        "-----A",
        "partial",
        "lone_verdict",
        id="lone-overall-concluding-sentence",
    ),
    pytest.param(
        "A describes a mass; B describes a cyst, which matches the image.\nAssistant B is better.",
        "-----B",
        "partial",
        "lone_verdict",
        id="lone-concluding-is-better",
    ),
    pytest.param(
        "The better answer is Assistant A.", "-----A", "partial", "lone_verdict", id="lone-the-better-answer-is"
    ),
    pytest.param("A", "-----A", "partial", "lone_verdict", id="lone-bare-letter"),
    pytest.param("B.", "-----B", "partial", "lone_verdict", id="lone-bare-letter-period"),
    pytest.param("**B**", "-----B", "partial", "lone_verdict", id="lone-bare-letter-bold"),
    pytest.param('"A"', "-----A", "partial", "lone_verdict", id="lone-bare-letter-quoted"),
    pytest.param("Ｂ", "-----B", "partial", "lone_verdict", id="unicode-full-width-bare-letter"),
    pytest.param(
        "B\n\nReason: Assistant B identifies the pneumothorax, which A misses.",
        "-----B",
        "partial",
        "lone_verdict",
        id="lone-letter-with-labelled-reason",
    ),
    pytest.param(
        "B\n\nAssistant B identifies the pneumothorax, which A misses.",
        "------",
        "unparseable",
        "none",
        id="adversarial-letter-line-beside-free-prose-is-not-a-verdict",
    ),
    pytest.param(
        'bB{},]:]{bb}:BB],{A\n"b\' Bb}"}\nB,, ]B{B:[{\n\nA',
        "------",
        "unparseable",
        "none",
        id="adversarial-garbage-ending-in-a-letter-line",
    ),
    pytest.param(
        lines("ABABAB") + "\n\n[[A]]", "ABABAB", "ok", "key_value_lines", id="lone-ignored-when-structured-exists"
    ),
    pytest.param(
        '{"winner": "Assistant B", "reason": "B names the fracture"}',
        "-----B",
        "partial",
        "lone_verdict",
        id="lone-json-winner-key",
    ),
    pytest.param("Overall: A", "-----A", "partial", "key_value_lines", id="overall-line-is-a-dimension-not-lone"),
    pytest.param("I prefer Assistant A.", "-----A", "partial", "lone_verdict", id="lone-i-prefer"),
    pytest.param(
        "The opacity is in the right lower lobe.\nVerdict: A > B",
        "-----A",
        "partial",
        "lone_verdict",
        id="lone-a-greater-b",
    ),
    pytest.param(
        "In terms of accuracy, Assistant B is better. In terms of relevance, Assistant A is better.",
        "------",
        "unparseable",
        "none",
        id="adversarial-per-dimension-conclusions-are-not-overall",
    ),
    pytest.param(
        "Answer: The image shows a right lower lobe consolidation.\nThe finding is subtle.",
        "------",
        "unparseable",
        "none",
        id="adversarial-answer-key-holding-prose",
    ),
    pytest.param("Final verdict: [[C]]", "------", "unparseable", "none", id="adversarial-mt-bench-tie-token"),
    # ---------------------------------------------------------------- think blocks
    pytest.param(
        "<think>\n" + verdict_json("BBAABB") + "\n</think>",
        "BBAABB",
        "ok",
        "json+think",
        id="think-only-verdict-inside",
    ),
    pytest.param(
        "<think>" + verdict_json("BBBBBB") + "</think>\n" + verdict_json("AAAAAA"),
        "AAAAAA",
        "ok",
        "json",
        id="think-outside-beats-inside",
    ),
    pytest.param(
        "<think>I first thought accuracy: B.\n" + verdict_json("AABBAA"),
        "AABBAA",
        "ok",
        "json+think",
        id="think-unclosed-runs-to-end",
    ),
    pytest.param(
        "<think>\nAssistant A says pneumonia, B says effusion. The image shows effusion.\n</think>\n\n```json\n"
        + verdict_json("BBAABB", indent=2, reason="Assistant B identifies the pleural effusion.")
        + "\n```",
        "BBAABB",
        "ok",
        "json",
        id="think-then-fenced-pretty-json",
    ),
    pytest.param(
        "Okay, accuracy: B, relevance: B looks right.\n</think>\n\n" + verdict_json("ABABAA"),
        "ABABAA",
        "ok",
        "json",
        id="think-orphan-close-tag",
    ),
    pytest.param(
        "<think>" + lines("BBBBBB") + "</think>\nFinal verdict: [[A]]",
        "-----A",
        "partial",
        "lone_verdict",
        id="think-lone-outside-beats-structured-inside",
    ),
    pytest.param(
        "<think>Comparing... Final answer: B</think>",
        "-----B",
        "partial",
        "lone_verdict+think",
        id="think-lone-inside",
    ),
    # ---------------------------------------------------------------- refusals
    pytest.param(TEMPLATE, "------", "unparseable", "none", id="adversarial-template-echo-alone"),
    pytest.param(
        "Return valid JSON with exactly these keys:\n" + TEMPLATE + "\n" + lines("AAAAAA", "{dim}: A|B"),
        "------",
        "unparseable",
        "none",
        id="adversarial-template-echo-json-and-lines",
    ),
    pytest.param(
        '{"accuracy": "tie", "relevance": "both", "comprehensiveness": "neither", "creativity": "equal", '
        '"responsiveness": "A=B", "overall": "A"}',
        "-----A",
        "partial",
        "json",
        id="adversarial-ties-both-neither-equal",
    ),
    pytest.param(
        '{"accuracy": "A or B", "relevance": "A/B", "comprehensiveness": "A and B", "creativity": "none", '
        '"responsiveness": "N/A", "overall": "B"}',
        "-----B",
        "partial",
        "json",
        id="adversarial-both-letters-and-na-values",
    ),
    pytest.param(
        '{"accuracy": "Tie", "relevance": "Tie", "comprehensiveness": "Both", "creativity": "Neither", '
        '"responsiveness": "Equal", "overall": "Tie"}',
        "------",
        "unparseable",
        "none",
        id="adversarial-all-ties",
    ),
    pytest.param(
        '{"accuracy": "C", "relevance": "Assistant C", "comprehensiveness": "A", "creativity": "B", '
        '"responsiveness": "Both responses describe the lesion but A is more specific", "overall": "A"}',
        "--AB-A",
        "partial",
        "json",
        id="adversarial-values-not-a-or-b",
    ),
    pytest.param(
        '{"accuracy": "A is as good as B", "relevance": "Not A", "comprehensiveness": "A", '
        '"creativity": "A", "responsiveness": "A", "overall": "A"}',
        "--AAAA",
        "partial",
        "json",
        id="adversarial-tie-and-negation-clauses",
    ),
    pytest.param(
        "I cannot evaluate medical images. Please consult a radiologist.",
        "------",
        "unparseable",
        "none",
        id="refusal",
    ),
    pytest.param("", "------", "unparseable", "none", id="empty-output"),
    pytest.param(" \n\t " * 50_000, "------", "unparseable", "none", id="adversarial-huge-whitespace-only"),
    pytest.param(
        " " * 300_000 + ABABAA + "\n" * 300_000, "ABABAA", "ok", "json", id="adversarial-verdict-inside-huge-whitespace"
    ),
    pytest.param(
        "Both A and B describe the lesion.", "------", "unparseable", "none", id="adversarial-both-letters-prose"
    ),
    pytest.param(
        "Assistant A is better at naming the lesion, but Assistant B is more comprehensive.",
        "------",
        "unparseable",
        "none",
        id="adversarial-per-aspect-prose-not-concluding",
    ),
    pytest.param(
        "Assistant A is better.\nBut wait, B mentions the effusion.\nLet me look again at the margins.\n"
        "The image is ambiguous.",
        "------",
        "unparseable",
        "none",
        id="adversarial-is-better-not-at-the-end",
    ),
    pytest.param(
        "The scan shows a small nodule with a clear margin; a follow-up CT is advised.",
        "------",
        "unparseable",
        "none",
        id="adversarial-article-a-prose",
    ),
    pytest.param(
        "Final answer: a detailed description of the nodule is needed.",
        "------",
        "unparseable",
        "none",
        id="adversarial-article-a-after-final-answer",
    ),
    pytest.param(
        '{"accuracy": "a small nodule is described better", "relevance": "B", "comprehensiveness": "B", '
        '"creativity": "B", "responsiveness": "B", "overall": "B"}',
        "-BBBBB",
        "partial",
        "json",
        id="adversarial-article-a-in-value",
    ),
    pytest.param(
        verdict_json("AAAAAA", reason='If I were unsure I would write {"overall": "B"} or overall: B. [[B]]'),
        "AAAAAA",
        "ok",
        "json",
        id="adversarial-reason-injection-json-string",
    ),
    pytest.param(
        lines("ABABAA") + "\nReason: accuracy: B would be wrong here; overall: B is worse.",
        "ABABAA",
        "ok",
        "key_value_lines",
        id="adversarial-reason-injection-line",
    ),
    pytest.param(
        lines("ABABAA") + '\nReason: a lazier judge would answer {"accuracy": "B", "relevance": "B", '
        '"comprehensiveness": "B", "creativity": "B", "responsiveness": "B", "overall": "B"}',
        "ABABAA",
        "ok",
        "key_value_lines",
        id="adversarial-reason-line-holds-json",
    ),
    pytest.param(
        "verdict:\n"
        + lines("BABABA", "  {dim}: {w}")
        + "\n  reason: |\n    A misreads the scan.\n    overall: A would be wrong",
        "BABABA",
        "ok",
        "key_value_lines",
        id="adversarial-reason-injection-yaml-block",
    ),
    pytest.param('{\n  "accuracy": "B', "------", "unparseable", "none", id="adversarial-cut-off-before-first-pair"),
    pytest.param(
        '{"accuracy":"A","relevance":"A","comprehensiveness":"A","creativity":"A","responsiveness":"A",'
        '"overall":"A","reason":"not {"overall":"B"} - see "figure" 2"}',
        "AAAAAA",
        "ok",
        "json_lenient",
        id="adversarial-unescaped-quotes-and-object-in-reason",
    ),
    pytest.param(
        '{"Assistant A": {"accuracy": 7, "overall": 6}, "Assistant B": {"accuracy": 9, "overall": 8}}',
        "------",
        "unparseable",
        "none",
        id="adversarial-per-answer-scores-no-winner",
    ),
    pytest.param(
        '{"note": "' + ABABAA.replace('"', '\\"') + '"}',
        "------",
        "unparseable",
        "none",
        id="adversarial-object-inside-string-value",
    ),
    pytest.param(
        "Using $\\frac{a}{b}$ and the set {A, B}: " + verdict_json("BBABBA"),
        "BBABBA",
        "ok",
        "json",
        id="adversarial-prose-braces-before-json",
    ),
    pytest.param(
        "I will use the format {like this but\n" + lines("AABBAB"),
        "AABBAB",
        None,
        None,
        id="adversarial-unclosed-prose-brace-before-lines",
    ),
    pytest.param(
        "[LMMS_EVAL_REQUEST_FAILED] HTTP 500 from the API", "------", "unparseable", "none", id="request-failed"
    ),
    pytest.param("🙂 ¯\\_(ツ)_/¯ {[(\"'", "------", "unparseable", "none", id="adversarial-unicode-garbage"),
    pytest.param("{" * 10_000 + ABABAA, "ABABAA", "ok", "json", id="adversarial-many-open-braces-then-verdict"),
    pytest.param(
        verdict_json("ABBABA")[:-1] + ', "reason": "' + "The margin is irregular. " * 40_000 + '"}',
        "ABBABA",
        "ok",
        None,
        id="adversarial-1mb-reason-string",
    ),
    pytest.param(
        "Step: compare the two answers.\n" * 100_000 + lines("BBABAB"),
        "BBABAB",
        "ok",
        "key_value_lines",
        id="adversarial-verdict-lines-after-100k-lines",
    ),
    pytest.param(
        "Let me think about this at length. " * 40_000 + "\n" + verdict_json("BABBAB"),
        "BABBAB",
        "ok",
        "json",
        id="adversarial-verdict-after-1mb-prose",
    ),
]


@pytest.mark.parametrize(("text", "expected", "status", "method"), CASES)
def test_golden(text: str, expected: str, status: str | None, method: str | None) -> None:
    verdict = parse_verdict(text)
    assert code_of(verdict) == expected, verdict
    if status is not None:
        assert verdict.status == status, verdict
    if method is not None:
        assert verdict.method == method, verdict
    assert (verdict.note is None) == (verdict.status == "ok"), verdict
    assert verdict.decided == len(expected) - expected.count("-")


def test_golden_table_is_large_and_named() -> None:
    ids = [str(case.id) for case in CASES]
    assert len(ids) >= 70
    assert len(set(ids)) == len(ids)
    assert sum(1 for case_id in ids if case_id.startswith("adversarial")) >= 20


# ------------------------------------------------------------------ fields beyond choices
def test_reason_is_the_judges_own_text_stripped() -> None:
    assert parse_verdict(verdict_json("ABABAA", reason="  B misses the fracture.  ")).reason == "B misses the fracture."
    assert parse_verdict(verdict_json("ABABAA", explanation="B is vague")).reason == "B is vague"
    assert parse_verdict(verdict_json("ABABAA", rationale="r")).reason == "r"
    assert parse_verdict(verdict_json("ABABAA", justification="j")).reason == "j"
    assert parse_verdict(lines("ABABAA") + "\nReason: A names the lesion.").reason == "A names the lesion."
    assert parse_verdict(ABABAA).reason is None


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
    assert Verdict(choices={"overall": "A"}, status="partial", method="x").choices["accuracy"] is None
    with pytest.raises(ValueError):
        Verdict(choices={"overall": "C"}, status="partial", method="x")  # type: ignore[dict-item]


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
}


@pytest.mark.parametrize("text", list(LONG_SHAPES.values()), ids=list(LONG_SHAPES))
def test_long_outputs_stay_bounded(text: str) -> None:
    # The budget is 50 ms per MB (see benchmarks/parser_throughput.py); this guard is
    # loose on purpose so that it only catches super-linear regressions, not slow CI.
    start = time.perf_counter()
    verdict = parse_verdict(text)
    assert time.perf_counter() - start < 1.0
    assert verdict.status in ("ok", "partial", "unparseable")
