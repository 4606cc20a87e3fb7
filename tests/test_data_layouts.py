"""Finding each organ's cases and labels in every layout, in a local copy and through the (fake) Hub alike.

Each layout in tests/layouts.py holds the same three cases; the expected labels and image
bytes are written there by hand. The Hub runs go through the real huggingface_hub client
against tests/fake_hub.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from med_rewardbench_tasks import data
from med_rewardbench_tasks.data.layout import discover, organ_of
from tests.fake_hub import FakeHub, serve_dataset_repo
from tests.layouts import EXPECTED, LAYOUTS, SIX_A, case_row, label, png, write_jsonl, write_organ, write_parquet

REPO = "someone/Med-RewardBench-copy"


def loaded(source: data.DataSource) -> dict[tuple[str, str], tuple[dict[str, str], bytes]]:
    cases = data.load_cases(["brain", "lower_limb"], source)
    return {(case.organ, case.question_id): (dict(case.labels), case.image) for case in cases}


@pytest.fixture
def hub_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    import huggingface_hub.constants as hub_constants

    cache = tmp_path / "hf-cache"
    monkeypatch.setattr(hub_constants, "HF_HUB_CACHE", str(cache))
    monkeypatch.setattr(hub_constants, "HF_HUB_OFFLINE", False)
    return cache


def point_hub_at(monkeypatch: pytest.MonkeyPatch, hub: FakeHub) -> None:
    """What HF_ENDPOINT does, for a library that read it at import time."""
    import huggingface_hub.constants as hub_constants

    monkeypatch.setattr(hub_constants, "ENDPOINT", hub.endpoint)
    template = hub.endpoint + "/{repo_id}/resolve/{revision}/{filename}"
    monkeypatch.setattr(hub_constants, "HUGGINGFACE_CO_URL_TEMPLATE", template)


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_layout_in_a_local_copy(tmp_path: Path, layout: str) -> None:
    LAYOUTS[layout](tmp_path)
    source = data.LocalDirectory(tmp_path)
    assert data.available_organs(source) == ["brain", "lower_limb"]
    assert loaded(source) == EXPECTED


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_layout_on_the_hub(tmp_path: Path, layout: str, hub_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    LAYOUTS[layout](tmp_path / "repo")
    # A page size of 2 makes the file listing span several pages, as large repositories do.
    with serve_dataset_repo(REPO, tmp_path / "repo", page_size=2) as hub:
        point_hub_at(monkeypatch, hub)
        assert loaded(data.HubDataset(REPO)) == EXPECTED
        cases = data.load_organ("lower_limb", data.HubDataset(REPO))
    commit = hub.commits["main"]
    assert cases[0].source == f"{REPO}@{commit}"
    # One resolution of the revision and one listing (however many pages) for the whole benchmark.
    assert hub.count(f"/api/datasets/{REPO}/revision/") == 1
    assert sum("/tree/" in r and "cursor=" not in r for r in hub.requests) == 1
    # Everything was read at the resolved commit, never at the moving branch name.
    downloads = [r for r in hub.requests if "/resolve/" in r]
    assert downloads and all(f"/resolve/{commit}/" in r for r in downloads)
    # The Hub is gone: offline, the same revision comes from the cache.
    import huggingface_hub.constants as hub_constants

    monkeypatch.setattr(hub_constants, "HF_HUB_OFFLINE", True)
    assert loaded(data.HubDataset(REPO)) == EXPECTED


@pytest.mark.parametrize(
    ("name", "organ"),
    [
        ("Lower Limb", "lower_limb"),
        ("lower-limb", "lower_limb"),
        ("GASTROINTESTINAL_TRACT", "gastrointestinal_tract"),
        (" oral  cavity ", "oral_cavity"),
        ("kidney", None),
        ("brain_mri", None),
    ],
)
def test_organ_names_match_whatever_the_spelling(name: str, organ: str | None) -> None:
    assert organ_of(name) == organ


def test_two_candidate_case_files_for_one_organ_are_both_named(tmp_path: Path) -> None:
    write_organ(tmp_path, "brain", [case_row(1)], [label(1)])
    write_parquet(tmp_path / "extra" / "Brain.parquet", [case_row(2, human_answer=SIX_A)])
    with pytest.raises(data.DataValidationError) as raised:
        data.load_organ("brain", data.LocalDirectory(tmp_path))
    message = str(raised.value)
    assert "2 candidate case files for organ system 'brain'" in message
    assert "extra/Brain.parquet" in message and "pair_gt_all/parquet/brain.parquet" in message


def test_two_candidate_label_files_for_one_organ_are_both_named(tmp_path: Path) -> None:
    write_organ(tmp_path, "brain", [case_row(1)], [label(1)])
    (tmp_path / "brain.json").write_text(json.dumps([label(1)]))
    with pytest.raises(
        data.DataValidationError, match=r"2 candidate label files for organ system 'brain': .*brain\.json"
    ):
        data.load_organ("brain", data.LocalDirectory(tmp_path))


def test_nothing_matches_lists_what_is_there_and_names_the_switch(tmp_path: Path) -> None:
    (tmp_path / "scans").mkdir()
    for i in range(12):
        (tmp_path / "scans" / f"{i:02d}.png").write_bytes(png())
    (tmp_path / "notes.csv").write_text("question_id,answer\n")
    with pytest.raises(data.DataValidationError) as raised:
        data.load_organ("brain", data.LocalDirectory(tmp_path))
    message = str(raised.value)
    assert "found no cases of organ system 'brain'" in message
    assert "It holds 13 files (.png: 12, .csv: 1); first: notes.csv, scans/00.png" in message
    assert "MED_REWARDBENCH_DATA_DIR" in message


def test_nothing_matches_on_the_hub_lists_the_repository(
    tmp_path: Path, hub_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "README.md").write_text("# A dataset card without configs\n")
    (tmp_path / "repo" / "images.zip").write_bytes(b"PK")
    with serve_dataset_repo(REPO, tmp_path / "repo") as hub:
        point_hub_at(monkeypatch, hub)
        with pytest.raises(data.DataValidationError) as raised:
            data.load_organ("eye", data.HubDataset(REPO))
    message = str(raised.value)
    assert f"hf://datasets/{REPO}@{hub.commits['main']}: found no cases of organ system 'eye'" in message
    assert "It holds 2 files (.md: 1, .zip: 1); first: README.md, images.zip." in message
    assert "MED_REWARDBENCH_DATA_DIR" in message


def test_a_missing_shard_is_named(tmp_path: Path) -> None:
    write_parquet(tmp_path / "brain-00000-of-00003.parquet", [case_row(1, human_answer=SIX_A)])
    write_parquet(tmp_path / "brain-00002-of-00003.parquet", [case_row(2, human_answer=SIX_A)])
    with pytest.raises(
        data.DataValidationError, match=r"brain-00000-of-00003\.parquet: shard\(s\) 00001 of 3 are missing"
    ):
        data.load_organ("brain", data.LocalDirectory(tmp_path))


def test_the_dataset_card_names_an_organs_files(tmp_path: Path) -> None:
    # Names no heuristic would tie to an organ; the card's configs do.
    write_parquet(tmp_path / "set_a" / "part-0.parquet", [case_row(1, human_answer=SIX_A)])
    write_parquet(tmp_path / "set_b" / "part-0.parquet", [case_row(5, organ="eye", human_answer=SIX_A)])
    (tmp_path / "README.md").write_text(
        "---\nconfigs:\n- config_name: Brain\n  data_files: set_a/*.parquet\n"
        "- config_name: eye\n  data_files:\n  - split: test\n    path: set_b/part-*.parquet\n---\n# card\n"
    )
    source = data.LocalDirectory(tmp_path)
    assert [case.question_id for case in data.load_organ("brain", source)] == ["1"]
    assert [case.question_id for case in data.load_organ("eye", source)] == ["5"]


def test_a_shared_table_row_naming_no_organ_is_refused(tmp_path: Path) -> None:
    write_parquet(
        tmp_path / "all.parquet",
        [case_row(1, human_answer=SIX_A), case_row(2, modality_type="kidney", human_answer=SIX_A)],
    )
    with pytest.raises(data.DataValidationError, match=r"all\.parquet row 1: modality_type is 'kidney', not one of"):
        data.load_organ("brain", data.LocalDirectory(tmp_path))


def test_organ_files_win_over_a_shared_table_for_their_organ(tmp_path: Path) -> None:
    write_organ(tmp_path, "brain", [case_row(1)], [label(1, overall="B")])
    write_parquet(
        tmp_path / "data" / "test-00000-of-00001.parquet",
        [case_row(2, modality_type="eye", human_answer=SIX_A), case_row(3, modality_type="brain", human_answer=SIX_A)],
    )
    source = data.LocalDirectory(tmp_path)
    assert [(c.question_id, c.labels["overall"]) for c in data.load_organ("brain", source)] == [("1", "B")]
    assert [c.question_id for c in data.load_organ("eye", source)] == ["2"]
    assert data.available_organs(source) == ["brain", "eye"]


def test_discovery_reads_nothing_but_the_file_list() -> None:
    layout = discover(
        [
            ".gitattributes",
            "README.md",
            "data/brain/test-00000-of-00002.parquet",
            "data/brain/test-00001-of-00002.parquet",
            "data/brain/train-00000-of-00001.parquet",
            "labels/Lower Limb.jsonl",
            "cases/lower-limb.parquet",
            "dataset_infos.json",
        ],
        where="listing",
    )
    assert layout.organs() == ["brain", "lower_limb"]
    brain = layout.plan("brain")
    assert brain.cases.paths == ("data/brain/test-00000-of-00002.parquet", "data/brain/test-00001-of-00002.parquet")
    assert brain.labels is None and brain.label_candidates == ()
    limb = layout.plan("lower_limb")
    assert (limb.cases.paths, limb.labels.paths if limb.labels else None) == (
        ("cases/lower-limb.parquet",),
        ("labels/Lower Limb.jsonl",),
    )


def test_a_stray_json_file_is_not_taken_for_a_table(tmp_path: Path) -> None:
    write_organ(tmp_path, "brain", [case_row(1)], [label(1)])
    (tmp_path / "build-info.json").write_text(json.dumps({"built": "today"}))
    assert [case.question_id for case in data.load_organ("brain", data.LocalDirectory(tmp_path))] == ["1"]


def test_split_and_label_words_around_an_organ_name_and_label_folders() -> None:
    layout = discover(
        [
            "cases/brain.jsonl",
            "labels/brain.jsonl",
            "gt_all/parquet/eye.parquet",  # a folder with other words is no label folder
            "gt_all/eye.jsonl",
            "chest_test.parquet",
            "chest_train.parquet",
            "Heart.parquet",
            "ground_truth/heart.parquet",
            "foot.parquet",
            "GT-Foot.jsonl",
        ],
        where="listing",
    )
    files = {organ: layout.plan(organ).files() for organ in ("brain", "eye", "chest", "heart", "foot")}
    assert files == {
        "brain": ("cases/brain.jsonl", "labels/brain.jsonl"),
        "eye": ("gt_all/parquet/eye.parquet", "gt_all/eye.jsonl"),
        "chest": ("chest_test.parquet",),
        "heart": ("Heart.parquet", "ground_truth/heart.parquet"),
        "foot": ("foot.parquet", "GT-Foot.jsonl"),
    }
    # Any other word makes a name no organ's.
    assert discover(["brain_mri.parquet", "test_brain_scans.jsonl"], where="listing").organs() == []


def test_a_label_file_and_another_json_file_of_one_organ_are_both_named(tmp_path: Path) -> None:
    write_parquet(tmp_path / "brain.parquet", [case_row(1)])
    write_jsonl(tmp_path / "brain.jsonl", [label(1)])
    write_jsonl(tmp_path / "brain_labels.jsonl", [label(1)])
    with pytest.raises(data.DataValidationError, match=r"2 candidate label files for organ system 'brain': .*"):
        data.load_organ("brain", data.LocalDirectory(tmp_path))


ONE_CASE = {k: v for k, v in case_row(1).items() if k != "image"} | {"image": "1.png", "human_answer": SIX_A}
TWO_CASES = [ONE_CASE, ONE_CASE | {"question_id": 2}]


@pytest.mark.parametrize(
    "document",
    [
        pytest.param(TWO_CASES, id="list-of-records"),
        pytest.param({column: [row[column] for row in TWO_CASES] for column in ONE_CASE}, id="columns-of-lists"),
        pytest.param(
            {column: {str(i): row[column] for i, row in enumerate(TWO_CASES)} for column in ONE_CASE},
            id="pandas-orient-columns",
        ),
        pytest.param({str(i): row for i, row in enumerate(TWO_CASES)}, id="pandas-orient-index"),
        pytest.param({"version": "1.0", "data": TWO_CASES}, id="records-under-one-key"),
    ],
)
def test_json_documents_that_say_what_their_rows_are(tmp_path: Path, document: object) -> None:
    (tmp_path / "1.png").write_bytes(png(40))
    (tmp_path / "brain.json").write_text(json.dumps(document))
    cases = data.load_organ("brain", data.LocalDirectory(tmp_path))
    assert [(case.question_id, case.image, dict(case.labels)) for case in cases] == [
        ("1", png(40), SIX_A),
        ("2", png(40), SIX_A),
    ]


def test_one_json_file_per_case_in_an_organ_folder(tmp_path: Path) -> None:
    for i in (1, 2):
        (tmp_path / "Brain" / "images").mkdir(parents=True, exist_ok=True)
        (tmp_path / "Brain" / "images" / f"{i}.png").write_bytes(png(10 * i))
        record = ONE_CASE | {"question_id": i, "image": f"images/{i}.png"}
        (tmp_path / "Brain" / f"{i:04d}.json").write_text(json.dumps(record))
    cases = data.load_organ("brain", data.LocalDirectory(tmp_path))
    assert [(case.question_id, case.image) for case in cases] == [("1", png(10)), ("2", png(20))]


def test_a_json_document_of_no_known_shape_is_refused_naming_its_keys(tmp_path: Path) -> None:
    (tmp_path / "brain.json").write_text(json.dumps({"brain": TWO_CASES, "eye": TWO_CASES}))
    with pytest.raises(
        data.DataValidationError, match=r"brain\.json: a JSON dict with keys 'brain', 'eye' is no table\. Expected"
    ):
        data.load_organ("brain", data.LocalDirectory(tmp_path))


def test_json_lines_saved_with_a_byte_order_mark_and_crlf_line_ends(tmp_path: Path) -> None:
    write_organ(tmp_path, "brain", [case_row(1), case_row(2)], labels=None)
    text = "".join(json.dumps(label(i, overall="B")) + "\r\n" for i in (1, 2))
    (tmp_path / "pair_gt_all" / "brain.jsonl").write_bytes(b"\xef\xbb\xbf" + text.encode())
    cases = data.load_organ("brain", data.LocalDirectory(tmp_path))
    assert [(case.question_id, case.labels["overall"]) for case in cases] == [("1", "B"), ("2", "B")]


def test_two_json_tables_of_no_organ_are_both_named(tmp_path: Path) -> None:
    (tmp_path / "1.png").write_bytes(png())
    write_jsonl(tmp_path / "test.jsonl", TWO_CASES)
    write_jsonl(tmp_path / "cases.jsonl", TWO_CASES)
    with pytest.raises(
        data.DataValidationError, match=r"several tables could hold all organs: cases\.jsonl; test\.jsonl"
    ):
        data.load_organ("brain", data.LocalDirectory(tmp_path))


def test_one_json_lines_table_of_all_organs_with_a_label_file_beside_it(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "1.png").write_bytes(png())
    rows = [
        ONE_CASE | {"question_id": 1, "modality_type": "Brain"},
        ONE_CASE | {"question_id": 2, "modality_type": "EYE"},
    ]
    write_jsonl(
        tmp_path / "data" / "test.jsonl", [{k: v for k, v in row.items() if k != "human_answer"} for row in rows]
    )
    write_jsonl(tmp_path / "labels.jsonl", [label(2, overall="B"), label(1)])
    (tmp_path / "stats.json").write_text(json.dumps({"cases": 2}))
    source = data.LocalDirectory(tmp_path)
    assert data.available_organs(source) == ["brain", "eye"]
    assert [(c.question_id, c.labels["overall"]) for c in data.load_organ("eye", source)] == [("2", "B")]


def test_json_files_of_no_organ_without_cases_are_no_table(tmp_path: Path) -> None:
    (tmp_path / "stats.json").write_text(json.dumps({"cases": 3}))
    write_jsonl(tmp_path / "results.jsonl", [label(1)])
    with pytest.raises(data.DataValidationError, match=r"found no cases of organ system 'brain'.*It holds 2 files"):
        data.load_organ("brain", data.LocalDirectory(tmp_path))
