"""``med-rewardbench build-dataset``: the benchmark in the Hub's own form, read back with plain ``datasets``."""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path

import datasets
import pytest
import yaml

from med_rewardbench_tasks import build_dataset as builder
from med_rewardbench_tasks import data
from med_rewardbench_tasks.constants import DIMENSIONS, ORGANS
from tests.conftest import read_truth
from tests.synthetic import make_cases, write_layout


def build(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    builder.configure(parser)
    return builder.run(parser.parse_args(argv))


def card_header(out: Path) -> dict:
    text = (out / "README.md").read_text()
    assert text.startswith("---\n")
    return yaml.safe_load(text.split("---\n")[1])


@pytest.fixture(scope="module")
def sample_built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("hub") / "sample"
    assert build([str(out), "--sample"]) == 0
    return out


def test_each_organ_is_a_config_with_a_test_split(sample_built: Path, sample_truth) -> None:
    for organ in ORGANS:
        assert sorted(path.name for path in (sample_built / organ).iterdir()) == ["test-00000-of-00001.parquet"]
        rows = datasets.load_dataset(str(sample_built), organ, split="test")
        truth = [case for case in sample_truth if case.organ == organ]
        assert rows["question_id"] == [case.question_id for case in truth]
        assert rows["modality_type"] == [organ] * len(truth)
        assert rows["answer1_text"] == [case.answer1_text for case in truth]
        assert rows["human_answer"] == [{d: case.labels[d] for d in DIMENSIONS} for case in truth]
        assert isinstance(rows.features["image"], datasets.Image)
        assert rows[0]["image"].size[0] > 0  # decodes to a PIL image


def test_all_reads_every_organ_from_the_same_files(sample_built: Path, sample_truth) -> None:
    rows = datasets.load_dataset(str(sample_built), "all", split="test")
    assert sorted(zip(rows["modality_type"], rows["question_id"], strict=True)) == sorted(
        (case.organ, case.question_id) for case in sample_truth
    )
    assert not list(sample_built.glob("all*")), "the `all` config stores nothing of its own"


def test_the_card_declares_the_configs_the_paper_a_license_field_and_the_columns(sample_built: Path) -> None:
    header = card_header(sample_built)
    assert header["license"] == "unknown"
    configs = {config["config_name"]: config["data_files"] for config in header["configs"]}
    assert list(configs) == ["all", *ORGANS]
    assert configs["brain"] == [{"split": "test", "path": "brain/test-*.parquet"}]
    text = (sample_built / "README.md").read_text()
    assert "https://arxiv.org/abs/2508.21430" in text and "synthetic sample" in text
    for column in ("question_id", "modality_type", "answer1_text", "answer2_text", "image", "human_answer"):
        assert f"| `{column}` |" in text


def test_a_local_copy_with_shards_and_departments(tmp_path: Path, monkeypatch) -> None:
    copy = tmp_path / "copy"
    cases = make_cases({"heart": 5, "lung": 2}, seed=4, with_department=True)
    write_layout(cases, copy)
    monkeypatch.setenv("MED_REWARDBENCH_DATA_DIR", str(copy))
    written = builder.build_dataset(tmp_path / "out", max_shard_bytes=4000)
    assert written == {"heart": 5, "lung": 2}
    shards = sorted(path.name for path in (tmp_path / "out" / "heart").iterdir())
    assert len(shards) > 1 and shards[0] == f"test-00000-of-{len(shards):05d}.parquet"
    rows = datasets.load_dataset(str(tmp_path / "out"), "heart", split="test")
    assert rows["question_id"] == [case.question_id for case in read_truth(copy) if case.organ == "heart"]
    assert rows["department"] == [case.department for case in cases if case.organ == "heart"]
    assert "| `department` |" in (tmp_path / "out" / "README.md").read_text()
    assert (
        "copy" in (tmp_path / "out" / "README.md").read_text()
        and str(tmp_path) not in (tmp_path / "out" / "README.md").read_text()
    )


def test_refuses_a_folder_that_is_not_empty(tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "mine.txt").write_text("keep")
    assert build([str(out), "--sample"]) == 2
    assert "is not an empty folder" in capsys.readouterr().err
    assert (out / "mine.txt").read_text() == "keep"


def test_a_broken_case_stops_the_build_before_anything_is_written(tmp_path: Path, monkeypatch, capsys) -> None:
    copy = tmp_path / "copy"
    write_layout(make_cases({"eye": 2}, seed=1), copy)
    labels = copy / "pair_gt_all" / "eye.jsonl"
    first, second = labels.read_text().splitlines()
    record = json.loads(second)
    record["human_answer"]["overall"] = "tie"
    labels.write_text(first + "\n" + json.dumps(record) + "\n")
    monkeypatch.setenv("MED_REWARDBENCH_DATA_DIR", str(copy))
    assert build([str(tmp_path / "out")]) == 2
    assert "human_answer['overall'] is 'tie'" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_the_same_question_id_in_two_organs_is_refused(tmp_path: Path, monkeypatch) -> None:
    copy = tmp_path / "copy"
    write_layout(make_cases({"eye": 1}, seed=1), copy)
    write_layout(make_cases({"foot": 1}, seed=2), copy)  # question_id 1 again, in another organ
    monkeypatch.setenv("MED_REWARDBENCH_DATA_DIR", str(copy))
    with pytest.raises(data.DataValidationError, match=r"question_id 1 is in two organ systems: eye .* and foot"):
        builder.build_dataset(tmp_path / "out")


def test_the_loader_reads_the_built_dataset_back_case_for_case(sample_built: Path) -> None:
    built = data.LocalDirectory(sample_built)
    shipped = data.sample_source()
    assert data.available_organs(built) == data.available_organs(shipped)
    for organ in data.available_organs(shipped):
        again, original = data.load_organ(organ, built), data.load_organ(organ, shipped)
        # Everything but where it was read from: ids, texts, labels, metadata and the image bytes themselves.
        assert [replace(case, source=None) for case in again] == [replace(case, source=None) for case in original]


@pytest.mark.integration
def test_a_run_on_the_built_dataset_scores_like_the_shipped_sample(sample_built: Path, tmp_path: Path) -> None:
    from tests.conftest import run_lmms_eval

    judge = ["--model", "med_rewardbench_baseline", "--model_args", "strategy=longer_answer"]
    built = run_lmms_eval(
        [*judge, "--tasks", "med_rewardbench"], tmp_path / "built", env={"MED_REWARDBENCH_DATA_DIR": str(sample_built)}
    )
    shipped = run_lmms_eval([*judge, "--tasks", "med_rewardbench_sample"], tmp_path / "shipped")
    # The group's case-weighted numbers over the 13 organs are the sample task's numbers over its 30 cases.
    group, sample = built.metrics("med_rewardbench"), shipped.metrics("med_rewardbench_sample")
    for metric in ("accuracy_acc", "overall_acc", "mean_acc", "parse_failure_rate"):
        assert group[metric] == pytest.approx(sample[metric], abs=1e-12), metric
    assert sum(built.results["n-samples"][f"med_rewardbench_{organ}"]["effective"] for organ in ORGANS) == 30
