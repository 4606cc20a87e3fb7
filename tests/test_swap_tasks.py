"""Swap tasks through the real CLI: every case twice, and the position-bias identities on real runs."""

from __future__ import annotations

import json
from collections import Counter

import pytest

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
    for dimension in DIMENSIONS:
        a_rate = share(sample_truth, lambda case, d=dimension: case.labels[d] == "A")
        assert metrics[f"{dimension}_consistency"] == 0.0
        assert metrics[f"{dimension}_first_position_rate"] == 1.0
        assert metrics[f"{dimension}_strict_acc"] == 0.0
        assert metrics[f"{dimension}_acc"] == pytest.approx(a_rate)
        assert metrics[f"{dimension}_swapped_acc"] == pytest.approx(1 - a_rate)
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
        for measure in ("acc", "swapped_acc", "strict_acc", "consistency"):
            assert metrics[f"{dimension}_{measure}"] == 1.0
        a_rate = share(sample_truth, lambda case, d=dimension: case.labels[d] == "A")
        assert metrics[f"{dimension}_first_position_rate"] == pytest.approx(a_rate)


def test_intervals_bracket_every_headline_metric(tmp_path) -> None:
    args = [
        "--model",
        "med_rewardbench_baseline",
        "--model_args",
        "strategy=random,seed=5",
        "--tasks",
        "med_rewardbench_sample",
    ]
    first = run_lmms_eval(args, tmp_path / "first", log_samples=False).metrics("med_rewardbench_sample")
    second = run_lmms_eval(args, tmp_path / "second", log_samples=False).metrics("med_rewardbench_sample")
    for metric in (*(f"{d}_acc" for d in DIMENSIONS), "mean_acc"):
        stem = metric.removesuffix("_acc")
        low, high = first[f"{stem}_ci_low"], first[f"{stem}_ci_high"]
        assert 0.0 <= low <= first[metric] <= high <= 1.0
        assert high - low > 0.05  # 30 cases cannot pin an accuracy down
        assert (second[f"{stem}_ci_low"], second[f"{stem}_ci_high"]) == (low, high)
    assert first["parse_failure_ci_low"] == first["parse_failure_ci_high"] == 0.0
