"""Loading and validating cases: the Hub layout, local copies, embedded labels, and every refusal."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from med_rewardbench_tasks import data
from med_rewardbench_tasks.constants import DIMENSIONS, ORGANS
from tests.fake_hub import serve_dataset_repo
from tests.layouts import SIX_A, case_row, label, png, write_organ


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
            r"brain\.parquet: no label file pair_gt_all/brain\.jsonl next to it and no human_answer column",
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


def test_missing_organ_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "pair_gt_all").mkdir()
    with pytest.raises(data.DataValidationError, match=r"pair_gt_all/parquet/eye\.parquet: file not found"):
        data.load_organ("eye", data.LocalDirectory(tmp_path))


def test_unknown_organ_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown organ system 'kidney'"):
        data.load_organ("kidney", data.LocalDirectory(Path(".")))


def test_source_switch_reads_the_environment(tmp_path: Path) -> None:
    (tmp_path / "pair_gt_all").mkdir()
    assert data.resolve_source({}) == data.HubDataset("Nandzy/Med-RewardBench", None)
    assert data.resolve_source({"MED_REWARDBENCH_REVISION": "v1"}) == data.HubDataset("Nandzy/Med-RewardBench", "v1")
    assert data.resolve_source({"MED_REWARDBENCH_DATA_DIR": str(tmp_path)}) == data.LocalDirectory(tmp_path)


def test_source_switch_refuses_a_folder_without_the_layout(tmp_path: Path) -> None:
    with pytest.raises(data.DataUnavailableError, match=r"MED_REWARDBENCH_DATA_DIR=.* does not contain a pair_gt_all/"):
        data.resolve_source({"MED_REWARDBENCH_DATA_DIR": str(tmp_path)})


def test_shipped_sample_loads_every_organ() -> None:
    source = data.sample_source()
    cases = data.load_cases(data.available_organs(source), source)
    assert {case.organ for case in cases} == set(ORGANS)
    assert all(2 <= sum(case.organ == organ for case in cases) <= 3 for organ in ORGANS)
    assert len({(case.organ, case.question_id) for case in cases}) == len(cases)
    assert all(set(case.labels) == set(DIMENSIONS) for case in cases)
    assert {case.metadata.get("dataset") for case in cases} == {"synthetic-pipeline-sample"}


def test_cases_become_lmms_eval_docs_with_decodable_images() -> None:
    source = data.sample_source()
    cases = data.load_organ("heart", source)
    docs = data.cases_to_dataset(cases)
    assert len(docs) == len(cases)
    first = docs[0]
    assert first["question_id"] == cases[0].question_id
    assert first["human_answer"] == dict(cases[0].labels)
    assert first["image"].size == (128, 128)


def point_hub_at(monkeypatch: pytest.MonkeyPatch, endpoint: str) -> None:
    """What HF_ENDPOINT does, for a library that read it at import time."""
    import huggingface_hub.constants as hub_constants

    monkeypatch.setattr(hub_constants, "ENDPOINT", endpoint)
    monkeypatch.setattr(
        hub_constants, "HUGGINGFACE_CO_URL_TEMPLATE", endpoint + "/{repo_id}/resolve/{revision}/{filename}"
    )


@pytest.fixture
def hub_endpoint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The real hf_hub_download path against a loopback copy of a dataset repo."""
    import huggingface_hub.constants as hub_constants

    repo_root = tmp_path / "repo"
    write_organ(repo_root, "brain", [case_row(1), case_row(2)], [label(1), label(2, overall="B")])
    write_organ(repo_root, "eye", [case_row(5, organ="eye", human_answer=SIX_A)], labels=None)
    monkeypatch.setattr(hub_constants, "HF_HUB_CACHE", str(tmp_path / "hub-cache"))
    monkeypatch.setattr(hub_constants, "HF_HUB_OFFLINE", False)
    with serve_dataset_repo("someone/Med-RewardBench-copy", repo_root) as (endpoint, requested):
        point_hub_at(monkeypatch, endpoint)
        yield requested


def test_hub_download_path_loads_and_caches(hub_endpoint: list[str]) -> None:
    source = data.HubDataset("someone/Med-RewardBench-copy", "main")
    cases = data.load_organ("brain", source)
    assert [(case.question_id, case.labels["overall"]) for case in cases] == [("1", "A"), ("2", "B")]
    assert any(path.endswith("pair_gt_all/parquet/brain.parquet") for path in hub_endpoint)
    assert any(path.endswith("pair_gt_all/brain.jsonl") for path in hub_endpoint)


def test_hub_repo_without_label_file_uses_embedded_labels(hub_endpoint: list[str]) -> None:
    cases = data.load_organ("eye", data.HubDataset("someone/Med-RewardBench-copy"))
    assert [case.question_id for case in cases] == ["5"]


def test_hub_repo_without_the_organ_is_a_validation_error(hub_endpoint: list[str]) -> None:
    with pytest.raises(data.DataValidationError, match=r"pair_gt_all/parquet/lung\.parquet: file not found"):
        data.load_organ("lung", data.HubDataset("someone/Med-RewardBench-copy"))


def test_no_network_names_the_local_data_switch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import huggingface_hub.constants as hub_constants

    monkeypatch.setattr(hub_constants, "HF_HUB_CACHE", str(tmp_path / "empty-cache"))
    # A port nobody listens on: the connection is refused at once, like a machine with no network.
    point_hub_at(monkeypatch, "http://127.0.0.1:9")
    # huggingface_hub retries refused connections with backoff (about 30 s); the outcome is the same without the waits.
    monkeypatch.setattr("huggingface_hub.utils._http.time.sleep", lambda seconds: None)
    with pytest.raises(data.DataUnavailableError) as raised:
        data.load_organ("brain", data.HubDataset())
    message = str(raised.value)
    assert "pair_gt_all/parquet/brain.parquet" in message
    assert "MED_REWARDBENCH_DATA_DIR=" in message


def test_offline_mode_names_the_local_data_switch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import huggingface_hub.constants as hub_constants

    monkeypatch.setattr(hub_constants, "HF_HUB_CACHE", str(tmp_path / "empty-cache"))
    monkeypatch.setattr(hub_constants, "HF_HUB_OFFLINE", True)
    with pytest.raises(data.DataUnavailableError, match=re.escape("set MED_REWARDBENCH_DATA_DIR=")):
        data.load_organ("brain", data.HubDataset())
