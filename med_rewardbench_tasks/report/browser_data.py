"""The case browser's data: every judge's verdicts on every case, with one copy of each case's content.

The page receives two JSON blocks. ``cases`` holds, compactly, what the script needs:

* ``cases``: one entry per case (whatever the number of judges and orders): organ,
  question_id, department, question, the two answers, the index of its image (or -1), a
  note when something could not be read, the prompt as logged (only when the texts could
  not be read from the data) and the index of its data source;
* ``verdicts``: per judge, one array per presentation: case index, kind (0 plain task,
  1 swap task in the original order, 2 swap task with the answers exchanged), the experts'
  winners and the judge's picks in the letters shown (six characters, ``-`` = unstated), the
  parse status and method, the parser's note, and the raw output.

``images`` is a separate array of base64 JPEG previews, parsed only when a page of cases is
first shown. Everything here is data: the page only ever inserts it as text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

from med_rewardbench_tasks.constants import DIMENSIONS, ORGANS
from med_rewardbench_tasks.report.case_data import SAMPLE_SOURCE, CaseContent, SourceChoice
from med_rewardbench_tasks.report.evaluations import Evaluation
from med_rewardbench_tasks.runs import LoggedSample

CaseId = tuple[str, str, str]  # (source key, organ, question_id)
KIND_PLAIN: Final = 0
KIND_SWAP_ORIGINAL: Final = 1
KIND_SWAP_SWAPPED: Final = 2
_ORGAN_ORDER: Final = {organ: index for index, organ in enumerate(ORGANS)}
_FLIP: Final = {"A": "B", "B": "A"}


def source_key(evaluation: Evaluation, sample: LoggedSample) -> str:
    return SAMPLE_SOURCE if evaluation.dataset == SAMPLE_SOURCE else (sample.source or "")


def case_id(evaluation: Evaluation, sample: LoggedSample) -> CaseId:
    return (source_key(evaluation, sample), *sample.presentation.case_key)


def wanted_cases(judges: Sequence[Evaluation]) -> dict[tuple[str, str], frozenset[str]]:
    """(source key, organ) -> the question ids some judge was shown."""
    wanted: dict[tuple[str, str], set[str]] = {}
    for evaluation in judges:
        for sample in evaluation.samples:
            key, organ, qid = case_id(evaluation, sample)
            wanted.setdefault((key, organ), set()).add(qid)
    return {where: frozenset(ids) for where, ids in wanted.items()}


def _natural(text: str) -> tuple[Any, ...]:
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text))


def _letters(choices: Mapping[str, str | None]) -> str:
    return "".join(choices.get(dimension) or "-" for dimension in DIMENSIONS)


def _original_letters(sample: LoggedSample) -> str:
    shown = _letters(sample.presentation.expert)
    return shown if sample.presentation.order == "original" else "".join(_FLIP[letter] for letter in shown)


def browser_payload(
    judges: Sequence[Evaluation],
    contents: Mapping[CaseId, CaseContent],
    choices: Mapping[str, SourceChoice],
) -> tuple[dict[str, Any], list[str]]:
    """The page's data (as a JSON-ready object) and its image list."""
    first_seen: dict[CaseId, tuple[Evaluation, LoggedSample]] = {}
    for evaluation in judges:
        for sample in evaluation.samples:
            identity = case_id(evaluation, sample)
            known = first_seen.get(identity)
            # The original order's prompt is the one to show when the data cannot be read.
            if known is None or (known[1].presentation.order != "original" and sample.presentation.order == "original"):
                first_seen[identity] = (evaluation, sample)
    ordered = sorted(first_seen, key=lambda c: (c[0], _ORGAN_ORDER.get(c[1], len(ORGANS)), c[1], _natural(c[2])))
    index = {identity: position for position, identity in enumerate(ordered)}
    source_names = list(dict.fromkeys(identity[0] for identity in ordered))
    images: list[str] = []
    cases = []
    for identity in ordered:
        content = contents.get(identity, CaseContent(note="the case's texts and image were not read (--no-case-data)"))
        _, sample = first_seen[identity]
        note = content.note
        if content.labels is not None and content.labels != _original_letters(sample):
            note = (
                "the data read here give different expert winners than the run logged: the data changed since "
                "the run, so the texts and image may not be what the judge saw"
            )
        image = -1
        if content.image is not None:
            image = len(images)
            images.append(content.image)
        cases.append(
            [
                identity[1],
                identity[2],
                sample.presentation.department,
                content.question,
                content.answer1,
                content.answer2,
                image,
                note,
                sample.prompt if content.question is None else None,
                source_names.index(identity[0]),
            ]
        )
    verdicts = []
    for evaluation in judges:
        rows = []
        for kind_of, samples in ((None, evaluation.plain), (KIND_SWAP_ORIGINAL, evaluation.swap)):
            for sample in samples:
                kind = KIND_PLAIN if kind_of is None else kind_of
                if kind == KIND_SWAP_ORIGINAL and sample.presentation.order == "swapped":
                    kind = KIND_SWAP_SWAPPED
                verdict = sample.verdict
                rows.append(
                    [
                        index[case_id(evaluation, sample)],
                        kind,
                        _letters(sample.presentation.expert),
                        _letters(verdict.choices),
                        verdict.status,
                        verdict.method,
                        verdict.note,
                        sample.raw_output,
                    ]
                )
        verdicts.append(rows)
    payload = {
        "dimensions": list(DIMENSIONS),
        "judges": [{"label": evaluation.label, "dataset": evaluation.dataset} for evaluation in judges],
        "sources": [choices[name].description if name in choices else name for name in source_names],
        "cases": cases,
        "verdicts": verdicts,
    }
    return payload, images


_SCRIPT_UNSAFE: Final = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


def script_json(value: Any) -> str:
    """JSON to place inside ``<script type="application/json">``: no ``<`` can close the element.

    Every ``<``, ``>`` and ``&`` is written as a JSON escape, which parses back to the same
    character, so a judge output such as ``</script><script>...`` stays a string.
    """
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).translate(_SCRIPT_UNSAFE)
