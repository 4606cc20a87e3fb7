"""The 13-organ group on a local copy of the benchmark layout, and what a broken or missing copy does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from med_rewardbench_tasks.constants import ORGANS
from tests.conftest import DIMENSIONS, read_truth, run_lmms_eval
from tests.synthetic import make_cases, write_layout

pytestmark = pytest.mark.integration

ALWAYS_A = ["--model", "med_rewardbench_baseline", "--model_args", "strategy=always_a"]


@pytest.fixture(scope="module")
def local_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A local copy with organ systems of very different sizes (2 to 14 cases), so weighting matters.

    (lmms-eval reports no stderr for a one-case task, and then none for its group.)
    """
    root = tmp_path_factory.mktemp("med-rewardbench-copy")
    write_layout(make_cases({organ: i + 2 for i, organ in enumerate(ORGANS)}, seed=3), root)
    return root


def test_group_reports_case_weighted_numbers(tmp_path: Path, local_copy: Path) -> None:
    run = run_lmms_eval(
        [*ALWAYS_A, "--tasks", "med_rewardbench"], tmp_path, env={"MED_REWARDBENCH_DATA_DIR": str(local_copy)}
    )
    truth = read_truth(local_copy)
    assert len(truth) == sum(range(2, 15))
    group = run.metrics("med_rewardbench")
    for dimension in DIMENSIONS:
        pooled = sum(case.labels[dimension] == "A" for case in truth) / len(truth)
        assert group[f"{dimension}_acc"] == pytest.approx(pooled)
        assert isinstance(group[f"{dimension}_acc_stderr"], float)
        per_organ = []
        for organ in ORGANS:
            cases = [case for case in truth if case.organ == organ]
            organ_value = sum(case.labels[dimension] == "A" for case in cases) / len(cases)
            assert run.metrics(f"med_rewardbench_{organ}")[f"{dimension}_acc"] == pytest.approx(organ_value)
            per_organ.append(organ_value)
    overall_per_organ = [run.metrics(f"med_rewardbench_{organ}")["overall_acc"] for organ in ORGANS]
    assert group["overall_acc"] != pytest.approx(sum(overall_per_organ) / len(ORGANS))
    assert group["parse_failure_rate"] == 0.0
    assert run.results["n-samples"]["med_rewardbench_upper_limb"]["effective"] == 14


def test_broken_copy_stops_the_run_naming_file_and_case(tmp_path: Path, local_copy: Path) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    write_layout(make_cases({"eye": 3}, seed=5), broken)
    labels = broken / "pair_gt_all" / "eye.jsonl"
    lines = labels.read_text().splitlines()
    dropped = json.loads(lines[1])["question_id"]
    labels.write_text("\n".join([lines[0], lines[2]]) + "\n")
    run = run_lmms_eval(
        [*ALWAYS_A, "--tasks", "med_rewardbench_eye"],
        tmp_path,
        env={"MED_REWARDBENCH_DATA_DIR": str(broken)},
        expect_results=False,
    )
    assert run.results == {}
    assert f"eye.parquet row 1 (question_id {dropped}): no label in {labels}" in run.output


def test_no_network_and_no_local_copy_names_the_switch(tmp_path: Path) -> None:
    run = run_lmms_eval([*ALWAYS_A, "--tasks", "med_rewardbench_brain"], tmp_path, expect_results=False)
    assert run.results == {}
    assert "DataUnavailableError" in run.output
    assert "set MED_REWARDBENCH_DATA_DIR=/path/to/copy" in run.output
