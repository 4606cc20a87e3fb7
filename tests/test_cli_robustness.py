"""Odd judge replies and odd flags through the real CLI: nothing lost, no crash (issue 14, points 2 and 8)."""

from __future__ import annotations

import json

import pytest

from tests.conftest import DIMENSIONS, assert_metrics, expected_metrics, run_lmms_eval
from tests.openai_stub import serve_chat_completions

pytestmark = pytest.mark.integration

SAMPLE = ["--tasks", "med_rewardbench_sample"]
LONE_SURROGATE = "\ud800"


def test_a_lone_surrogate_in_a_reply_loses_nothing(tmp_path, sample_truth) -> None:
    # The reply text holds a lone surrogate; the stub's HTTP body carries it as the valid JSON
    # escape "\ud800", which the client decodes back to the lone surrogate. APIs do return this.
    odd = sample_truth[3]
    verdict = dict.fromkeys(DIMENSIONS, "A")
    plain_reply = json.dumps(verdict | {"reason": "fine"})
    odd_reply = plain_reply.replace("fine", f"odd {LONE_SURROGATE} character")

    def reply_for(text: str) -> str:
        return odd_reply if odd.answer1_text in text and odd.answer2_text in text else plain_reply

    with serve_chat_completions(reply_for) as server:
        model_args = f"model=stub-judge,base_url={server.base_url},api_key=sk-test,num_concurrent=4"
        run = run_lmms_eval(["--model", "openai", "--model_args", model_args, *SAMPLE], tmp_path)

    logged = run.samples["med_rewardbench_sample"]
    assert len(logged) == len(sample_truth), "every case reaches the samples log"
    key = (odd.organ, odd.question_id)
    [odd_sample] = [
        s for s in logged if (json.loads(s["target"])["organ"], json.loads(s["target"])["question_id"]) == key
    ]
    # The raw output is kept, the lone surrogate escaped, so it reads back to what the judge sent.
    raw = odd_sample["resps"][0]
    assert LONE_SURROGATE not in raw and "\\ud800" in raw
    assert raw.encode("ascii").decode("unicode_escape") == odd_reply
    record = json.loads(odd_sample["filtered_resps"][0])
    assert record["status"] == "ok" and record["reason"] == f"odd {LONE_SURROGATE} character"
    expected = expected_metrics(sample_truth, lambda case: verdict, lambda case: False)
    assert_metrics(run, "med_rewardbench_sample", expected)


def test_num_fewshot_is_ignored_with_lmms_evals_own_message(tmp_path, sample_truth) -> None:
    run = run_lmms_eval(
        ["--model", "med_rewardbench_baseline", "--model_args", "strategy=always_a", "--num_fewshot", "3", *SAMPLE],
        tmp_path,
    )
    assert "num_fewshot has been set to 0 for med_rewardbench_sample in its config" in run.output
    assert run.results["n-shot"]["med_rewardbench_sample"] == 0
    expected = expected_metrics(sample_truth, lambda case: dict.fromkeys(DIMENSIONS, "A"), lambda case: False)
    assert_metrics(run, "med_rewardbench_sample", expected)
