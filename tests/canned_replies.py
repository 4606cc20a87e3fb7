"""Judge replies of known shapes, each with what a careful reader sees in it (the harness tests send them).

A test picks the shapes its harness must read (:data:`LMMS_EVAL_SHAPES`, :data:`VLMEVALKIT_SHAPES`)
and :func:`canned_reply` cycles through them case by case.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Final

from tests.conftest import TruthCase

# The reply, the winners a careful reader sees in it, and whether it leaves a dimension unread.
Reply = tuple[str, dict[str, str | None], bool]

_TEMPLATE_ECHO: Final = (
    '{"accuracy":"A|B","relevance":"A|B","comprehensiveness":"A|B","creativity":"A|B",'
    '"responsiveness":"A|B","overall":"A|B","reason":"brief explanation"}'
)


def _flipped(correct: Mapping[str, str]) -> dict[str, str | None]:
    return {d: ("B" if w == "A" else "A") for d, w in correct.items()}


def _think_list(correct: Mapping[str, str]) -> Reply:
    lines = "\n".join(f"- **{d.capitalize()}**: Assistant {w}" for d, w in correct.items())
    return f"<think>Compare both answers.</think>\nMy evaluation:\n{lines}", dict(correct), False


def _lone(winner: str) -> Callable[[Mapping[str, str]], Reply]:
    return lambda correct: (f"After weighing both answers, my final verdict: [[{winner}]]", {"overall": winner}, True)


def _tie(dimension: str) -> Callable[[Mapping[str, str]], Reply]:
    return lambda correct: (
        json.dumps({**correct, dimension: "tie"}),
        {**correct, dimension: None},
        True,
    )


SHAPES: Final[Mapping[str, Callable[[Mapping[str, str]], Reply]]] = {
    "json": lambda correct: (json.dumps({**correct, "reason": "matches the image"}), dict(correct), False),
    "fenced_json_flipped": lambda correct: (
        "```json\n" + json.dumps(_flipped(correct), indent=2) + "\n```",
        _flipped(correct),
        False,
    ),
    "think_then_list": _think_list,
    "echoed_template": lambda correct: (_TEMPLATE_ECHO, {}, True),
    "lone_a": _lone("A"),
    "lone_b": _lone("B"),
    "empty": lambda correct: ("", {}, True),  # an empty cell in a spreadsheet
    "creativity_tie": _tie("creativity"),
    "relevance_tie": _tie("relevance"),
}
LMMS_EVAL_SHAPES: Final = (
    "json",
    "fenced_json_flipped",
    "think_then_list",
    "echoed_template",
    "lone_b",
    "creativity_tie",
)
VLMEVALKIT_SHAPES: Final = ("json", "fenced_json_flipped", "lone_a", "empty", "relevance_tie")


def canned_reply(case: TruthCase, index: int, shapes: Sequence[str]) -> Reply:
    """The reply of shape ``shapes[index % len(shapes)]`` to ``case``."""
    return SHAPES[shapes[index % len(shapes)]](dict(case.labels))
