"""Validating cases: the label join, every refusal, ids across organs, the docs lmms-eval gets, provenance.

Discovery of the files is in test_data_layouts.py, the Hub in test_data_hub.py, images in
test_data_images.py.
"""

from __future__ import annotations

import io
import json
import logging
import sys
from pathlib import Path

import pytest
from PIL import Image

from med_rewardbench_tasks import data
from med_rewardbench_tasks.constants import DIMENSIONS, ORGANS
from tests.layouts import SIX_A, case_row, label, png, write_organ

ALWAYS_A = ["--model", "med_rewardbench_baseline", "--model_args", "strategy=always_a"]


def load(root: Path, organ: str = "brain") -> list[data.Case]:
    return data.load_organ(organ, data.LocalDirectory(root))


def test_local_copy_joins_labels_on_question_id(tmp_path: Path) -> None:
    write_organ(tmp_path, "brain", [case_row(7), case_row(3)], [label(3, overall="B"), label(7, accuracy="B")])
    cases = load(tmp_path)
    assert [case.question_id for case in cases] == ["7", "3"]
    assert cases[0].labels == {**SIX_A, "accuracy": "B"}
    assert cases[1].labels == {**SIX_A, "overall": "B"}
    assert cases[0].organ == "brain"
    assert cases[0].metadata == {"body_part": "brain"}
    assert cases[0].image == png()


def test_label_ids_match_across_int_and_str(tmp_path: Path) -> None:
    write_organ(tmp_path, "brain", [case_row(12)], [label("12")])
    assert load(tmp_path)[0].question_id == "12"


def test_lowercase_and_padded_labels_are_normalised(tmp_path: Path) -> None:
    write_organ(tmp_path, "brain", [case_row(1)], [label(1, overall=" b ")])
    assert load(tmp_path)[0].labels["overall"] == "B"


@pytest.mark.parametrize(
    ("case_id", "label_id"),
    [
        pytest.param(7, "007", id="number-beside-padded-text"),
        pytest.param("0007", 7, id="padded-text-beside-number"),
    ],
)
def test_a_number_finds_its_zero_padded_label(tmp_path: Path, case_id: object, label_id: object) -> None:
    # A number cannot keep leading zeros; the one label whose number it is, is its label.
    write_organ(tmp_path, "brain", [case_row(case_id)], [label(label_id, overall="B")])
    cases = load(tmp_path)
    assert [(case.question_id, case.labels["overall"]) for case in cases] == [(str(case_id), "B")]


def test_two_texts_are_two_ids_whatever_their_numbers(tmp_path: Path) -> None:
    write_organ(tmp_path, "brain", [case_row("7")], [label("007")])
    with pytest.raises(data.DataValidationError, match=r"row 0 \(question_id 7\): no label in .*brain\.jsonl"):
        load(tmp_path)


def test_label_keys_match_the_dimensions_whatever_their_case(tmp_path: Path) -> None:
    capitalised = {dimension.capitalize(): "A" for dimension in DIMENSIONS} | {"Overall": "B"}
    write_organ(tmp_path, "brain", [case_row(1)], [{"question_id": 1, "human_answer": capitalised}])
    assert load(tmp_path)[0].labels == {**SIX_A, "overall": "B"}


@pytest.mark.parametrize("where", ["cases", "label-file"])
def test_labels_as_six_columns_of_their_own(tmp_path: Path, where: str) -> None:
    winners = {**SIX_A, "relevance": "B"}
    if where == "cases":
        write_organ(tmp_path, "brain", [case_row(1, **winners)], labels=None)
    else:
        write_organ(tmp_path, "brain", [case_row(1)], [{"question_id": 1, **winners}])
    assert load(tmp_path)[0].labels == winners


def test_labels_as_columns_and_as_human_answer_must_agree(tmp_path: Path) -> None:
    write_organ(tmp_path, "brain", [case_row(1, human_answer=SIX_A, **{**SIX_A, "overall": "B"})], labels=None)
    with pytest.raises(
        data.DataValidationError, match=r"row 0 \(question_id 1\): the human_answer column and the columns accuracy"
    ):
        load(tmp_path)


def test_five_dimension_columns_are_no_labels(tmp_path: Path) -> None:
    five = {dimension: "A" for dimension in DIMENSIONS[:5]}
    write_organ(tmp_path, "brain", [case_row(1)], [{"question_id": 1, **five}])
    with pytest.raises(
        data.DataValidationError, match=r"brain\.jsonl:1: question_id 1 has no human_answer \(nor the six dimensions"
    ):
        load(tmp_path)


def test_labels_as_a_string_of_letters_are_refused_saying_why(tmp_path: Path) -> None:
    # "AABBAB" does not say which letter is which dimension's.
    write_organ(tmp_path, "brain", [case_row(1, human_answer="AAAAAB")], labels=None)
    with pytest.raises(
        data.DataValidationError,
        match=r"row 0 \(question_id 1\): human_answer is the text 'AAAAAB', not a JSON object mapping each of accuracy",
    ):
        load(tmp_path)


@pytest.mark.parametrize(
    "embedded",
    [
        pytest.param({**SIX_A, "creativity": "B"}, id="struct"),
        pytest.param(json.dumps({**SIX_A, "creativity": "B"}), id="json-string"),
    ],
)
def test_labels_embedded_as_a_column(tmp_path: Path, embedded: object) -> None:
    write_organ(tmp_path, "brain", [case_row(1, human_answer=embedded)], labels=None)
    assert load(tmp_path)[0].labels == {**SIX_A, "creativity": "B"}


def test_image_given_as_a_relative_path(tmp_path: Path) -> None:
    write_organ(tmp_path, "brain", [case_row(1, image={"bytes": None, "path": "images/1.png"})], [label(1)])
    (tmp_path / "pair_gt_all" / "parquet" / "images").mkdir()
    (tmp_path / "pair_gt_all" / "parquet" / "images" / "1.png").write_bytes(png(30))
    assert load(tmp_path)[0].image == png(30)


@pytest.mark.parametrize(
    ("rows", "labels", "message"),
    [
        pytest.param(
            [case_row(1), case_row(2)],
            [label(1)],
            r"brain\.parquet row 1 \(question_id 2\): no label in .*brain\.jsonl",
            id="case-without-label",
        ),
        pytest.param(
            [case_row(1), case_row(1)],
            [label(1)],
            r"brain\.parquet row 1 \(question_id 1\): duplicate question_id \(first at row 0\)",
            id="duplicate-id-in-cases",
        ),
        pytest.param(
            [case_row(1)],
            [label(1), label(1)],
            r"brain\.jsonl:2: duplicate question_id 1 \(first on line 1\)",
            id="duplicate-id-in-labels",
        ),
        pytest.param(
            [case_row(1)],
            [label(1, relevance="C")],
            r"brain\.jsonl:1 \(question_id 1\): human_answer\['relevance'\] is 'C'",
            id="label-not-a-or-b",
        ),
        pytest.param(
            [case_row(1)],
            [{"question_id": 1, "human_answer": {k: v for k, v in SIX_A.items() if k != "creativity"}}],
            r"brain\.jsonl:1 \(question_id 1\): human_answer has no label for dimension 'creativity'",
            id="missing-dimension",
        ),
        pytest.param(
            [case_row(1, image={"bytes": b"\x89PNG\r\n\x1a\nnot really", "path": None})],
            [label(1)],
            r"brain\.parquet row 0 \(question_id 1\): image does not decode",
            id="undecodable-image",
        ),
        pytest.param(
            [case_row(1, image={"bytes": png()[:40], "path": None})],
            [label(1)],
            r"brain\.parquet row 0 \(question_id 1\): image does not decode",
            id="truncated-image",
        ),
        pytest.param(
            [case_row(1, modality_type="heart")],
            [label(1)],
            r"row 0 \(question_id 1\): modality_type is 'heart', expected 'brain'",
            id="case-filed-under-wrong-organ",
        ),
        pytest.param(
            [case_row(1, answer2_text="   ")],
            [label(1)],
            r"row 0 \(question_id 1\): answer2_text must be a non-empty string",
            id="empty-answer",
        ),
        pytest.param(
            [{**case_row(1), "question_id": None}],
            [label(1)],
            r"brain\.parquet row 0: question_id is empty",
            id="missing-question-id",
        ),
        pytest.param(
            [case_row(1)],
            [label(1), label(99)],
            r"brain\.jsonl:2: label for question_id 99 has no case",
            id="label-without-case",
        ),
        pytest.param(
            [case_row(1)],
            ['{"question_id": 1, "human_answer": '],
            r"brain\.jsonl:1: not valid JSON",
            id="malformed-label-line",
        ),
        pytest.param(
            [{k: v for k, v in case_row(1).items() if k != "answer1_text"}],
            [label(1)],
            r"brain\.parquet: missing column\(s\) answer1_text",
            id="missing-column",
        ),
        pytest.param(
            [case_row(1)],
            None,
            r"brain\.parquet: no label file \(brain\.jsonl or \.json\) for it and no human_answer column",
            id="no-labels-anywhere",
        ),
        pytest.param(
            [case_row(1, human_answer={**SIX_A, "overall": "B"})],
            [label(1)],
            r"row 0 \(question_id 1\): human_answer column disagrees with .*brain\.jsonl:1",
            id="embedded-and-file-labels-disagree",
        ),
    ],
)
def test_broken_data_is_refused_with_file_row_and_id(
    tmp_path: Path, rows: list[dict], labels: list | None, message: str
) -> None:
    write_organ(tmp_path, "brain", rows, labels)
    with pytest.raises(data.DataValidationError, match=message):
        load(tmp_path)


def test_missing_organ_is_named_with_what_was_found(tmp_path: Path) -> None:
    write_organ(tmp_path, "brain", [case_row(1)], [label(1)])
    with pytest.raises(
        data.DataValidationError, match=r"found no cases of organ system 'eye' \(organ systems found: brain\)"
    ):
        data.load_organ("eye", data.LocalDirectory(tmp_path))


def test_unknown_organ_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown organ system 'kidney'"):
        data.load_organ("kidney", data.LocalDirectory(Path(".")))


def test_source_switch_reads_the_environment(tmp_path: Path) -> None:
    (tmp_path / "pair_gt_all").mkdir()
    assert data.resolve_source({}) == data.HubDataset("Nandzy/Med-RewardBench", None)
    assert data.resolve_source({"MED_REWARDBENCH_REVISION": "v1"}) == data.HubDataset("Nandzy/Med-RewardBench", "v1")
    assert data.resolve_source({"MED_REWARDBENCH_DATA_DIR": str(tmp_path)}) == data.LocalDirectory(tmp_path)


def test_source_switch_refuses_a_path_that_is_not_a_folder(tmp_path: Path) -> None:
    with pytest.raises(data.DataUnavailableError, match=r"MED_REWARDBENCH_DATA_DIR=.*missing.* is not a folder"):
        data.resolve_source({"MED_REWARDBENCH_DATA_DIR": str(tmp_path / "missing")})


def test_shipped_sample_loads_every_organ() -> None:
    source = data.sample_source()
    cases = data.load_cases(data.available_organs(source), source)
    assert {case.organ for case in cases} == set(ORGANS)
    assert all(2 <= sum(case.organ == organ for case in cases) <= 3 for organ in ORGANS)
    assert len({(case.organ, case.question_id) for case in cases}) == len(cases)
    assert all(set(case.labels) == set(DIMENSIONS) for case in cases)
    assert {case.metadata.get("dataset") for case in cases} == {"synthetic-pipeline-sample"}


def test_cases_become_lmms_eval_docs_with_the_cases_own_image_bytes() -> None:
    source = data.sample_source()
    cases = data.load_organ("heart", source)
    docs = data.cases_to_dataset(cases)
    assert len(docs) == len(cases)
    first = docs[0]
    assert first["question_id"] == cases[0].question_id
    assert first["human_answer"] == dict(cases[0].labels)
    assert first["swapped"] is False
    assert first["image"]["bytes"] == cases[0].image
    assert Image.open(io.BytesIO(first["image"]["bytes"])).size == (128, 128)


def test_both_orders_point_at_one_copy_of_each_image() -> None:
    import pyarrow as pa

    cases = data.load_organ("heart", data.sample_source())
    docs = data.cases_to_dataset(cases, both_orders=True)
    assert [(doc["question_id"], doc["swapped"]) for doc in docs] == [
        (case.question_id, swapped) for case in cases for swapped in (False, True)
    ]
    # Both docs of a case read the same Arrow buffer, which is the case's own bytes object.
    image_column = docs.data.column("image")
    buffers = [chunk.field("bytes").buffers()[2] for chunk in image_column.chunks]
    for index, case in enumerate(cases):
        original, swapped = buffers[2 * index], buffers[2 * index + 1]
        assert original.address == swapped.address == pa.py_buffer(case.image).address
    # lmms-eval drops media columns from the docs it scores; ours is one.
    import datasets

    assert isinstance(docs.features["image"], datasets.Image)


@pytest.mark.parametrize(
    ("human_answer", "key"),
    [
        pytest.param({**SIX_A, "safety": "A"}, "safety", id="extra-dimension"),
        pytest.param({**SIX_A, "Accuracy": "B"}, "Accuracy", id="capitalised-beside-lowercase"),
        pytest.param(json.dumps({**SIX_A, "note": "B"}), "note", id="json-string"),
    ],
)
def test_unknown_label_keys_are_refused_by_name(tmp_path: Path, human_answer: object, key: str) -> None:
    write_organ(tmp_path, "brain", [case_row(1)], [{"question_id": 1, "human_answer": human_answer}])
    with pytest.raises(
        data.DataValidationError, match=rf"brain\.jsonl:1 \(question_id 1\): human_answer has unknown key '{key}'"
    ):
        load(tmp_path)


def test_unknown_key_in_an_embedded_label_column_is_refused(tmp_path: Path) -> None:
    write_organ(tmp_path, "brain", [case_row(1, human_answer={**SIX_A, "safety": "B"})], labels=None)
    with pytest.raises(
        data.DataValidationError, match=r"row 0 \(question_id 1\): human_answer has unknown key 'safety'"
    ):
        load(tmp_path)


def test_same_question_id_in_two_organs_stops_every_task(tmp_path: Path) -> None:
    write_organ(tmp_path, "brain", [case_row(1), case_row(7)], [label(1), label(7)])
    write_organ(tmp_path, "heart", [case_row(7, organ="heart")], [label(7)])
    write_organ(tmp_path, "eye", [case_row(9, organ="eye")], [label(9)])
    source = data.LocalDirectory(tmp_path)
    pattern = (
        r"question_id 7 is in two organ systems: brain \(.*brain\.parquet row 1\) and heart \(.*heart\.parquet row 0\)"
    )
    # Each organ task loads separately: even the unaffected organ's task sees the conflict.
    for organ in ("brain", "heart", "eye"):
        with pytest.raises(data.DataValidationError, match=pattern):
            data.load_organ(organ, source)


@pytest.mark.integration
def test_lmms_eval_stops_when_two_organ_tasks_share_a_question_id(tmp_path: Path) -> None:
    from tests.conftest import run_lmms_eval

    copy = tmp_path / "copy"
    write_organ(copy, "brain", [case_row(1), case_row(7)], [label(1), label(7)])
    write_organ(copy, "heart", [case_row(7, organ="heart")], [label(7)])
    run = run_lmms_eval(
        [*ALWAYS_A, "--tasks", "med_rewardbench_brain,med_rewardbench_heart"],
        tmp_path / "run",
        env={"MED_REWARDBENCH_DATA_DIR": str(copy)},
        expect_results=False,
    )
    assert "question_id 7 is in two organ systems: brain" in run.output
    assert not run.results.get("results")


def test_same_question_id_in_two_organs_of_one_table_is_refused(tmp_path: Path) -> None:
    from tests.layouts import write_parquet

    rows = [case_row(1, human_answer=SIX_A), case_row(1, organ="eye", human_answer=SIX_A)]
    write_parquet(tmp_path / "data" / "test-00000-of-00001.parquet", rows)
    with pytest.raises(data.DataValidationError, match=r"question_id 1 is in two organ systems: brain .* and eye"):
        data.load_organ("eye", data.LocalDirectory(tmp_path))


def test_each_case_and_the_log_record_where_the_data_came_from(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Outside lmms-eval the line is a logging record (inside, lmms-eval's logger prints it:
    # test_data_hub.py's CLI test reads it from a real run).
    monkeypatch.delitem(sys.modules, "lmms_eval", raising=False)
    write_organ(tmp_path, "brain", [case_row(1)], [label(1)])
    with caplog.at_level(logging.INFO, logger="med_rewardbench_tasks.data"):
        cases = load(tmp_path)
    assert cases[0].source == str(tmp_path.absolute())
    files = "pair_gt_all/parquet/brain.parquet, pair_gt_all/brain.jsonl"
    assert f"Med-RewardBench brain: 1 cases from {tmp_path.absolute()} ({files})" in caplog.messages
    provenance = data.provenance(cases[0].source)
    assert provenance.files == {"brain": ("pair_gt_all/parquet/brain.parquet", "pair_gt_all/brain.jsonl")}
    assert provenance.commit is None and provenance.location == str(tmp_path.absolute())


def test_the_target_record_carries_the_source() -> None:
    from med_rewardbench_tasks import lmms_eval_tasks

    cases = data.load_organ("heart", data.sample_source())
    doc = data.cases_to_dataset(cases)[0]
    record = json.loads(lmms_eval_tasks.doc_to_target(doc))
    assert record["source"] == str(data.SAMPLE_DIR)
    assert record["question_id"] == cases[0].question_id
