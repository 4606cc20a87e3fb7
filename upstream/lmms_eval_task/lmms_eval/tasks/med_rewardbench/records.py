"""The one home of every form a case and a verdict take on their way through a run.

* A **doc** is one row of the benchmark in the Hub's own dataset form (``question_id``,
  ``modality_type`` — the organ system —, ``question``, ``answer1_text``, ``answer2_text``,
  ``image``, ``human_answer``), plus ``swapped`` in the swap tasks.
  :func:`presentation_of` turns it into a :class:`Presentation`: the case as the judge saw
  it, winners in the letters shown (A = shown first).
* The **presentation record** (:func:`presentation_record`) is the sample's ``target`` in
  lmms-eval's samples log: it ties a logged output back to its case.
* The **verdict record** (:func:`encode_verdict`) is what the verdict filter hands lmms-eval
  (``filtered_resps``): the parsed :class:`~.parsing.Verdict` and the lone-verdict policy it
  was read with, as ASCII JSON.
* The **judgment record** (:func:`judgment_record`) is a :class:`Judgment` as a JSON list:
  the per-doc value of the swap metrics that pair a case's two orders.

The lmms-eval hooks, ``med-rewardbench rescore`` / ``report`` and the VLMEvalKit adapter all
read and write these forms here and nowhere else. Nothing here does I/O.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal, get_args

from .constants import DIMENSIONS, WINNERS, Dimension, Winner
from .parsing import LONE_VERDICT_POLICIES, LoneVerdictPolicy, Verdict, parse_verdict

Order = Literal["original", "swapped"]
ORDERS: Final[tuple[Order, ...]] = get_args(Order)

_OTHER: Final[dict[str, Winner]] = {"A": "B", "B": "A"}
ORGAN_COLUMN: Final = "modality_type"  # the Hub dataset's name for the organ system
SWAPPED_COLUMN: Final = "swapped"
SOURCE_COLUMN: Final = "source"  # the package's own docs name the data version they came from
# Marks a filtered output as a verdict record, so it is never mistaken for a judge's own JSON.
VERDICT_RECORD_KEY: Final = "med_rewardbench_verdict"
POLICY_KEY: Final = "lone_verdict_policy"


def question_id(value: Any) -> str:
    """A ``question_id`` as text: label files, parquet files and predictions disagree on int vs str."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def swap_winner(winner: Winner | None) -> Winner | None:
    """The same answer's letter once the two answers trade places."""
    return None if winner is None else _OTHER[winner]


def letters(choices: Mapping[Dimension, Winner | None]) -> str:
    """Six winners as six characters in DIMENSIONS order (``-`` = not stated): ``"AB-AAB"``."""
    return "".join(choices.get(dimension) or "-" for dimension in DIMENSIONS)


def choices_from_letters(text: str) -> dict[Dimension, Winner | None]:
    if len(text) != len(DIMENSIONS) or set(text) - {"A", "B", "-"}:
        raise ValueError(f"expected six of A, B or -, got {text!r}")
    return {d: (None if c == "-" else c) for d, c in zip(DIMENSIONS, text, strict=True)}  # type: ignore[misc]


def writable_text(text: str) -> str:
    """``text`` as UTF-8 can carry it: a lone surrogate becomes its escape (``\\ud800``), all else is kept.

    JSON may decode to lone surrogates (``"\\ud800"`` is valid JSON), and lmms-eval's samples
    writer stops at the first string it cannot encode, losing every later case of the task.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


# ---------------------------------------------------------------------------------------
# A presentation and a judgment
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Presentation:
    """One case as a judge saw it; winners are in the letters shown (A = shown first)."""

    question_id: str
    organ: str
    order: Order
    expert: Mapping[Dimension, Winner]
    longer: Winner | None  # the longer shown answer; None when both are equally long
    department: str | None = None

    @property
    def case_key(self) -> tuple[str, str]:
        return (self.organ, self.question_id)


@dataclass(frozen=True)
class Judgment:
    """A presentation and what the judge picked on it (shown letters; None = not stated)."""

    presentation: Presentation
    choices: Mapping[Dimension, Winner | None]
    parsed: bool

    @classmethod
    def from_verdict(cls, presentation: Presentation, verdict: Verdict) -> Judgment:
        return cls(presentation, dict(verdict.choices), verdict.status == "ok")

    def correct(self, dimension: Dimension) -> bool:
        return self.choices.get(dimension) == self.presentation.expert[dimension]


# ---------------------------------------------------------------------------------------
# Docs: the Hub dataset's rows as lmms-eval hands them to the hooks
# ---------------------------------------------------------------------------------------
def is_swapped(doc: Mapping[str, Any]) -> bool:
    return bool(doc.get(SWAPPED_COLUMN))


def shown_answers(doc: Mapping[str, Any]) -> tuple[str, str]:
    """The answers in the order the judge sees them (A, B)."""
    if is_swapped(doc):
        return doc["answer2_text"], doc["answer1_text"]
    return doc["answer1_text"], doc["answer2_text"]


def shown_labels(doc: Mapping[str, Any]) -> dict[Dimension, Winner]:
    """Expert winners expressed as the letters the judge saw."""
    labels: dict[Dimension, Winner] = {dimension: doc["human_answer"][dimension] for dimension in DIMENSIONS}
    if is_swapped(doc):
        return {dimension: _OTHER[winner] for dimension, winner in labels.items()}
    return labels


def presentation_of(doc: Mapping[str, Any]) -> Presentation:
    """The case as this doc shows it to the judge."""
    answer_a, answer_b = (len(answer.strip()) for answer in shown_answers(doc))
    department = doc.get("department")
    return Presentation(
        question_id=question_id(doc["question_id"]),
        organ=str(doc[ORGAN_COLUMN]),
        order="swapped" if is_swapped(doc) else "original",
        expert=shown_labels(doc),
        longer=None if answer_a == answer_b else ("A" if answer_a > answer_b else "B"),
        department=None if department is None else str(department),
    )


# ---------------------------------------------------------------------------------------
# The presentation record (lmms-eval's `target`)
# ---------------------------------------------------------------------------------------
def presentation_record(presentation: Presentation) -> dict[str, object]:
    """JSON-ready identity of a presentation, with the expert winners in the letters shown."""
    record: dict[str, object] = {
        "question_id": presentation.question_id,
        "organ": presentation.organ,
        "order": presentation.order,
        "winners": dict(presentation.expert),
        "longer": presentation.longer,
    }
    if presentation.department is not None:
        record["department"] = presentation.department
    return record


def presentation_from_record(record: Mapping[str, object]) -> Presentation:
    """The inverse of :func:`presentation_record`; a malformed record raises ValueError."""
    if not isinstance(record, Mapping):
        raise ValueError(f"a presentation record must be an object, got {type(record).__name__}")
    missing = [key for key in ("question_id", "organ", "order", "winners") if record.get(key) is None]
    if missing:
        raise ValueError(f"presentation record lacks {', '.join(missing)}")
    order = record["order"]
    if order not in ORDERS:
        raise ValueError(f"order must be one of {ORDERS}, not {order!r}")
    winners = record["winners"]
    if not isinstance(winners, Mapping) or any(winners.get(d) not in WINNERS for d in DIMENSIONS):
        raise ValueError(f"winners must give A or B for all six dimensions, got {winners!r}")
    longer = record.get("longer")
    if longer not in (*WINNERS, None):
        raise ValueError(f"longer must be A, B or null, not {longer!r}")
    department = record.get("department")
    return Presentation(
        question_id=str(record["question_id"]),
        organ=str(record["organ"]),
        order=order,  # type: ignore[arg-type]
        expert={d: winners[d] for d in DIMENSIONS},
        longer=longer,  # type: ignore[arg-type]
        department=None if department is None else str(department),
    )


def doc_target(doc: Mapping[str, Any]) -> str:
    """The sample's ``target``: the presentation record, and the data version read when the doc names it."""
    record = presentation_record(presentation_of(doc))
    if doc.get(SOURCE_COLUMN):  # "<repo>@<commit>" or a local folder; data.provenance expands it
        record[SOURCE_COLUMN] = doc[SOURCE_COLUMN]
    return json.dumps(record)


# ---------------------------------------------------------------------------------------
# The verdict record (lmms-eval's `filtered_resps`)
# ---------------------------------------------------------------------------------------
def check_policy(policy: str) -> LoneVerdictPolicy:
    if policy not in LONE_VERDICT_POLICIES:
        raise ValueError(f"lone_verdict must be one of {', '.join(LONE_VERDICT_POLICIES)}, not {policy!r}")
    return policy  # type: ignore[return-value]


def encode_verdict(verdict: Verdict, policy: LoneVerdictPolicy) -> str:
    # ASCII JSON: whatever the judge wrote (lone surrogates included) is escaped, so
    # lmms-eval can always write the record.
    return json.dumps({VERDICT_RECORD_KEY: True, **verdict.to_dict(), POLICY_KEY: policy})


def verdict_record(filtered_output: str) -> dict[str, Any] | None:
    """The record a verdict filter wrote, or None when the output is raw judge text."""
    try:
        record = json.loads(filtered_output)
    except (TypeError, ValueError):
        return None
    return record if isinstance(record, dict) and record.get(VERDICT_RECORD_KEY) is True else None


def decode_verdict(filtered_output: str) -> Verdict:
    """The verdict a filter recorded; raw text (a task without the filter) is parsed here."""
    return verdict_of(filtered_output, verdict_record(filtered_output))


def verdict_of(filtered_output: str, record: Mapping[str, Any] | None) -> Verdict:
    """:func:`decode_verdict` for a caller that has the output's :func:`verdict_record` already."""
    if record is None:
        return parse_verdict(filtered_output)
    return Verdict(
        choices=record["choices"],
        status=record["status"],
        method=record["method"],
        reason=record["reason"],
        note=record["note"],
    )


def policy_of_record(record: Mapping[str, Any] | None) -> str | None:
    """The lone-verdict policy in a :func:`verdict_record` (None for raw text and older records)."""
    return None if record is None or record.get(POLICY_KEY) is None else str(record[POLICY_KEY])


# ---------------------------------------------------------------------------------------
# The judgment record (per-doc value of the paired swap metrics)
# ---------------------------------------------------------------------------------------
def judgment_record(judgment: Judgment) -> list[object]:
    """``[organ, question_id, order, expert letters, judge letters, parsed, longer, department]``."""
    p = judgment.presentation
    return [
        p.organ,
        p.question_id,
        p.order,
        letters(p.expert),
        letters(judgment.choices),
        int(judgment.parsed),
        p.longer or "-",
        p.department,
    ]


def judgment_from_record(record: Sequence[object]) -> Judgment:
    """The inverse of :func:`judgment_record`; a malformed record raises ValueError."""
    if len(record) != 8:
        raise ValueError(f"a judgment record has 8 fields, got {len(record)}: {record!r}")
    organ, qid, order, expert, choices, parsed, longer, department = record
    if order not in ORDERS:
        raise ValueError(f"order must be one of {ORDERS}, not {order!r}")
    if longer not in (*WINNERS, "-"):
        raise ValueError(f"longer must be A, B or -, not {longer!r}")
    if parsed not in (0, 1, True, False):
        raise ValueError(f"parsed must be 0 or 1, not {parsed!r}")
    if qid is None or organ is None:
        raise ValueError("a judgment needs its organ and question_id")
    expert_choices = choices_from_letters(str(expert))
    if None in expert_choices.values():
        raise ValueError(f"expert winners must all be A or B, got {expert!r}")
    return Judgment(
        presentation=Presentation(
            question_id=str(qid),
            organ=str(organ),
            order=order,  # type: ignore[arg-type]
            expert=expert_choices,  # type: ignore[arg-type]
            longer=None if longer == "-" else longer,  # type: ignore[arg-type]
            department=None if department is None else str(department),
        ),
        choices=choices_from_letters(str(choices)),
        parsed=bool(parsed),
    )
