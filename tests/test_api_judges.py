"""lmms-eval's openai model as a judge: HTTP errors and timeouts become recorded failures, never lost cases."""

from __future__ import annotations

import json

import pytest

from tests.conftest import DIMENSIONS, assert_metrics, expected_metrics, run_lmms_eval
from tests.openai_stub import DROP_CONNECTION, serve_chat_completions

pytestmark = pytest.mark.integration


def test_failed_requests_are_recorded_with_their_reason_and_the_run_goes_on(tmp_path, sample_truth) -> None:
    failing = {case.answer1_text: status for case, status in zip(sample_truth[:3], (500, 429, 503), strict=True)}
    dropped = {case.answer1_text for case in sample_truth[3:5]}
    reply = json.dumps(dict.fromkeys(DIMENSIONS, "A") | {"reason": "stub"})
    attempts: dict[str, int] = {}

    def respond(text: str) -> str | int:
        for answer, status in failing.items():
            if answer in text:
                attempts[answer] = attempts.get(answer, 0) + 1
                return status
        if any(answer in text for answer in dropped):
            return DROP_CONNECTION
        return reply

    with serve_chat_completions(respond) as server:
        model_args = (
            f"model=stub-judge,base_url={server.base_url},api_key=sk-test,"
            "num_concurrent=4,max_retries=2,retry_backoff_s=0"
        )
        run = run_lmms_eval(
            ["--model", "openai", "--model_args", model_args, "--tasks", "med_rewardbench_sample"], tmp_path
        )

    logged = run.samples["med_rewardbench_sample"]
    assert len(logged) == len(sample_truth), "every case is kept, failed or not"
    failed_ids = {case.question_id for case in sample_truth[:5]}
    for sample in logged:
        target = json.loads(sample["target"])
        verdict = json.loads(sample["filtered_resps"][0])
        if target["question_id"] in failed_ids:
            assert verdict["status"] == "unparseable"
            assert verdict["note"].startswith("judge request failed: ")
            assert "LMMS_EVAL_REQUEST_FAILED" in sample["resps"][0]
        else:
            assert verdict["status"] == "ok"
    # lmms-eval makes max_retries attempts; the OpenAI client retries 5xx/429 twice more inside each.
    assert all(count == 2 * 3 for count in attempts.values()), attempts
    expected = expected_metrics(
        sample_truth,
        lambda case: {} if case.question_id in failed_ids else dict.fromkeys(DIMENSIONS, "A"),
        lambda case: case.question_id in failed_ids,
    )
    assert_metrics(run, "med_rewardbench_sample", expected)
