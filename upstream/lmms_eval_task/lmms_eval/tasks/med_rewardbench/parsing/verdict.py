"""The front of the parser: :func:`parse_verdict` and the :class:`Verdict` it returns.

It splits the output into what the judge said and thought (:mod:`.text`), finds and
decides the verdict of each part (:mod:`.assemble`: objects, lines, prose, corrections)
and turns the chosen candidate into a Verdict with its status and notes.
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal, cast, get_args

from ..constants import DIMENSIONS, WINNERS, Dimension, Winner
from .assemble import decide, find
from .lexicon import lexicon
from .methods import METHOD_NONE, THINK_SUFFIX, VerdictMethod
from .model import Candidate, Findings
from .text import split_think

__all__ = [
    "DEFAULT_LONE_VERDICT",
    "LONE_VERDICT_POLICIES",
    "REQUEST_FAILED_PREFIX",
    "LoneVerdictPolicy",
    "ParseStatus",
    "Verdict",
    "parse_verdict",
    "unreadable_verdict",
    "verdict_status",
]

ParseStatus = Literal["ok", "partial", "unparseable"]
LoneVerdictPolicy = Literal["overall_only", "all_dimensions"]
LONE_VERDICT_POLICIES: Final[tuple[LoneVerdictPolicy, ...]] = get_args(LoneVerdictPolicy)
# What a lone overall verdict ("[[A]]") fills unless a task, a rescore or an adapter says
# otherwise: only `overall`. The paper's parser uses "all_dimensions".
DEFAULT_LONE_VERDICT: Final[LoneVerdictPolicy] = "overall_only"

# lmms-eval's marker for a request that never produced model output.
REQUEST_FAILED_PREFIX: Final = "[LMMS_EVAL_REQUEST_FAILED"
_REQUEST_FAILED_NOTE_CHARS: Final = 200
_VERDICT_METHODS: Final = frozenset(get_args(VerdictMethod))


@dataclass(frozen=True)
class Verdict:
    """What a judge decided, per dimension, and how the parser found (or missed) it."""

    choices: Mapping[Dimension, Winner | None]
    status: ParseStatus
    method: VerdictMethod
    reason: str | None = None
    note: str | None = None

    def __post_init__(self) -> None:
        # Freeze the mapping in DIMENSIONS order whatever the caller passed, so equal
        # verdicts compare (and serialise) equal.
        unknown = set(self.choices) - set(DIMENSIONS)
        if unknown:
            raise ValueError(f"unknown dimensions in choices: {sorted(map(str, unknown))}")
        frozen: dict[Dimension, Winner | None] = {}
        for dim in DIMENSIONS:
            value = self.choices.get(dim)
            if value is not None and value not in WINNERS:
                raise ValueError(f"choice for {dim} must be 'A', 'B' or None, not {value!r}")
            frozen[dim] = value
        if self.method not in _VERDICT_METHODS:
            raise ValueError(f"method must be one of {sorted(_VERDICT_METHODS)}, not {self.method!r}")
        object.__setattr__(self, "choices", types.MappingProxyType(frozen))

    def __hash__(self) -> int:
        return hash((tuple(self.choices.items()), self.status, self.method, self.reason, self.note))

    @property
    def decided(self) -> int:
        """Number of dimensions with a winner."""
        return sum(1 for value in self.choices.values() if value is not None)

    def to_dict(self) -> dict[str, object]:
        """A JSON-serialisable copy (choices keep DIMENSIONS order)."""
        return {
            "choices": dict(self.choices),
            "status": self.status,
            "method": self.method,
            "reason": self.reason,
            "note": self.note,
        }


def verdict_status(choices: Mapping[Dimension, Winner | None]) -> ParseStatus:
    """``ok`` with a winner on all six dimensions, ``partial`` with some, ``unparseable`` with none."""
    decided = sum(1 for dim in DIMENSIONS if choices.get(dim) is not None)
    if decided == len(DIMENSIONS):
        return "ok"
    return "partial" if decided else "unparseable"


def unreadable_verdict(note: str) -> Verdict:
    """A verdict with no winner at all; ``note`` says why (failed request, missing prediction, ...)."""
    return Verdict(choices={}, status="unparseable", method=METHOD_NONE, reason=None, note=note)


def _verdict_from(candidate: Candidate, policy: LoneVerdictPolicy, suffix: str) -> Verdict:
    choices = dict(candidate.choices)
    notes = list(candidate.notes)
    if candidate.kind == "lone":
        notes = []
        if policy == "all_dimensions":
            choices = {dim: choices["overall"] for dim in DIMENSIONS}
        else:
            notes.append("lone overall verdict; the other dimensions were not stated")
    else:
        notes.extend(f"no value for {dim}" for dim in DIMENSIONS if choices[dim] is None and dim not in candidate.noted)
    status = verdict_status(choices)
    return Verdict(
        choices=choices,
        status=status,
        # A candidate whose every winner was withdrawn (a contradiction left unresolved, a tie)
        # states no verdict: no rule read one.
        method=METHOD_NONE if status == "unparseable" else cast(VerdictMethod, candidate.method + suffix),
        reason=candidate.reason or None,
        note=None if status == "ok" else ("; ".join(notes) or None),
    )


def _failure_note(findings: list[Findings], had_think: bool) -> str:
    candidates = [c for found in findings for c in found.candidates]
    if any(c.template for c in candidates):
        return "format template echoed without a verdict"
    notes: list[str] = []
    for candidate in candidates:
        for note in candidate.notes:
            if note not in notes:
                notes.append(note)
    if notes:
        return "; ".join(notes[:8])
    if any(found.refusal for found in findings):
        return "judge declined to give a verdict"
    if any(found.cut_off for found in findings):
        return "output cut off inside the verdict object before its first complete pair"
    if had_think:
        return "no verdict found outside or inside the think block"
    return "no verdict found"


def _parse(text: object, policy: LoneVerdictPolicy) -> Verdict:
    if not isinstance(text, str):
        return unreadable_verdict(f"judge output is not a string (got {type(text).__name__})")
    stripped = text.strip()
    if stripped.startswith(REQUEST_FAILED_PREFIX):
        return unreadable_verdict(f"judge request failed: {stripped[:_REQUEST_FAILED_NOTE_CHARS]}")
    if not stripped:
        return unreadable_verdict("empty output")
    said, thought = split_think(text)
    outside = find(said)
    chosen = decide(outside)
    if chosen is not None:
        return _verdict_from(chosen, policy, "")
    if thought.strip():
        inside = find(thought)
        chosen = decide(inside, thinking=True)
        if chosen is not None:
            return _verdict_from(chosen, policy, THINK_SUFFIX)
        return unreadable_verdict(_failure_note([outside, inside], had_think=True))
    return unreadable_verdict(_failure_note([outside], had_think=False))


def parse_verdict(text: str, *, lone_verdict: LoneVerdictPolicy = DEFAULT_LONE_VERDICT) -> Verdict:
    """Read a judge's verdict from its raw output. Never raises on any ``text``.

    ``lone_verdict`` decides what a lone overall verdict ("[[A]]", "Final verdict: B")
    fills: only ``overall`` (default), or all six dimensions as the paper's parser does.
    An unknown policy is a programming error and raises ``ValueError``; a missing or
    malformed vocabulary file (``aliases.json``, package data) is a broken install and
    raises :class:`~.lexicon.LexiconError` naming the file and the field.
    """
    if lone_verdict not in ("overall_only", "all_dimensions"):
        raise ValueError(f"lone_verdict must be 'overall_only' or 'all_dimensions', not {lone_verdict!r}")
    lexicon()  # a missing or broken aliases.json is a broken install: say so, never "unparseable"
    try:
        return _parse(text, lone_verdict)
    except Exception as error:
        return unreadable_verdict(f"parser error ({type(error).__name__}); output treated as unparseable")
