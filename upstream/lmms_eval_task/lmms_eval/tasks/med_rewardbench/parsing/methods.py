"""The closed set of rule names a :class:`~.verdict.Verdict` reports as its ``method``."""

from __future__ import annotations

from typing import Final, Literal, get_args

__all__ = [
    "METHODS",
    "METHOD_JSON",
    "METHOD_JSON_LENIENT",
    "METHOD_JSON_TRUNCATED",
    "METHOD_KEY_VALUE_LINES",
    "METHOD_KEY_VALUE_LIST",
    "METHOD_LONE_VERDICT",
    "METHOD_MARKDOWN_TABLE",
    "METHOD_MARKS",
    "METHOD_NONE",
    "METHOD_PROSE",
    "METHOD_SCORES",
    "REPORT_MAJORITY_VOTE",
    "RESCORE_NORMALISED_DICT",
    "THINK_SUFFIX",
    "VerdictMethod",
]

# The rules, as Verdict.method names them. A rule's name plus THINK_SUFFIX means the verdict
# was found only inside <think> blocks.
Method = Literal[
    "json",  # a JSON object that json.loads accepts as is
    "json_lenient",  # quotes, commas, keys or case repaired
    "json_truncated",  # object cut off; its complete pairs used
    "key_value_lines",  # "Accuracy: A" lines, bold lists, YAML, headings with a winner line
    "key_value_list",  # "accuracy=A, relevance=B, ..." on one line
    "markdown_table",  # | Accuracy | A | rows, or transposed
    "marks",  # a check mark under one answer's column: | Accuracy | ✅ | ❌ |
    "scores",  # the higher of two scores per dimension (JSON, lines or tables)
    "prose",  # sentences: "B is more accurate", "For creativity I lean towards A", "在全面性上B胜出"
    "lone_verdict",  # a single overall verdict: [[A]], Winner: B, \boxed{B}, a bare letter
    "none",  # nothing was read (status "unparseable")
]
VerdictMethod = Literal[
    "json", "json_lenient", "json_truncated", "key_value_lines", "key_value_list", "markdown_table", "marks",
    "scores", "prose", "lone_verdict", "none",
    "json+think", "json_lenient+think", "json_truncated+think", "key_value_lines+think", "key_value_list+think",
    "markdown_table+think", "marks+think", "scores+think", "prose+think", "lone_verdict+think",
    # Set by `med-rewardbench rescore` for the paper pipeline's already-normalised verdict dicts.
    "normalised_dict",
    # Set by `med-rewardbench report --vote` for the majority verdict of several judges.
    "majority_vote",
]  # fmt: skip

METHOD_JSON: Final = "json"
METHOD_JSON_LENIENT: Final = "json_lenient"
METHOD_JSON_TRUNCATED: Final = "json_truncated"
METHOD_KEY_VALUE_LINES: Final = "key_value_lines"
METHOD_KEY_VALUE_LIST: Final = "key_value_list"
METHOD_MARKDOWN_TABLE: Final = "markdown_table"
METHOD_MARKS: Final = "marks"
METHOD_SCORES: Final = "scores"
METHOD_PROSE: Final = "prose"
METHOD_LONE_VERDICT: Final = "lone_verdict"
METHOD_NONE: Final = "none"
RESCORE_NORMALISED_DICT: Final = "normalised_dict"
REPORT_MAJORITY_VOTE: Final = "majority_vote"
METHODS: Final[tuple[str, ...]] = get_args(Method)
THINK_SUFFIX: Final = "+think"
