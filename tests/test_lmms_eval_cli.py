"""The real lmms-eval CLI on the shipped sample, checked against values computed from the sample's files.

Expected numbers here never go through the package's loader, parser or metrics: labels are
read with pyarrow/json (conftest.read_truth) and the judges' behaviour is known.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable

import pytest

from tests.canned_replies import LMMS_EVAL_SHAPES, canned_reply
from tests.conftest import DIMENSIONS, TruthCase, assert_metrics, expected_metrics, longer_answer, run_lmms_eval
from tests.openai_stub import serve_chat_completions

pytestmark = pytest.mark.integration

SAMPLE = ["--tasks", "med_rewardbench_sample"]


def binomial_stderr(p: float, n: int) -> float:
    # lmms-eval's mean_stderr: sample standard deviation (n - 1) over sqrt(n).
    return math.sqrt(p * (1 - p) * n / (n - 1) / n)


def test_dummy_model_bare_letter_fills_only_overall(tmp_path, sample_truth) -> None:
    run = run_lmms_eval(["--model", "dummy", *SAMPLE], tmp_path)
    expected = expected_metrics(sample_truth, lambda case: {"overall": "A"}, lambda case: True)
    assert_metrics(run, "med_rewardbench_sample", expected)
    logged = run.samples["med_rewardbench_sample"]
    assert len(logged) == len(sample_truth)
    verdict = json.loads(logged[0]["filtered_resps"][0])
    assert (verdict["status"], verdict["method"]) == ("partial", "lone_verdict")
    assert logged[0]["resps"] == ["A"]


@pytest.mark.parametrize(
    ("strategy", "winner_for"),
    [
        pytest.param("always_a", lambda case: "A", id="always_a"),
        pytest.param("always_b", lambda case: "B", id="always_b"),
        pytest.param(
            "longer_answer",
            longer_answer,
            id="longer_answer",
        ),
    ],
)
def test_baseline_judges(tmp_path, sample_truth, strategy: str, winner_for: Callable[[TruthCase], str]) -> None:
    run = run_lmms_eval(
        ["--model", "med_rewardbench_baseline", "--model_args", f"strategy={strategy}", *SAMPLE], tmp_path
    )
    expected = expected_metrics(
        sample_truth, lambda case: dict.fromkeys(DIMENSIONS, winner_for(case)), lambda case: False
    )
    assert_metrics(run, "med_rewardbench_sample", expected)
    reported = run.metrics("med_rewardbench_sample")
    n = len(sample_truth)
    for dimension in DIMENSIONS:
        p = expected[f"{dimension}_acc"]
        assert reported[f"{dimension}_acc_stderr"] == pytest.approx(binomial_stderr(p, n))
    assert run.results["n-samples"]["med_rewardbench_sample"]["effective"] == n


def test_random_baseline_is_seeded_and_scored_from_its_own_outputs(tmp_path, sample_truth) -> None:
    args = ["--model", "med_rewardbench_baseline", "--model_args", "strategy=random,seed=7", *SAMPLE]
    first = run_lmms_eval(args, tmp_path / "first")
    second = run_lmms_eval(args, tmp_path / "second")
    outputs = [sample["resps"][0] for sample in first.samples["med_rewardbench_sample"]]
    assert outputs == [sample["resps"][0] for sample in second.samples["med_rewardbench_sample"]]
    by_case = {
        (json.loads(sample["target"])["organ"], json.loads(sample["target"])["question_id"]): json.loads(
            sample["resps"][0]
        )
        for sample in first.samples["med_rewardbench_sample"]
    }
    assert len(by_case) == len(sample_truth)
    expected = expected_metrics(sample_truth, lambda case: by_case[(case.organ, case.question_id)], lambda case: False)
    assert_metrics(first, "med_rewardbench_sample", expected)
    assert len({json.dumps(choice, sort_keys=True) for choice in by_case.values()}) > 5


def test_openai_api_judge_against_a_stub_server(tmp_path, sample_truth) -> None:
    canned = {
        (case.answer1_text, case.answer2_text): canned_reply(case, i, LMMS_EVAL_SHAPES)
        for i, case in enumerate(sample_truth)
    }

    def reply_for(text: str) -> str:
        matches = [reply for (a, b), (reply, _, _) in canned.items() if a in text and b in text]
        assert len(matches) == 1, "the stub must recognise every case from its prompt"
        return matches[0]

    with serve_chat_completions(reply_for) as server:
        model_args = (
            f"model=stub-judge,base_url={server.base_url},api_key=sk-test,num_concurrent=4,max_retries=2,timeout=30"
        )
        run = run_lmms_eval(["--model", "openai", "--model_args", model_args, *SAMPLE], tmp_path)
    expected = expected_metrics(
        sample_truth,
        lambda case: canned[(case.answer1_text, case.answer2_text)][1],
        lambda case: canned[(case.answer1_text, case.answer2_text)][2],
    )
    assert_metrics(run, "med_rewardbench_sample", expected)
    assert len(server.requests) == len(sample_truth)
    for request in server.requests:
        assert len(request.image_urls) == 1 and request.image_urls[0].startswith("data:image/")
        assert request.text.startswith("You are an expert medical vision-language evaluator.")
        assert request.body.get("temperature", 0) == 0
    statuses = sorted(json.loads(s["filtered_resps"][0])["status"] for s in run.samples["med_rewardbench_sample"])
    assert statuses.count("ok") == sum(not failed for _, _, failed in canned.values())
