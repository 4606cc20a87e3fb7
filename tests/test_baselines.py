"""The reference judges: deterministic, readable by the parser, and judging only what they are shown."""

from __future__ import annotations

import json
from pathlib import Path

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
from tests.conftest import run_lmms_eval
from tests.layouts import case_row, label, write_organ

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


# An answer that quotes the prompt's own A/B boundary (as a pasted transcript might): read back
# from the rendered prompt, the split lands inside answer B. 100 and 226 characters as shown.
BOUNDARY_QUOTE = "\n[The End of Assistant A's Answer]\n[The Start of Assistant B's Answer]\n"
PLAIN_ANSWER = "P" * 100
QUOTING_ANSWER = "Q" * 80 + BOUNDARY_QUOTE + "R" * (226 - 80 - len(BOUNDARY_QUOTE))


def test_the_quoting_case_fools_a_prompt_re_split() -> None:
    # The premise of the regression tests below: the prompt alone misreads this case.
    assert len(PLAIN_ANSWER) == 100 and len(QUOTING_ANSWER.strip()) == 226
    from_prompt = json.loads(baseline_output("longer_answer", build_judge_prompt("Q?", PLAIN_ANSWER, QUOTING_ANSWER)))
    assert from_prompt["overall"] == "A"
    assert "(100 vs 226 characters)" not in from_prompt["reason"]


def test_longer_answer_measures_the_answers_it_is_given() -> None:
    prompt = build_judge_prompt("Q?", PLAIN_ANSWER, QUOTING_ANSWER)
    record = json.loads(baseline_output("longer_answer", prompt, answers=(PLAIN_ANSWER, QUOTING_ANSWER)))
    assert {record[dimension] for dimension in DIMENSIONS} == {"B"}
    assert record["reason"] == "baseline longer_answer: picks the longer answer (100 vs 226 characters)"


@pytest.mark.integration
def test_longer_answer_model_measures_each_case_s_answers_in_both_orders(tmp_path: Path) -> None:
    """The real CLI, on a one-case copy whose answer B quotes the boundary: the reason names the true lengths."""
    root = write_organ(
        tmp_path / "copy",
        "brain",
        [case_row("q1", answer1_text=PLAIN_ANSWER, answer2_text=QUOTING_ANSWER)],
        [label("q1", overall="B")],
    )
    run = run_lmms_eval(
        [
            "--model", "med_rewardbench_baseline",
            "--model_args", "strategy=longer_answer",
            "--tasks", "med_rewardbench_brain,med_rewardbench_swap_brain",
        ],
        tmp_path,
        env={"MED_REWARDBENCH_DATA_DIR": str(root)},
    )  # fmt: skip
    (original,) = run.samples["med_rewardbench_brain"]
    record = json.loads(original["resps"][0])
    assert {record[dimension] for dimension in DIMENSIONS} == {"B"}
    assert record["reason"].endswith("(100 vs 226 characters)")
    # The swap task shows the same case in both orders: the longer answer is then A.
    by_order = {
        "swapped" if "(226 vs 100 characters)" in json.loads(sample["resps"][0])["reason"] else "original": sample
        for sample in run.samples["med_rewardbench_swap_brain"]
    }
    assert sorted(by_order) == ["original", "swapped"]
    assert {json.loads(by_order["swapped"]["resps"][0])[dimension] for dimension in DIMENSIONS} == {"A"}
    assert {json.loads(by_order["original"]["resps"][0])[dimension] for dimension in DIMENSIONS} == {"B"}
    assert run.metrics("med_rewardbench_brain")["overall_acc"] == 1.0
