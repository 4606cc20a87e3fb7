"""Swap tasks through the real CLI: every case twice, and the position-bias identities on real runs."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from med_rewardbench_tasks.metric_names import HEADLINE_METRICS, SWAP_TASK_METRICS
from tests.conftest import DIMENSIONS, run_lmms_eval, share
from tests.openai_stub import serve_chat_completions

pytestmark = pytest.mark.integration

SWAP = ["--tasks", "med_rewardbench_sample_swap"]


def test_always_a_judge_is_maximally_position_biased(tmp_path, sample_truth) -> None:
    run = run_lmms_eval(["--model", "med_rewardbench_baseline", "--model_args", "strategy=always_a", *SWAP], tmp_path)
    n = len(sample_truth)
    assert run.results["n-samples"]["med_rewardbench_sample_swap"]["effective"] == 2 * n
    logged = run.samples["med_rewardbench_sample_swap"]
    orders = Counter((json.loads(s["target"])["organ"], json.loads(s["target"])["question_id"]) for s in logged)
    assert len(orders) == n and set(orders.values()) == {2}
    metrics = run.metrics("med_rewardbench_sample_swap")
    a_rates = [share(sample_truth, lambda case, d=dimension: case.labels[d] == "A") for dimension in DIMENSIONS]
    for dimension, a_rate in zip(DIMENSIONS, a_rates, strict=True):
        assert metrics[f"{dimension}_acc"] == pytest.approx(a_rate)
    assert metrics["mean_acc"] == pytest.approx(sum(a_rates) / 6)
    assert metrics["mean_swapped_acc"] == pytest.approx(1 - sum(a_rates) / 6)
    assert metrics["mean_consistency"] == 0.0
    assert metrics["mean_first_position_bias"] == 1.0
    assert metrics["mean_second_position_bias"] == 0.0
    assert metrics["mean_strict_acc"] == 0.0
    assert metrics["parse_failure_rate"] == 0.0


def test_always_right_judge_is_consistent_and_follows_the_experts(tmp_path, sample_truth) -> None:
    by_answers = {(case.answer1_text, case.answer2_text): case for case in sample_truth}

    def right_verdict(text: str) -> str:
        for (first, second), case in by_answers.items():
            if first in text and second in text:
                shown_first_is_answer1 = text.index(first) < text.index(second)
                winners = {
                    d: (w if shown_first_is_answer1 else {"A": "B", "B": "A"}[w]) for d, w in case.labels.items()
                }
                return json.dumps({**winners, "reason": "knows the labels"})
        raise AssertionError("unknown case")

    with serve_chat_completions(right_verdict) as server:
        model_args = f"model=oracle,base_url={server.base_url},api_key=sk-test,num_concurrent=4"
        run = run_lmms_eval(["--model", "openai", "--model_args", model_args, *SWAP], tmp_path)
    assert len(server.requests) == 2 * len(sample_truth)
    metrics = run.metrics("med_rewardbench_sample_swap")
    for dimension in DIMENSIONS:
        assert metrics[f"{dimension}_acc"] == 1.0
    for name in ("mean_acc", "mean_swapped_acc", "mean_strict_acc", "mean_consistency"):
        assert metrics[name] == 1.0
    assert metrics["mean_first_position_bias"] == metrics["mean_second_position_bias"] == 0.0


def test_each_task_reports_its_few_numbers_with_lmms_evals_stderr(tmp_path, sample_truth) -> None:
    run = run_lmms_eval(
        [
            "--model",
            "med_rewardbench_baseline",
            "--model_args",
            "strategy=random,seed=5",
            "--tasks",
            "med_rewardbench_sample,med_rewardbench_sample_swap",
        ],
        tmp_path,
    )
    n = len(sample_truth)
    plain, swap = run.metrics("med_rewardbench_sample"), run.metrics("med_rewardbench_sample_swap")
    reported = lambda metrics: {key for key in metrics if "_stderr" not in key}  # noqa: E731
    assert reported(plain) == set(HEADLINE_METRICS)
    assert reported(swap) == set(SWAP_TASK_METRICS)
    for name in HEADLINE_METRICS:
        assert isinstance(plain[f"{name}_stderr"], float) and isinstance(plain[f"{name}_stderr_clt"], float)
    for name, source in SWAP_TASK_METRICS.items():
        # Means over per-doc values get lmms-eval's stderr; the paired figures cannot (see the template).
        assert (swap[f"{name}_stderr"] == "N/A") == (source == "pair"), name
    # Original-order metrics are means over the cases: the same numbers as the plain task's.
    for name in HEADLINE_METRICS[:-1]:
        assert swap[name] == plain[name] and swap[f"{name}_stderr"] == plain[f"{name}_stderr"]
    assert run.results["n-samples"]["med_rewardbench_sample_swap"]["effective"] == 2 * n
    logged = run.samples["med_rewardbench_sample_swap"]
    rows = [line for line in run.output.splitlines() if line.startswith("|med_rewardbench_sample")]
    assert len([row for row in rows if row.startswith("|med_rewardbench_sample ")]) == 8
    assert len([row for row in rows if row.startswith("|med_rewardbench_sample_swap")]) == 13
    # A logged sample carries each paired metric's judgment record once, and nothing bigger.
    assert all(len(json.dumps(sample["mean_consistency"])) < 100 for sample in logged)
