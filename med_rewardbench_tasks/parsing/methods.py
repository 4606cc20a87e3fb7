"""The closed set of rule names a :class:`~.verdict.Verdict` reports as its ``method``."""

from __future__ import annotations

from typing import Final

__all__ = [
    "METHODS",
    "METHOD_JSON",
    "METHOD_JSON_LENIENT",
    "METHOD_JSON_TRUNCATED",
    "METHOD_KEY_VALUE_LINES",
    "METHOD_KEY_VALUE_LIST",
    "METHOD_LONE_VERDICT",
    "METHOD_MARKDOWN_TABLE",
    "METHOD_NONE",
    "THINK_SUFFIX",
]

METHOD_JSON: Final = "json"  # a JSON object that json.loads accepts as is
METHOD_JSON_LENIENT: Final = "json_lenient"  # quotes, commas, keys or case repaired
METHOD_JSON_TRUNCATED: Final = "json_truncated"  # object cut off; its complete pairs used
METHOD_KEY_VALUE_LINES: Final = "key_value_lines"  # "Accuracy: A" lines, bold lists, YAML
METHOD_KEY_VALUE_LIST: Final = "key_value_list"  # "accuracy=A, relevance=B, ..." on a line
METHOD_MARKDOWN_TABLE: Final = "markdown_table"  # | Accuracy | A | rows, or transposed
METHOD_LONE_VERDICT: Final = "lone_verdict"  # a single overall verdict: [[A]], Winner: B
METHOD_NONE: Final = "none"
METHODS: Final[tuple[str, ...]] = (
    METHOD_JSON,
    METHOD_JSON_LENIENT,
    METHOD_JSON_TRUNCATED,
    METHOD_KEY_VALUE_LINES,
    METHOD_KEY_VALUE_LIST,
    METHOD_MARKDOWN_TABLE,
    METHOD_LONE_VERDICT,
    METHOD_NONE,
)
# Appended to a method when the verdict could only be found inside <think> blocks.
THINK_SUFFIX: Final = "+think"
