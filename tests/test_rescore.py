"""``med-rewardbench rescore`` on hand-made samples logs and paper-pipeline output files.

Expected numbers are counted by hand from the letters written in each test. The end-to-end
check against the real lmms-eval CLI is in test_report.py (it shares the two lmms-eval runs).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from med_rewardbench_tasks import rescore
from tests.test_report import DATE, sample_record, swap_pair, write_results, write_samples

SIX_A = json.dumps(
    dict.fromkeys(("accuracy", "relevance", "comprehensiveness", "creativity", "responsiveness", "overall"), "A")
)


def run_rescore(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser()
    rescore.configure(parser)
    return rescore.run(parser.parse_args(list(argv)))


def rescore_json(argv: Sequence[str], tmp_path: Path) -> dict[str, Any]:
    out = tmp_path / "rescore.json"
    assert run_rescore([*argv, "--json", str(out)]) == 0
    return json.loads(out.read_text())


# ---------------------------------------------------------------------------------------
# Samples logs
# ---------------------------------------------------------------------------------------
def stale_log(tmp_path: Path, policy: str = "overall_only") -> Path:
    """Three cases whose logged verdicts came from an older parser that read nothing."""
    lines = [
        # The raw output says all A; the log says unparseable: the current parser reads it.
        sample_record(0, "1", "AAAAAA", "------", raw=SIX_A, policy=policy),
        # A lone verdict: overall only, or all six under all_dimensions. Logged as unreadable.
        sample_record(1, "2", "BBBBBB", "------", raw="After comparing both: [[B]]", policy=policy),
        # Logged correctly already: stays as it is.
        sample_record(2, "3", "AAAAAA", "AAAAAA", raw=SIX_A, policy=policy),
    ]
    folder = tmp_path / "run"
    path = write_samples(folder, "med_rewardbench_sample", lines)
    write_results(folder, ["med_rewardbench_sample"])
    return path


def test_rescoring_counts_changed_verdicts_and_recomputes_every_metric(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = rescore_json([str(stale_log(tmp_path))], tmp_path)
    assert result["lone_verdict"] == "as_logged"
    (run,) = result["runs"]
    assert run["label"] == "med_rewardbench_baseline (strategy=always_a)"
    task = run["tasks"]["med_rewardbench_sample"]
    assert (task["n_cases"], task["n_presentations"], task["changed_verdicts"]) == (3, 3, 2)
    assert [change["doc_id"] for change in task["changes"]] == [0, 1]
    assert task["changes"][1]["rescored"] == {
        "choices": {
            "accuracy": None,
            "relevance": None,
            "comprehensiveness": None,
            "creativity": None,
            "responsiveness": None,
            "overall": "B",
        },
        "status": "partial",
        "method": "lone_verdict",
    }
    metrics = task["metrics"]
    # Case 1 and 3 right on all six; case 2 right on overall only (and a parse failure).
    assert metrics["accuracy_acc"] == 2 / 3
    assert metrics["overall_acc"] == 3 / 3
    assert metrics["mean_acc"] == pytest.approx((1 + 1 / 6 + 1) / 3, abs=1e-15)
    assert metrics["parse_failure_rate"] == 1 / 3
    assert set(task["intervals"]) >= {"accuracy_acc", "mean_acc", "parse_failure_rate"}
    assert task["statuses"] == {"ok": 2, "partial": 1}
    printed = capsys.readouterr().out
    assert "verdicts changed vs. the log: 2 of 3" in printed
    assert "verdicts changed vs. the logged ones: 2 of 3" in printed
    assert "mean                  72.2%" in printed


def test_lone_verdict_policy_option_and_the_logged_policy(tmp_path: Path) -> None:
    path = stale_log(tmp_path)
    spread = rescore_json([str(path), "--lone-verdict", "all_dimensions"], tmp_path)
    metrics = spread["runs"][0]["tasks"]["med_rewardbench_sample"]["metrics"]
    assert spread["lone_verdict"] == "all_dimensions"
    assert (metrics["accuracy_acc"], metrics["mean_acc"], metrics["parse_failure_rate"]) == (1.0, 1.0, 0.0)
    # Without the option each output is parsed with the policy it was logged with.
    logged_spread = stale_log(tmp_path / "other", policy="all_dimensions")
    as_logged = rescore_json([str(logged_spread)], tmp_path)
    assert as_logged["runs"][0]["tasks"]["med_rewardbench_sample"]["metrics"]["accuracy_acc"] == 1.0


def test_swap_logs_get_the_swap_metrics(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = [
        *swap_pair(0, "1", "AAAAAA", "AAAAAA", "AAAAAA"),
        *swap_pair(2, "2", "BBBBBB", "AAAAAA", "AAAAAA"),
    ]
    path = write_samples(tmp_path, "med_rewardbench_sample_swap", lines)
    result = rescore_json([str(path)], tmp_path)
    task = result["runs"][0]["tasks"]["med_rewardbench_sample_swap"]
    assert (task["n_cases"], task["n_presentations"], task["changed_verdicts"]) == (2, 4, 0)
    metrics = task["metrics"]
    assert (metrics["accuracy_acc"], metrics["accuracy_swapped_acc"]) == (1 / 2, 1 / 2)
    assert (metrics["mean_consistency"], metrics["mean_first_position_rate"], metrics["mean_strict_acc"]) == (0, 1, 0)
    assert metrics["mean_expert_first_position_rate"] == 1 / 2
    assert "consistency" in capsys.readouterr().out


def test_organ_tasks_are_pooled_per_run(tmp_path: Path) -> None:
    folder = tmp_path / "organs"
    write_samples(folder, "med_rewardbench_abdomen", [sample_record(0, "1", "AAAAAA", "AAAAAA")])
    write_samples(
        folder,
        "med_rewardbench_brain",
        [
            sample_record(0, "1", "AAAAAA", "BBBBBB", organ="brain"),
            sample_record(1, "2", "AAAAAA", "AAAAAA", organ="brain"),
        ],
    )
    write_results(folder, ["med_rewardbench_abdomen", "med_rewardbench_brain"])
    (run,) = rescore_json([str(folder)], tmp_path)["runs"]
    assert sorted(run["tasks"]) == ["med_rewardbench_abdomen", "med_rewardbench_brain"]
    assert run["tasks"]["med_rewardbench_brain"]["metrics"]["accuracy_acc"] == 1 / 2
    (pooled,) = run["pooled"]
    assert pooled["name"] == "med_rewardbench (pooled)"
    assert pooled["tasks"] == ["med_rewardbench_abdomen", "med_rewardbench_brain"]
    assert (pooled["n_cases"], pooled["metrics"]["accuracy_acc"]) == (3, 2 / 3)


def test_a_log_without_raw_outputs_cannot_be_rescored(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_samples(
        tmp_path, "med_rewardbench_sample", [sample_record(0, "1", "AAAAAA", "AAAAAA", with_resps=False)]
    )
    assert run_rescore([str(path)]) == 2
    assert f"{path}:1: no raw judge output was logged" in capsys.readouterr().err


def test_raw_text_in_filtered_resps_is_rescored(tmp_path: Path) -> None:
    # A task YAML without the VerdictFilter: lmms-eval then logs the raw text once.
    line = sample_record(0, "1", "AAAAAA", "AAAAAA", with_resps=False)
    line["filtered_resps"] = [
        "Accuracy: A\nRelevance: A\nComprehensiveness: B\nCreativity: A\nResponsiveness: A\nOverall: A"
    ]
    path = write_samples(tmp_path, "med_rewardbench_sample", [line])
    task = rescore_json([str(path)], tmp_path)["runs"][0]["tasks"]["med_rewardbench_sample"]
    assert (task["changed_verdicts"], task["metrics"]["comprehensiveness_acc"], task["metrics"]["mean_acc"]) == (
        0,
        0.0,
        pytest.approx(5 / 6),
    )


def test_malformed_logs_name_the_file_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_samples(tmp_path, "med_rewardbench_sample", [sample_record(0, "1", "AAAAAA", "AAAAAA"), "{oops"])
    assert run_rescore([str(path)]) == 2
    assert f"{path}:2: not valid JSON" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "nothing to rescore"),
        (["x.jsonl", "--paper-outputs", "p.jsonl", "--labels", "d"], "not both"),
        (["--paper-outputs", "p.jsonl"], "--paper-outputs needs --labels"),
        (["x.jsonl", "--labels", "d"], "--labels is only used with --paper-outputs"),
    ],
)
def test_argument_problems(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_rescore(argv) == 2
    assert message in capsys.readouterr().err


# ---------------------------------------------------------------------------------------
# The paper pipeline's output files
# ---------------------------------------------------------------------------------------
ABDOMEN = {"1": "AAAAAA", "2": "BBBBBB", "3": "ABABAB", "4": "AAAAAA"}
BRAIN = {"10": "BBBBBB", "11": "AAAAAA"}
NAMES = ("accuracy", "relevance", "comprehensiveness", "creativity", "responsiveness", "overall")


def write_labels(folder: Path, organ: str, labels: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{organ}.jsonl"
    rows = [
        {"question_id": int(qid), "human_answer": dict(zip(NAMES, text, strict=True))} for qid, text in labels.items()
    ]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def write_predictions(path: Path, rows: Sequence[dict[str, Any] | str]) -> Path:
    path.write_text("".join((row if isinstance(row, str) else json.dumps(row)) + "\n" for row in rows))
    return path


def paper_files(tmp_path: Path, *, nested: bool = True) -> tuple[Path, Path]:
    labels_dir = tmp_path / "labels"
    label_folder = labels_dir / "pair_gt_all" if nested else labels_dir
    write_labels(label_folder, "abdomen", ABDOMEN)
    write_labels(label_folder, "brain", BRAIN)
    write_labels(label_folder, "heart", {"1": "AAAAAA"})  # no prediction names heart: not scored
    predictions = write_predictions(
        tmp_path / "pred.jsonl",
        [
            # abdomen 1: raw JSON, all right
            {"question_id": 1, "modality_type": "abdomen", "chosen_answer": SIX_A},
            # abdomen 2: a normalised dict, right except creativity (tie -> not stated)
            {
                "question_id": "2",
                "modality_type": "abdomen",
                "chosen_answer": {
                    "accuracy": "b",
                    "relevance": "B",
                    "comprehensiveness": "B",
                    "creativity": "tie",
                    "responsiveness": "B",
                    "overall": "B",
                },
            },
            # abdomen 3: a lone verdict "[[A]]" (overall is B: wrong either way; all_dimensions: A on all)
            {"question_id": 3, "modality_type": "abdomen", "chosen_answer": "My verdict: [[A]]"},
            # abdomen 4: no prediction at all. brain 10: unreadable; brain 11: null.
            {"question_id": 10, "modality_type": "brain", "chosen_answer": "I cannot judge this image."},
            {"question_id": 11, "modality_type": "brain", "chosen_answer": None},
        ],
    )
    return predictions, labels_dir


def test_paper_outputs_are_scored_as_the_paper_scores_them(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    predictions, labels_dir = paper_files(tmp_path)
    result = rescore_json(["--paper-outputs", str(predictions), "--labels", str(labels_dir)], tmp_path)
    assert result["lone_verdict"] == "overall_only"
    assert sorted(result["organs"]) == ["abdomen", "brain"]
    abdomen = result["organs"]["abdomen"]
    assert (abdomen["n_cases"], abdomen["missing_predictions"]) == (4, 1)
    # Right per dimension: case 1 all six; case 2 all but creativity; cases 3 and 4 nothing
    # (case 3's lone [[A]] fills overall only, and overall is B).
    assert abdomen["metrics"]["accuracy_acc"] == 2 / 4
    assert abdomen["metrics"]["creativity_acc"] == 1 / 4
    assert abdomen["metrics"]["mean_acc"] == pytest.approx((1 + 5 / 6) / 4, abs=1e-15)
    assert abdomen["metrics"]["parse_failure_rate"] == 3 / 4  # cases 2 (partial), 3 (partial), 4 (missing)
    brain = result["organs"]["brain"]
    assert (brain["n_cases"], brain["missing_predictions"], brain["metrics"]["mean_acc"]) == (2, 0, 0.0)
    assert brain["metrics"]["parse_failure_rate"] == 1.0
    everything = result["all"]
    assert (everything["n_cases"], everything["missing_predictions"]) == (6, 1)
    assert everything["metrics"]["accuracy_acc"] == 2 / 6
    assert everything["metrics"]["parse_failure_rate"] == 5 / 6
    assert result["statuses"] == {"ok": 1, "partial": 2, "unparseable": 2, "missing": 1}
    printed = capsys.readouterr().out
    assert "abdomen  4        0.5000         0.5000                 0.5000          0.2500" in printed
    assert "All      6        0.3333" in printed


def test_paper_outputs_with_the_papers_lone_verdict_policy_and_flat_labels(tmp_path: Path) -> None:
    predictions, labels_dir = paper_files(tmp_path, nested=False)
    argv = ["--paper-outputs", str(predictions), "--labels", str(labels_dir), "--lone-verdict", "all_dimensions"]
    abdomen = rescore_json(argv, tmp_path)["organs"]["abdomen"]["metrics"]
    # Case 3's [[A]] now fills all six: right on accuracy, comprehensiveness and responsiveness (ABABAB).
    assert abdomen["accuracy_acc"] == 3 / 4
    assert abdomen["relevance_acc"] == 2 / 4
    assert abdomen["parse_failure_rate"] == 2 / 4


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("{broken", "not valid JSON"),
        ({"modality_type": "abdomen", "chosen_answer": "A"}, "no 'question_id'"),
        ({"question_id": 1, "chosen_answer": "A"}, "no 'modality_type'"),
        ({"question_id": 1, "modality_type": "abdomen"}, "no 'chosen_answer'"),
        ({"question_id": 1, "modality_type": "kidney", "chosen_answer": "A"}, "is not an organ system"),
        ({"question_id": 99, "modality_type": "abdomen", "chosen_answer": "A"}, "question_id 99 has no label"),
        ({"question_id": 1, "modality_type": "abdomen", "chosen_answer": 7}, "chosen_answer must be a string"),
        ({"question_id": 2, "modality_type": "abdomen", "chosen_answer": "A"}, "already predicted at"),
    ],
)
def test_malformed_paper_outputs_name_the_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], row: dict[str, Any] | str, message: str
) -> None:
    _, labels_dir = paper_files(tmp_path)
    first = {"question_id": 2, "modality_type": "abdomen", "chosen_answer": "A"}
    predictions = write_predictions(tmp_path / "bad.jsonl", [first, row])
    assert run_rescore(["--paper-outputs", str(predictions), "--labels", str(labels_dir)]) == 2
    error = capsys.readouterr().err
    assert f"{predictions}:2:" in error and message in error


def test_missing_or_bad_label_files_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    predictions = write_predictions(
        tmp_path / "pred.jsonl", [{"question_id": 1, "modality_type": "lung", "chosen_answer": "A"}]
    )
    assert run_rescore(["--paper-outputs", str(predictions), "--labels", str(tmp_path)]) == 2
    assert "no label file for organ 'lung'" in capsys.readouterr().err
    (tmp_path / "lung.jsonl").write_text('{"question_id": 1, "human_answer": {"accuracy": "C"}}\n')
    assert run_rescore(["--paper-outputs", str(predictions), "--labels", str(tmp_path)]) == 2
    assert f"{tmp_path / 'lung.jsonl'}:1:" in capsys.readouterr().err


def test_the_results_file_date_pairs_with_its_samples(tmp_path: Path) -> None:
    # A second run in the same folder, with another date, is a separate run.
    path = stale_log(tmp_path)
    write_samples(
        path.parent,
        "med_rewardbench_sample",
        [sample_record(0, "1", "AAAAAA", "AAAAAA", raw=SIX_A)],
        date="20250202_000000",
    )
    runs = rescore_json([str(path.parent)], tmp_path)["runs"]
    assert [(run["date_id"], run["results_file"] is not None) for run in runs] == [
        (DATE, True),
        ("20250202_000000", False),
    ]
