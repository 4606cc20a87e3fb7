"""Tests of the synthetic Med-RewardBench generator and of the shipped pipeline sample."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml
from PIL import Image

from med_rewardbench_tasks.constants import BENCHMARK_CASES, DIMENSIONS, LABELS_DIR, ORGANS, PARQUET_DIR, WINNERS
from tests.synthetic import (
    SYNTHETIC_DATASET_NAME,
    ContentError,
    SyntheticCase,
    department_of,
    distribute_cases,
    load_content,
    make_cases,
    write_layout,
    write_synthetic_benchmark,
)
from tests.synthetic.content import CONTENT_FILE, parse_content

REPO_ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DIR = REPO_ROOT / "med_rewardbench_tasks" / "sample_data"
BUILD_SCRIPT = REPO_ROOT / "scripts" / "build_sample.py"

EXPECTED_TYPES = {
    "image": pa.struct([("bytes", pa.binary()), ("path", pa.string())]),
    "question": pa.string(),
    "answer1_text": pa.string(),
    "answer2_text": pa.string(),
    "question_id": pa.int64(),
    "modality_type": pa.string(),
    "body_part": pa.string(),
    "dataset": pa.string(),
    "question_type": pa.string(),
    "image_id": pa.string(),
}
DEPARTMENTS = {
    "radiology",
    "cardiology",
    "neurology",
    "ophthalmology",
    "gastroenterology",
    "orthopedics",
    "dentistry",
    "obstetrics_gynecology",
}


@pytest.fixture(scope="module")
def full_set() -> list[SyntheticCase]:
    start = time.perf_counter()
    cases = make_cases(distribute_cases(BENCHMARK_CASES), seed=0)
    print(f"\ngenerated {len(cases)} synthetic cases in {time.perf_counter() - start:.2f} s")
    return cases


def _longer_answer_accuracy(cases: list[SyntheticCase], dim_index: int) -> float:
    hits = 0
    for case in cases:
        guess = "A" if len(case.answer1_text) > len(case.answer2_text) else "B"
        hits += guess == case.labels[dim_index]
    return hits / len(cases)


def _read_labels(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# --- distribute_cases --------------------------------------------------------------------


def test_distribute_cases_even_split() -> None:
    counts = distribute_cases(1026)
    assert list(counts) == list(ORGANS)
    # 1026 = 13 * 79 - 1: the first twelve organs get 79 cases, the last one 78.
    assert list(counts.values()) == [79] * 12 + [78]
    assert distribute_cases(1027) == {organ: 79 for organ in ORGANS}


@pytest.mark.parametrize("total", [0, 1, 12, 13, 14, 30, 100, 1026, 1030])
def test_distribute_cases_sums_and_is_balanced(total: int) -> None:
    counts = distribute_cases(total)
    assert sum(counts.values()) == total
    assert max(counts.values()) - min(counts.values()) <= 1
    values = list(counts.values())
    assert values == sorted(values, reverse=True)  # remainder goes to the first organs


def test_distribute_cases_custom_organs_and_errors() -> None:
    assert distribute_cases(5, ("brain", "eye")) == {"brain": 3, "eye": 2}
    with pytest.raises(ValueError):
        distribute_cases(-1)
    with pytest.raises(ValueError):
        distribute_cases(3, ())


# --- determinism -------------------------------------------------------------------------


def test_make_cases_is_deterministic() -> None:
    counts = {organ: 2 for organ in ORGANS}
    first = make_cases(counts, seed=7)
    second = make_cases(counts, seed=7)
    assert first == second
    assert [c.image_png for c in first] == [c.image_png for c in second]
    other = make_cases(counts, seed=8)
    assert [c.image_png for c in first] != [c.image_png for c in other]


def test_make_cases_does_not_touch_global_random() -> None:
    import random

    random.seed(123)
    expected = random.random()
    random.seed(123)
    make_cases({"chest": 3}, seed=1)
    assert random.random() == expected


def test_case_fields(full_set: list[SyntheticCase]) -> None:
    assert len(full_set) == BENCHMARK_CASES
    ids = [c.question_id for c in full_set]
    assert ids == list(range(1, BENCHMARK_CASES + 1))
    for case in full_set[::37]:
        image = Image.open(io.BytesIO(case.image_png))
        assert image.format == "PNG"
        assert image.size == (128, 128)
        assert image.mode == "L"
        assert case.modality_type == case.organ
        assert case.dataset == SYNTHETIC_DATASET_NAME
        assert case.department is None
        assert len(case.labels) == len(DIMENSIONS)
        assert set(case.labels) <= set(WINNERS)
        assert case.answer1_text != case.answer2_text
        assert case.body_part and case.question_type and case.image_id
        for text in (case.question, case.answer1_text, case.answer2_text):
            assert "synthetic" not in text.lower()


def test_image_size_and_first_question_id() -> None:
    cases = make_cases({"eye": 2, "heart": 1}, seed=0, image_size=64, first_question_id=500)
    assert [c.question_id for c in cases] == [500, 501, 502]
    assert [c.organ for c in cases] == ["eye", "eye", "heart"]
    assert Image.open(io.BytesIO(cases[0].image_png)).size == (64, 64)


def test_with_department() -> None:
    cases = make_cases({organ: 1 for organ in ORGANS}, seed=0, with_department=True)
    assert {c.department for c in cases} == DEPARTMENTS
    for case in cases:
        assert case.department == department_of(case.organ)
    assert department_of("heart") == "cardiology"
    assert department_of("eye") == "ophthalmology"


# --- label properties --------------------------------------------------------------------


def test_labels_are_balanced(full_set: list[SyntheticCase]) -> None:
    for i, dim in enumerate(DIMENSIONS):
        share = sum(c.labels[i] == "A" for c in full_set) / len(full_set)
        print(f"{dim}: A share {share:.3f}")
        assert 0.3 < share < 0.7, dim


def test_dimensions_do_not_always_agree(full_set: list[SyntheticCase]) -> None:
    mixed = sum(len(set(c.labels)) > 1 for c in full_set)
    assert mixed > len(full_set) * 0.3
    for i, a in enumerate(DIMENSIONS):
        for j in range(i + 1, len(DIMENSIONS)):
            agree = sum(c.labels[i] == c.labels[j] for c in full_set) / len(full_set)
            assert agree < 0.95, (a, DIMENSIONS[j])


def test_longer_answer_baseline_is_not_an_oracle(full_set: list[SyntheticCase]) -> None:
    accuracies = [_longer_answer_accuracy(full_set, i) for i in range(len(DIMENSIONS))]
    for dim, acc in zip(DIMENSIONS, accuracies, strict=True):
        print(f"{dim}: longer-answer accuracy {acc:.3f}")
        assert 0.15 < acc < 0.85, dim
    assert len({round(a, 6) for a in accuracies}) > 1


def test_accuracy_label_follows_the_drawn_finding(full_set: list[SyntheticCase]) -> None:
    """For 'what is the finding' questions, only the accuracy winner's answer names the drawn finding."""
    key = re.compile(r"(?:The main finding is|This image shows) ([^.]*)\.")
    checked = 0
    for case in full_set:
        if case.question_type != "abnormality":
            continue
        a_wins = case.human_answer["accuracy"] == "A"
        winner, loser = (case.answer1_text, case.answer2_text) if a_wins else (case.answer2_text, case.answer1_text)
        (winner_key,) = key.findall(winner)
        (loser_key,) = key.findall(loser)
        assert case.finding in winner_key.lower()
        assert case.finding not in loser_key.lower()
        checked += 1
    assert checked > 100


def test_relevance_and_responsiveness_follow_the_text(full_set: list[SyntheticCase]) -> None:
    """The relevance loser carries an off-topic sentence; the responsiveness winner answers first."""
    for case in full_set:
        answers = {"A": case.answer1_text, "B": case.answer2_text}
        rel = case.human_answer["relevance"]
        other = "B" if rel == "A" else "A"
        assert not any(d in answers[rel] for d in load_content().digressions)
        assert any(d in answers[other] for d in load_content().digressions)
        resp = case.human_answer["responsiveness"]
        other = "B" if resp == "A" else "A"
        assert not answers[resp].startswith(load_content().preambles)
        assert answers[other].startswith(load_content().preambles)


# --- written layout ----------------------------------------------------------------------


def _check_layout(root: Path, cases: list[SyntheticCase] | None = None, department: bool = False) -> None:
    parquet_files = sorted((root / PARQUET_DIR).glob("*.parquet"))
    assert parquet_files, root
    all_ids: list[int] = []
    for path in parquet_files:
        organ = path.stem
        assert organ in ORGANS
        table = pq.read_table(path)
        expected = dict(EXPECTED_TYPES)
        if department:
            expected["department"] = pa.string()
        assert table.schema.names == list(expected)
        for name, typ in expected.items():
            assert table.schema.field(name).type == typ, name
        meta = json.loads(table.schema.metadata[b"huggingface"])
        features = meta["info"]["features"]
        assert features["image"] == {"_type": "Image"}
        assert features["question_id"]["dtype"] == "int64"
        rows = table.to_pylist()
        assert {r["modality_type"] for r in rows} == {organ}
        for row in rows:
            assert row["image"]["path"] == row["image_id"]
            assert Image.open(io.BytesIO(row["image"]["bytes"])).format == "PNG"
            assert row["dataset"] == SYNTHETIC_DATASET_NAME
        labels = _read_labels(root / LABELS_DIR / f"{organ}.jsonl")
        by_id = {rec["question_id"]: rec["human_answer"] for rec in labels}
        assert len(by_id) == len(labels)
        ids = [r["question_id"] for r in rows]
        assert set(ids) == set(by_id)
        for answer in by_id.values():
            assert list(answer) == list(DIMENSIONS)
            assert set(answer.values()) <= set(WINNERS)
        all_ids += ids
    assert len(all_ids) == len(set(all_ids))
    if cases is not None:
        assert sorted(all_ids) == sorted(c.question_id for c in cases)


def test_write_layout_schema(tmp_path: Path) -> None:
    cases = make_cases({"brain": 3, "chest": 2, "eye": 1}, seed=5)
    written = write_layout(cases, tmp_path)
    assert len(written) == 6
    assert all(p.exists() for p in written)
    assert {p.name for p in written} == {
        "brain.parquet",
        "chest.parquet",
        "eye.parquet",
        "brain.jsonl",
        "chest.jsonl",
        "eye.jsonl",
    }
    _check_layout(tmp_path, cases)
    rows = pq.read_table(tmp_path / PARQUET_DIR / "brain.parquet").to_pylist()
    labels = _read_labels(tmp_path / LABELS_DIR / "brain.jsonl")
    brain = [c for c in cases if c.organ == "brain"]
    for case, row, rec in zip(brain, rows, labels, strict=False):
        assert row["question"] == case.question
        assert row["answer1_text"] == case.answer1_text
        assert row["image"]["bytes"] == case.image_png
        assert rec == case.label_record()


def test_write_layout_readable_by_datasets(tmp_path: Path) -> None:
    import datasets

    write_layout(make_cases({"lung": 2}, seed=0), tmp_path)
    ds = datasets.Dataset.from_parquet(str(tmp_path / PARQUET_DIR / "lung.parquet"))
    assert isinstance(ds.features["image"], datasets.Image)
    image = ds[0]["image"]
    assert image.size == (128, 128)


def test_write_layout_with_department(tmp_path: Path) -> None:
    cases = make_cases({"heart": 2, "foot": 1}, seed=0, with_department=True)
    write_layout(cases, tmp_path)
    _check_layout(tmp_path, cases, department=True)
    table = pq.read_table(tmp_path / PARQUET_DIR / "heart.parquet")
    assert table.column("department").to_pylist() == ["cardiology", "cardiology"]


def test_write_layout_rejects_duplicate_ids(tmp_path: Path) -> None:
    a = make_cases({"brain": 1}, seed=0)
    b = make_cases({"eye": 1}, seed=0)
    with pytest.raises(ValueError):
        write_layout(a + b, tmp_path)


def test_write_synthetic_benchmark_small(tmp_path: Path) -> None:
    written = write_synthetic_benchmark(tmp_path, total=26, seed=3, image_size=48)
    assert len(written) == 2 * len(ORGANS)
    _check_layout(tmp_path)
    counts = Counter(
        organ
        for organ in ORGANS
        for _ in pq.read_table(tmp_path / PARQUET_DIR / f"{organ}.parquet").column("question_id").to_pylist()
    )
    assert set(counts.values()) == {2}


# --- the shipped sample ------------------------------------------------------------------


def test_shipped_sample_layout() -> None:
    assert (SAMPLE_DIR / "README.md").exists()
    readme = (SAMPLE_DIR / "README.md").read_text(encoding="utf-8").lower()
    assert "synthetic" in readme and "not" in readme and "build_sample.py" in readme
    _check_layout(SAMPLE_DIR)
    n_rows = sum(pq.read_metadata(p).num_rows for p in (SAMPLE_DIR / PARQUET_DIR).glob("*.parquet"))
    assert n_rows == 30
    assert {p.stem for p in (SAMPLE_DIR / PARQUET_DIR).glob("*.parquet")} == set(ORGANS)


def test_shipped_sample_matches_regeneration(tmp_path: Path) -> None:
    """scripts/build_sample.py, run from a clean environment, writes the shipped sample byte for byte."""
    subprocess.run(
        [sys.executable, str(BUILD_SCRIPT), "--out", str(tmp_path), "--seed", "0"],
        check=True,
        cwd=tmp_path,  # not the checkout: the script must find tests/synthetic on its own
        capture_output=True,
    )
    shipped = sorted(p.relative_to(SAMPLE_DIR) for p in SAMPLE_DIR.rglob("*") if p.is_file())
    rebuilt = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert shipped == rebuilt
    for rel in shipped:
        same_bytes = (SAMPLE_DIR / rel).read_bytes() == (tmp_path / rel).read_bytes()
        if not same_bytes and rel.suffix == ".parquet":
            same_rows = pq.read_table(SAMPLE_DIR / rel).to_pylist() == pq.read_table(tmp_path / rel).to_pylist()
            assert same_bytes, f"{rel}: " + (
                "the same rows in different bytes; is pyarrow/datasets the locked version?"
                if same_rows
                else "different rows: rebuild the sample with scripts/build_sample.py"
            )
        assert same_bytes, f"{rel} differs from a fresh build: rebuild the sample with scripts/build_sample.py"


# --- the case content (cases.yaml) ---------------------------------------------------------


def test_content_describes_every_organ_system() -> None:
    document = yaml.safe_load(CONTENT_FILE.read_text(encoding="utf-8"))
    assert list(document["organs"]) == list(ORGANS)
    loaded = load_content()
    for organ in ORGANS:
        spec = loaded.organs[organ]
        assert spec.department in DEPARTMENTS
        for finding in spec.findings:
            assert set(finding.locations) <= set(spec.locations), (organ, finding.name)
    # The shared fracture entry is merged into each limb's list with that limb's own locations.
    fractures = {organ: f.locations for organ in ORGANS for f in loaded.organs[organ].findings if f.name == "fracture"}
    assert fractures == {
        "foot": ("base of the fifth metatarsal", "second metatarsal shaft", "calcaneus"),
        "lower_limb": ("distal femur", "proximal tibia", "fibular shaft", "femoral shaft"),
        "upper_limb": ("distal radius", "humeral shaft", "ulnar shaft", "olecranon"),
    }


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d["organs"]["eye"]["findings"][0]["locations"].append("left kidney"), r"organs.eye.findings\[0\]"),
        (lambda d: d["organs"]["heart"].update(mask="square"), r"organs.heart.mask is 'square'"),
        (lambda d: d["organs"]["brain"].update(modalities=["pet"]), r"organs.brain.modalities entry is 'pet'"),
        (lambda d: d["organs"].pop("lung"), r"organs must describe abdomen, .*upper_limb"),
        (lambda d: d["digressions"].clear(), r"digressions must be a non-empty list"),
        (
            lambda d: d["organs"]["foot"]["findings"][1].pop("tone"),
            r"organs.foot.findings\[1\] has missing fields \['tone'\]",
        ),
    ],
)
def test_content_errors_name_the_entry(edit: Any, message: str) -> None:
    document = yaml.safe_load(CONTENT_FILE.read_text(encoding="utf-8"))
    edit(document)
    with pytest.raises(ContentError, match=message):
        parse_content(document)
