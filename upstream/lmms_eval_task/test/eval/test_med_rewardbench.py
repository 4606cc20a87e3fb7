import json
import random

import datasets
import pytest
from lmms_eval.tasks import TaskManager
from lmms_eval.tasks.med_rewardbench import utils
from lmms_eval.tasks.med_rewardbench.metric_names import HEADLINE_METRICS, SWAP_TASK_METRICS
from lmms_eval.tasks.med_rewardbench.prompts import build_judge_prompt
from PIL import Image

DIMENSIONS = ("accuracy", "relevance", "comprehensiveness", "creativity", "responsiveness", "overall")
ORGANS = (
    "abdomen",
    "brain",
    "breast",
    "chest",
    "eye",
    "foot",
    "gastrointestinal_tract",
    "heart",
    "lower_limb",
    "lung",
    "oral_cavity",
    "pelvic_cavity",
    "upper_limb",
)


def _labels(letters):
    return dict(zip(DIMENSIONS, letters, strict=True))


def _doc(qid="1", organ="brain", labels="ABABAB", swapped=None, answers=("Answer one.", "Answer number two.")):
    doc = {
        "question_id": qid,
        "modality_type": organ,
        "question": "What does the scan show?",
        "answer1_text": answers[0],
        "answer2_text": answers[1],
        "image": Image.new("L", (8, 8)),
        "human_answer": _labels(labels),
    }
    if swapped is not None:
        doc["swapped"] = swapped
    return doc


def _filtered(text):
    return utils.MedRewardBenchVerdictFilter().apply([[text]], None)[0]


def test_tasks_and_groups_are_registered():
    tasks = set(TaskManager("ERROR").all_tasks)
    assert {"med_rewardbench", "med_rewardbench_swap"} <= tasks
    assert {f"med_rewardbench_{organ}" for organ in ORGANS} <= tasks
    assert {f"med_rewardbench_swap_{organ}" for organ in ORGANS} <= tasks


def test_prompt_shows_answer_one_as_a_and_the_swap_exchanges_them():
    doc = _doc()
    assert utils.med_rewardbench_doc_to_text(doc) == build_judge_prompt(
        "What does the scan show?", "Answer one.", "Answer number two."
    )
    swapped = utils.med_rewardbench_doc_to_text(_doc(swapped=True))
    assert swapped.index("Answer number two.") < swapped.index("Answer one.")
    [message] = utils.med_rewardbench_doc_to_messages(doc, {"pre_prompt": "", "post_prompt": ""})
    assert [part["type"] for part in message["content"]] == ["image", "text"]
    assert message["content"][1]["text"] == utils.med_rewardbench_doc_to_text(doc)


def test_filter_reads_each_output_once_and_records_why_it_could_not():
    outputs = [
        json.dumps({**_labels("AAAAAA"), "reason": "A names the lesion"}),
        "My final verdict: [[B]]",
        '{"accuracy":"A|B","relevance":"A|B","comprehensiveness":"A|B","creativity":"A|B","responsiveness":"A|B",'
        '"overall":"A|B","reason":"brief explanation"}',
    ]
    records = [
        json.loads(record) for [record] in utils.MedRewardBenchVerdictFilter().apply([[o] for o in outputs], None)
    ]
    assert [record["status"] for record in records] == ["ok", "partial", "unparseable"]
    assert records[0]["reason"] == "A names the lesion"
    assert records[1]["choices"] == {**dict.fromkeys(DIMENSIONS), "overall": "B"}
    assert records[2]["note"] == "format template echoed without a verdict"
    everywhere = utils.MedRewardBenchVerdictFilter(lone_verdict="all_dimensions").apply([["[[B]]"]], None)
    assert json.loads(everywhere[0][0])["choices"] == _labels("BBBBBB")
    with pytest.raises(ValueError, match="lone_verdict"):
        utils.MedRewardBenchVerdictFilter(lone_verdict="sometimes")


def test_filter_leaves_lmms_eval_only_text_it_can_write():
    resps = [[json.dumps(_labels("BBBBBB")) + " \ud800"]]
    [[record]] = utils.MedRewardBenchVerdictFilter().apply(resps, None)
    assert json.loads(record)["status"] == "ok"
    assert resps[0][0].endswith(" \\ud800")
    resps[0][0].encode("utf-8")
    record.encode("utf-8")


def test_plain_scores_count_unstated_dimensions_as_wrong():
    doc = _doc(labels="ABABAB")
    scores = utils.med_rewardbench_process_results(doc, _filtered(json.dumps(_labels("AAAAAA"))))
    assert set(scores) == set(HEADLINE_METRICS)
    assert [scores[f"{d}_acc"] for d in DIMENSIONS] == [1.0, 0.0, 1.0, 0.0, 1.0, 0.0]
    assert scores["mean_acc"] == 0.5 and scores["parse_failure_rate"] == 0.0
    lone = utils.med_rewardbench_process_results(doc, _filtered("[[B]]"))
    assert lone["overall_acc"] == 1.0 and lone["accuracy_acc"] == 0.0
    assert lone["mean_acc"] == pytest.approx(1 / 6) and lone["parse_failure_rate"] == 1.0


def _swap_values(qid, labels, original, swapped):
    values = []
    for order, picks in ((False, original), (True, swapped)):
        reply = json.dumps({d: p for d, p in zip(DIMENSIONS, picks, strict=True) if p != "-"})
        values.append(
            utils.med_rewardbench_process_results_swap(_doc(qid, labels=labels, swapped=order), _filtered(reply))
        )
    return values


def test_swap_metrics_pair_the_two_orders_whatever_order_the_docs_arrive_in():
    # Letters are as shown: in the swapped order answer 1 is B. Case 1 always-A (first position
    # twice), case 2 right in both orders, case 3 always-B (second position twice), case 4
    # misses overall in the swapped order.
    values = [
        *_swap_values("1", "AAAAAA", "AAAAAA", "AAAAAA"),
        *_swap_values("2", "ABABAB", "ABABAB", "BABABA"),
        *_swap_values("3", "BBBBBB", "BBBBBB", "BBBBBB"),
        *_swap_values("4", "AAAAAA", "AAAAAA", "BBBBB-"),
    ]
    assert set(values[0]) | set(values[1]) == set(SWAP_TASK_METRICS)
    random.Random(0).shuffle(values)  # ranks gather their docs in any order

    def aggregate(name):
        return getattr(utils, f"med_rewardbench_aggregate_{name}")([v[name] for v in values if name in v])

    assert aggregate("mean_strict_acc") == pytest.approx((0 + 1 + 0 + 5 / 6) / 4)
    assert aggregate("mean_consistency") == pytest.approx((0 + 1 + 0 + 5 / 6) / 4)
    assert aggregate("mean_first_position_bias") == pytest.approx(1 / 4)
    assert aggregate("mean_second_position_bias") == pytest.approx(1 / 4)
    originals = [v["mean_acc"] for v in values if "mean_acc" in v]
    assert originals == [1.0, 1.0, 1.0, 1.0]  # every original-order verdict was right
    assert sorted(v["mean_swapped_acc"] for v in values if "mean_swapped_acc" in v) == [0.0, 0.0, 5 / 6, 1.0]


def _dataset(**changes):
    rows = {
        "question_id": ["1", "2"],
        "modality_type": ["brain", "brain"],
        "question": ["Q?", "Q?"],
        "answer1_text": ["one", "one"],
        "answer2_text": ["two", "two"],
        "image": [Image.new("L", (8, 8)), Image.new("L", (8, 8))],
        "human_answer": [_labels("AAAAAA"), _labels("BBBBBB")],
    }
    rows.update(changes)
    return datasets.Dataset.from_dict(rows)


def test_process_docs_stops_on_a_case_that_cannot_be_scored():
    assert len(utils.med_rewardbench_process_docs(_dataset())) == 2
    with pytest.raises(ValueError, match=r"row 1 \(question_id 2\): human_answer must be 'A' or 'B' on overall"):
        utils.med_rewardbench_process_docs(
            _dataset(human_answer=[_labels("AAAAAA"), {**_labels("BBBBBB"), "overall": "tie"}])
        )
    with pytest.raises(ValueError, match=r"row 1 \(question_id 1\): duplicate question_id \(first at row 0\)"):
        utils.med_rewardbench_process_docs(_dataset(question_id=["1", "1"]))


def test_swap_docs_show_every_case_in_both_orders():
    docs = utils.med_rewardbench_process_docs_swap(_dataset())
    assert [(doc["question_id"], doc["swapped"]) for doc in docs] == [
        ("1", False),
        ("1", True),
        ("2", False),
        ("2", True),
    ]
