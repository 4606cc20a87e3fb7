"""Reference judges that need no model: the rows every real judge should beat.

Each strategy judges only what a judge is shown, so it behaves the same on every task
variant, swapped orders included, and answers in the JSON format the prompt asks for.
``longer_answer`` measures the two answers as shown (A first); given only a rendered prompt,
it recovers them from the prompt's markers, which an answer that quotes those markers can
fool, so callers that have the answers themselves pass them.
"""

from __future__ import annotations

import hashlib
import json
from typing import Final, Literal, get_args

from med_rewardbench_tasks.constants import DIMENSIONS, Dimension, Winner
from med_rewardbench_tasks.prompts import read_judge_prompt

BaselineStrategy = Literal["always_a", "always_b", "random", "longer_answer"]
STRATEGIES: Final[tuple[BaselineStrategy, ...]] = get_args(BaselineStrategy)

UNREADABLE_PROMPT_OUTPUT: Final = "I cannot find the two assistant answers in this prompt, so I give no verdict."


def check_strategy(strategy: str) -> BaselineStrategy:
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown baseline strategy {strategy!r}; choose one of {', '.join(STRATEGIES)}")
    return strategy  # type: ignore[return-value]


def _seeded_letters(prompt: str, seed: int) -> dict[Dimension, Winner]:
    # One hash of (seed, prompt): the same case gets the same draw in every run, rank and
    # batch order, and the swapped presentation of a case is an independent draw.
    digest = hashlib.sha256(f"{seed}\x00{prompt}".encode()).digest()
    return {dimension: ("A" if digest[i] & 1 == 0 else "B") for i, dimension in enumerate(DIMENSIONS)}


def longer_answer_verdict(answer_a: str, answer_b: str) -> tuple[dict[Dimension, Winner], str]:
    """All six dimensions to the longer answer (surrounding whitespace not counted)."""
    length_a, length_b = len(answer_a.strip()), len(answer_b.strip())
    # Ties go to A: deterministic, and on real data equal lengths are rare.
    winner: Winner = "A" if length_a >= length_b else "B"
    return dict.fromkeys(DIMENSIONS, winner), f"picks the longer answer ({length_a} vs {length_b} characters)"


def baseline_verdict(
    strategy: BaselineStrategy, prompt: str, *, seed: int = 0, answers: tuple[str, str] | None = None
) -> tuple[dict[Dimension, Winner], str] | None:
    """Winners and a one-line reason, or None when a strategy needs the answers and has none.

    ``answers`` are the answers as shown, A first; without them ``longer_answer`` reads them
    back from the prompt.
    """
    if strategy == "always_a":
        return dict.fromkeys(DIMENSIONS, "A"), "always picks A"
    if strategy == "always_b":
        return dict.fromkeys(DIMENSIONS, "B"), "always picks B"
    if strategy == "random":
        return _seeded_letters(prompt, seed), f"seeded coin flip per dimension (seed {seed})"
    if answers is not None:
        return longer_answer_verdict(*answers)
    shown = read_judge_prompt(prompt)
    if shown is None:
        return None
    return longer_answer_verdict(shown.answer_a, shown.answer_b)


def baseline_output(
    strategy: BaselineStrategy, prompt: str, *, seed: int = 0, answers: tuple[str, str] | None = None
) -> str:
    """The judge output text: the verdict JSON the prompt requests."""
    verdict = baseline_verdict(strategy, prompt, seed=seed, answers=answers)
    if verdict is None:
        return UNREADABLE_PROMPT_OUTPUT
    choices, reason = verdict
    return json.dumps({**choices, "reason": f"baseline {strategy}: {reason}"})
