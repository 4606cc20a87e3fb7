"""The reference judges: deterministic, readable by the parser, and judging only what they are shown."""

from __future__ import annotations

import json

import pytest

from med_rewardbench_tasks.baselines import (
    STRATEGIES,
    UNREADABLE_PROMPT_OUTPUT,
    baseline_output,
    check_strategy,
)
from med_rewardbench_tasks.constants import DIMENSIONS
from med_rewardbench_tasks.parsing import parse_verdict
from med_rewardbench_tasks.prompts import build_judge_prompt

SHORT, LONG = "Normal.", "A 3 mm calcified nodule in the right upper lobe."


def winners(output: str) -> set[str]:
    record = json.loads(output)
    return {record[dimension] for dimension in DIMENSIONS}


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_every_strategy_answers_in_the_requested_format(strategy: str) -> None:
    output = baseline_output(check_strategy(strategy), build_judge_prompt("Q?", SHORT, LONG))
    verdict = parse_verdict(output)
    assert verdict.status == "ok"
    assert verdict.reason is not None and verdict.reason.startswith(f"baseline {strategy}")


def test_fixed_strategies() -> None:
    prompt = build_judge_prompt("Q?", SHORT, LONG)
    assert winners(baseline_output("always_a", prompt)) == {"A"}
    assert winners(baseline_output("always_b", prompt)) == {"B"}


@pytest.mark.parametrize(
    ("answer_a", "answer_b", "expected"),
    [
        pytest.param(LONG, SHORT, "A", id="a-longer"),
        pytest.param(SHORT, LONG, "B", id="b-longer"),
        pytest.param("Same.", "Same.", "A", id="tie-goes-to-a"),
        pytest.param("  Short.   \n\n\n", "Longer one.", "B", id="surrounding-whitespace-does-not-count"),
    ],
)
def test_longer_answer(answer_a: str, answer_b: str, expected: str) -> None:
    assert winners(baseline_output("longer_answer", build_judge_prompt("Q?", answer_a, answer_b))) == {expected}


def test_longer_answer_without_a_judge_prompt_gives_no_verdict() -> None:
    output = baseline_output("longer_answer", "Describe the image.")
    assert output == UNREADABLE_PROMPT_OUTPUT
    assert parse_verdict(output).status == "unparseable"


def test_random_is_deterministic_per_case_and_seed() -> None:
    prompts = [build_judge_prompt(f"Question {i}?", SHORT, LONG) for i in range(400)]
    first = [baseline_output("random", p, seed=0) for p in prompts]
    assert first == [baseline_output("random", p, seed=0) for p in reversed(prompts)][::-1]
    assert first != [baseline_output("random", p, seed=1) for p in prompts]
    a_share = sum(json.loads(o)[d] == "A" for o in first for d in DIMENSIONS) / (len(first) * len(DIMENSIONS))
    assert 0.45 < a_share < 0.55


def test_random_draws_the_swapped_presentation_independently() -> None:
    original = build_judge_prompt("Q?", SHORT, LONG)
    swapped = build_judge_prompt("Q?", LONG, SHORT)
    assert baseline_output("random", original) != baseline_output("random", swapped)


def test_unknown_strategy_is_refused() -> None:
    with pytest.raises(
        ValueError, match=r"unknown baseline strategy 'coin'.*always_a, always_b, random, longer_answer"
    ):
        check_strategy("coin")
