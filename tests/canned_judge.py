"""A judge for the OpenAI stub whose replies differ by organ system, deterministically.

Organ systems behave differently on purpose, so that per-organ values differ and a wrong
group aggregation shows: ``eye`` never states a winner (an outage), ``brain`` always picks
the answer shown first, ``chest`` gives a lone ``[[B]]``, and the others give JSON verdicts
drawn from the case and the order shown, with a share of ties and missing dimensions that
grows with the organ's place in ``ORGANS``. The same prompt always gets the same reply.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence
from typing import Protocol

from med_rewardbench_tasks.constants import DIMENSIONS, ORGANS

SILENT_ORGAN = "eye"
FIRST_POSITION_ORGAN = "brain"
LONE_VERDICT_ORGAN = "chest"


class Case(Protocol):  # what the judge reads of a case (conftest.TruthCase has it)
    organ: str
    question_id: str
    answer1_text: str
    answer2_text: str


def canned_judge(cases: Sequence[Case]) -> Callable[[str], str]:
    def reply_for(text: str) -> str:
        matches = [case for case in cases if case.answer1_text in text and case.answer2_text in text]
        assert len(matches) == 1, "the stub must recognise every case from its prompt"
        [case] = matches
        swapped = text.index(case.answer2_text) < text.index(case.answer1_text)
        if case.organ == SILENT_ORGAN:
            return "I cannot compare these answers."
        if case.organ == LONE_VERDICT_ORGAN:
            return "Both have merit. My final verdict: [[B]]"
        if case.organ == FIRST_POSITION_ORGAN:
            return json.dumps({**dict.fromkeys(DIMENSIONS, "A"), "reason": "the first one"})
        draw = random.Random(f"{case.organ}/{case.question_id}/{swapped}")
        lapse = ORGANS.index(case.organ) / (6 * len(ORGANS))  # per dimension: 0 .. ~0.15, by organ
        verdict = {}
        for dimension in DIMENSIONS:
            roll = draw.random()
            if roll < lapse / 2:
                continue  # not stated
            verdict[dimension] = "tie" if roll < lapse else draw.choice("AB")
        return json.dumps({**verdict, "reason": "drawn"})

    return reply_for
