"""``med-rewardbench report`` (and the run reader behind it) on hand-made lmms-eval outputs.

The fixtures are written here line by line in lmms-eval 0.7.3's layout, so the expected
numbers are counted by hand from the letters in each test. One integration test runs the
real lmms-eval CLI and the real console script end to end.
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pytest

from med_rewardbench_tasks import report
from med_rewardbench_tasks.report.evaluations import evaluations
from med_rewardbench_tasks.runs import RunReadError, find_runs, model_label

DIMENSIONS = ("accuracy", "relevance", "comprehensiveness", "creativity", "responsiveness", "overall")
FLIP = {"A": "B", "B": "A"}
DATE = "20250101_120000"


@pytest.fixture(autouse=True)
def empty_local_data(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A local copy holding no organ: the hand-made benchmark logs find no case data, and no test reaches the Hub."""
    folder = tmp_path_factory.mktemp("no-data")
    (folder / "pair_gt_all").mkdir()
    monkeypatch.setenv("MED_REWARDBENCH_DATA_DIR", str(folder))
    return folder


# ---------------------------------------------------------------------------------------
# Fixture writers (shared with test_rescore.py)
# ---------------------------------------------------------------------------------------
def letters(text: str) -> dict[str, str | None]:
    return {d: (None if c == "-" else c) for d, c in zip(DIMENSIONS, text, strict=True)}


def sample_record(
    doc_id: int,
    qid: str,
    expert: str,
    picks: str,
    *,
    organ: str = "abdomen",
    order: str = "original",
    longer: str | None = "A",
    department: str | None = None,
    raw: str | None = None,
    status: str | None = None,
    method: str = "json",
    policy: str | None = "overall_only",
    with_resps: bool = True,
) -> dict[str, Any]:
    """One samples-log line; ``expert``, ``picks`` and ``longer`` are in the letters shown."""
    target: dict[str, Any] = {
        "question_id": qid,
        "organ": organ,
        "order": order,
        "winners": letters(expert),
        "longer": longer,
    }
    if department is not None:
        target["department"] = department
    choices = letters(picks)
    if raw is None:
        raw = json.dumps({d: c for d, c in choices.items() if c is not None})
    decided = sum(c is not None for c in choices.values())
    verdict = {
        "med_rewardbench_verdict": True,
        "choices": choices,
        "status": status or ("ok" if decided == 6 else "partial" if decided else "unparseable"),
        "method": method,
        "reason": None,
        "note": None,
    }
    if policy is not None:
        verdict["lone_verdict_policy"] = policy
    line: dict[str, Any] = {"doc_id": doc_id, "target": json.dumps(target)}
    if with_resps:
        line["resps"] = [raw]
    line["filtered_resps"] = [json.dumps(verdict)]
    line["input_media"] = [f"{organ}_{qid}.png"]
    line["input"] = "prompt"
    return line


def swap_pair(doc_id: int, qid: str, expert: str, original: str, swapped: str, **kwargs: Any) -> list[dict[str, Any]]:
    """Both presentations of a case; ``expert``/``longer`` in the original letters, picks as shown."""
    longer = kwargs.pop("longer", "A")
    return [
        sample_record(doc_id, qid, expert, original, longer=longer, **kwargs),
        sample_record(
            doc_id + 1,
            qid,
            "".join(FLIP[c] for c in expert),
            swapped,
            order="swapped",
            longer=None if longer is None else FLIP[longer],
            **kwargs,
        ),
    ]


def write_samples(folder: Path, task: str, lines: Iterable[dict[str, Any] | str], date: str = DATE) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{date}_samples_{task}.jsonl"
    path.write_text("".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines))
    return path


def write_results(
    folder: Path,
    tasks: Sequence[str],
    *,
    model: str = "med_rewardbench_baseline",
    model_args: Any = "strategy=always_a",
    date: str = DATE,
    metrics: dict[str, dict[str, float]] | None = None,
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    results = {
        "results": {
            task: {"alias": task, **{f"{k},verdict": v for k, v in (metrics or {}).get(task, {}).items()}}
            for task in tasks
        },
        "group_subtasks": {task: [] for task in tasks},
        "config": {"model": model, "model_args": model_args},
        "model_name": "",
        "n-samples": {},
        "date": date,
    }
    path = folder / f"{date}_results.json"
    path.write_text(json.dumps(results))
    return path


def run_report(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser()
    report.configure(parser)
    return report.run(parser.parse_args(list(argv)))


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def number(cell: str) -> float:
    return float(cell)


# ---------------------------------------------------------------------------------------
# A benchmark run (two organ tasks) and a swap run (the sample), hand-built
# ---------------------------------------------------------------------------------------
# Abdomen: case 1 all right; case 2 right on relevance only.
# Brain: case 3 all wrong; case 4 nothing readable (a parse failure).
ORGAN_RUN = {
    "med_rewardbench_abdomen": [
        sample_record(0, "1", "AAAAAA", "AAAAAA", longer="A"),
        sample_record(1, "2", "ABBBBB", "BBAAAA", longer="B"),
    ],
    "med_rewardbench_brain": [
        sample_record(0, "3", "BBBBBB", "AAAAAA", organ="brain", longer="A"),
        sample_record(1, "4", "AAAAAA", "------", organ="brain", longer=None, raw="I cannot tell.", method="none"),
    ],
}


def write_organ_run(root: Path, *, model_args: Any = "strategy=longer_answer") -> Path:
    folder = root / "organs"
    for task, lines in ORGAN_RUN.items():
        write_samples(folder, task, lines)
    write_results(folder, list(ORGAN_RUN), model_args=model_args)
    return folder


# Always-A judge on three cases in both orders; experts pick A on 2 of 3 for accuracy.
SWAP_LABELS = {"1": "AAAAAA", "2": "BBBBBB", "3": "ABABAB"}


def write_swap_run(root: Path, date: str = "20250102_090000") -> Path:
    folder = root / "swap" / "med_rewardbench_baseline"
    lines = []
    for index, (qid, expert) in enumerate(SWAP_LABELS.items()):
        lines += swap_pair(2 * index, qid, expert, "AAAAAA", "AAAAAA", longer="A" if qid != "2" else "B")
    write_samples(folder, "med_rewardbench_sample_swap", lines, date=date)
    write_results(folder, ["med_rewardbench_sample_swap"], model_args="strategy=always_a", date=date)
    return folder


def row_for(rows: list[dict[str, str]], **match: str) -> dict[str, str]:
    found = [row for row in rows if all(row[key] == value for key, value in match.items())]
    assert len(found) == 1, (match, rows)
    return found[0]


def test_accuracy_by_organ_with_exact_values(tmp_path: Path) -> None:
    out = tmp_path / "report"
    assert run_report([str(write_organ_run(tmp_path)), "--out", str(out)]) == 0
    rows = read_csv(out / "accuracy_by_organ.csv")
    label = "med_rewardbench_baseline (strategy=longer_answer)"
    abdomen = row_for(rows, model=label, organ="abdomen")
    assert abdomen["n_cases"] == "2"
    assert number(abdomen["accuracy_acc"]) == 1 / 2
    assert number(abdomen["relevance_acc"]) == 2 / 2
    assert number(abdomen["overall_acc"]) == 1 / 2
    assert number(abdomen["mean_acc"]) == pytest.approx((6 / 6 + 1 / 6) / 2, abs=1e-15)
    brain = row_for(rows, model=label, organ="brain")
    assert (brain["n_cases"], number(brain["mean_acc"])) == ("2", 0.0)
    everything = row_for(rows, model=label, organ="All")
    assert everything["n_cases"] == "4"
    assert number(everything["accuracy_acc"]) == 1 / 4
    assert number(everything["relevance_acc"]) == 2 / 4
    assert number(everything["mean_acc"]) == pytest.approx(7 / 24, abs=1e-15)
    low, high = number(everything["mean_acc_ci_low"]), number(everything["mean_acc_ci_high"])
    assert 0 <= low <= 7 / 24 <= high <= 1
    assert [row["organ"] for row in rows] == ["abdomen", "brain", "All"]

    headline = read_csv(out / "headline.csv")
    assert number(row_for(headline, metric="parse_failure_rate")["value"]) == 1 / 4
    assert number(row_for(headline, metric="accuracy_acc")["value"]) == 1 / 4

    # No swap run: no position-bias table; the length bias comes from the plain tasks.
    assert not (out / "position_bias.csv").exists()
    assert row_for(read_csv(out / "length_bias.csv"), dimension="accuracy")["n_presentations"] == "3"
    assert not (out / "leaderboard.csv").exists()
    assert not (out / "accuracy_by_department.csv").exists()


def test_length_bias_of_the_organ_run(tmp_path: Path) -> None:
    out = tmp_path / "report"
    run_report([str(write_organ_run(tmp_path)), "--out", str(out)])
    length = read_csv(out / "length_bias.csv")
    # Presentations with a longer answer (case 4's are equally long): case 1 (A longer, picks A),
    # case 2 (B longer, picks B on accuracy and relevance, A on the rest), case 3 (A longer, picks A).
    assert number(row_for(length, dimension="accuracy")["longer_pick_rate"]) == 3 / 3
    assert number(row_for(length, dimension="comprehensiveness")["longer_pick_rate"]) == 2 / 3
    # Experts: case 1 A (longer), case 2 A (shorter) / B on the rest (longer), case 3 B (shorter).
    assert number(row_for(length, dimension="accuracy")["expert_longer_rate"]) == 1 / 3
    assert number(row_for(length, dimension="relevance")["expert_longer_rate"]) == 2 / 3
    assert row_for(length, dimension="mean")["source"].startswith("plain")


def test_position_bias_of_an_always_a_judge(tmp_path: Path) -> None:
    out = tmp_path / "report"
    assert run_report([str(write_swap_run(tmp_path)), "--out", str(out)]) == 0
    rows = read_csv(out / "position_bias.csv")
    assert [row["dimension"] for row in rows] == [*DIMENSIONS, "mean"]
    expert_a = {d: sum(labels[i] == "A" for labels in SWAP_LABELS.values()) / 3 for i, d in enumerate(DIMENSIONS)}
    for row in rows:
        assert (row["n_cases"], row["n_cases_both_orders"]) == ("3", "3")
        assert number(row["consistency"]) == 0.0
        assert number(row["first_position_rate"]) == 1.0
        assert number(row["strict_acc"]) == 0.0
        if row["dimension"] != "mean":
            assert number(row["expert_first_position_rate"]) == pytest.approx(expert_a[row["dimension"]], abs=1e-15)
            assert number(row["original_acc"]) == pytest.approx(expert_a[row["dimension"]], abs=1e-15)
            assert number(row["swapped_acc"]) == pytest.approx(1 - expert_a[row["dimension"]], abs=1e-15)
    # Swap-only run: the accuracy table is the original order of the swap task.
    accuracy = row_for(read_csv(out / "accuracy_by_organ.csv"), organ="All")
    assert number(accuracy["accuracy_acc"]) == pytest.approx(2 / 3, abs=1e-15)
    # Length bias from both orders: A is longer for cases 1 and 3, B for case 2 (swapped: the other way).
    length = row_for(read_csv(out / "length_bias.csv"), dimension="accuracy")
    assert (length["n_presentations"], number(length["longer_pick_rate"])) == ("6", 3 / 6)
    assert length["source"].startswith("swap")
    markdown = (out / "report.md").read_text()
    assert "### Position bias" in markdown
    assert "| Accuracy | 66.7% | 33.3% | 0.0% | 0.0% |" in markdown


def test_leaderboard_markdown_and_policy(tmp_path: Path) -> None:
    out = tmp_path / "report"
    assert (
        run_report(
            [str(write_organ_run(tmp_path)), str(write_swap_run(tmp_path)), "--out", str(out), "--title", "My judges"]
        )
        == 0
    )
    board = read_csv(out / "leaderboard.csv")
    assert [row["model"] for row in board] == [
        "med_rewardbench_baseline (strategy=always_a)",  # mean accuracy 1/2 (each dimension: 2/3 or 1/3)
        "med_rewardbench_baseline (strategy=longer_answer)",  # 7/24
    ]
    assert number(board[0]["mean_acc"]) == pytest.approx(1 / 2, abs=1e-15)
    assert number(board[0]["mean_consistency"]) == 0.0
    assert board[1]["mean_consistency"] == ""
    assert number(board[1][("parse_failure_rate")]) == 1 / 4
    markdown = (out / "report.md").read_text()
    assert markdown.startswith("# My judges\n")
    assert "95% case-resampling bootstrap" in markdown
    assert "parsed with **`overall_only`**" in markdown
    assert "| 1 | med_rewardbench_baseline (strategy=always_a) | sample | 3 | 50.0% |" in markdown
    assert "| **All** | **4** | **25.0%** | **50.0%** |" in markdown
    slugs = {"med-rewardbench-baseline-strategy-always-a", "med-rewardbench-baseline-strategy-longer-answer"}
    assert {path.name for path in out.glob("organ_heatmap_*.png")} == {f"organ_heatmap_{slug}.png" for slug in slugs}
    assert (out / "accuracy_by_dimension.png").stat().st_size > 10_000


def test_departments_only_when_the_targets_carry_them(tmp_path: Path) -> None:
    lines = [
        sample_record(0, "1", "AAAAAA", "AAAAAA", department="radiology"),
        sample_record(1, "2", "AAAAAA", "BBBBBB", department="radiology"),
        sample_record(2, "3", "AAAAAA", "AAAAAA", department="cardiology"),
        sample_record(3, "4", "AAAAAA", "AAAAAA"),
    ]
    folder = tmp_path / "run"
    write_samples(folder, "med_rewardbench_abdomen", lines)
    out = tmp_path / "report"
    assert run_report([str(folder), "--out", str(out)]) == 0
    rows = read_csv(out / "accuracy_by_department.csv")
    assert [(row["department"], row["n_cases"], number(row["accuracy_acc"])) for row in rows] == [
        ("cardiology", "1", 1.0),
        ("radiology", "2", 0.5),
        ("(not given)", "1", 1.0),
        ("All", "4", 0.75),
    ]
    assert "### Accuracy by clinical department" in (out / "report.md").read_text()


def test_xlsx_has_one_sheet_per_table_with_bold_headers_and_numbers(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "report"
    run_report([str(write_organ_run(tmp_path)), str(write_swap_run(tmp_path)), "--out", str(out)])
    workbook = load_workbook(out / "report.xlsx")
    assert set(workbook.sheetnames) == {path.stem for path in out.glob("*.csv")}
    sheet = workbook["accuracy_by_organ"]
    header = [cell.value for cell in sheet[1]]
    assert header == next(csv.reader((out / "accuracy_by_organ.csv").open()))
    assert all(cell.font.bold for cell in sheet[1])
    first = dict(zip(header, (cell.value for cell in sheet[2]), strict=True))
    assert isinstance(first["accuracy_acc"], float) and isinstance(first["n_cases"], int)
    assert sheet.cell(row=2, column=header.index("accuracy_acc") + 1).number_format == "0.0%"


def test_figures_are_readable_pngs(tmp_path: Path) -> None:
    from PIL import Image

    out = tmp_path / "report"
    run_report([str(write_organ_run(tmp_path)), "--out", str(out)])
    for path in [out / "accuracy_by_dimension.png", *out.glob("organ_heatmap_*.png")]:
        with Image.open(path) as image:
            image.verify()
        with Image.open(path) as image:
            width, height = image.size
            assert width >= 1000 and height >= 600, (path.name, image.size)


# ---------------------------------------------------------------------------------------
# Reading runs
# ---------------------------------------------------------------------------------------
def test_model_labels_are_readable_and_never_show_secrets() -> None:
    assert model_label({"config": {"model": "med_rewardbench_baseline", "model_args": "strategy=longer_answer"}}) == (
        "med_rewardbench_baseline (strategy=longer_answer)"
    )
    assert (
        model_label({"config": {"model": "openai", "model_args": "model=gpt-4o,base_url=http://x,api_key=sk-SECRET"}})
        == "openai (gpt-4o)"
    )
    assert (
        model_label({"config": {"model": "qwen2_5_vl", "model_args": {"pretrained": "Qwen/Qwen2.5-VL-7B-Instruct"}}})
        == "qwen2_5_vl (Qwen/Qwen2.5-VL-7B-Instruct)"
    )
    assert model_label({"config": {"model": "x", "model_args": "temp=0,hf_token=abc"}}) == "x (temp=0)"
    assert model_label({"config": {"model": "dummy", "model_args": ""}}) == "dummy"
    assert model_label({"config": {}, "model_name": "my-judge"}) == "my-judge"


def test_a_samples_file_without_results_is_labelled_by_folder_and_date(tmp_path: Path) -> None:
    path = write_samples(tmp_path / "my-judge", "med_rewardbench_sample", [sample_record(0, "1", "AAAAAA", "AAAAAA")])
    (run,) = find_runs([path]).runs
    assert run.label == f"my-judge run {DATE}"
    assert run.results is None


def test_a_samples_file_given_alone_brings_only_itself(tmp_path: Path) -> None:
    folder = write_organ_run(tmp_path)
    (run,) = find_runs([folder / f"{DATE}_samples_med_rewardbench_brain.jsonl"]).runs
    assert [log.task for log in run.tasks] == ["med_rewardbench_brain"]
    assert run.label == "med_rewardbench_baseline (strategy=longer_answer)"
    (whole,) = find_runs([folder / f"{DATE}_results.json"]).runs
    assert [log.task for log in whole.tasks] == ["med_rewardbench_abdomen", "med_rewardbench_brain"]


def test_organ_tasks_pool_into_one_set_and_keep_their_organs(tmp_path: Path) -> None:
    folder = write_organ_run(tmp_path)
    write_swap_run(tmp_path)
    found = find_runs([tmp_path])
    judged = evaluations(found.runs)
    assert [(e.label, e.dataset, len(e.plain), len(e.swap)) for e in judged] == [
        ("med_rewardbench_baseline (strategy=longer_answer)", "benchmark", 4, 0),
        ("med_rewardbench_baseline (strategy=always_a)", "sample", 0, 6),
    ]
    assert [s.presentation.organ for s in judged[0].plain] == ["abdomen", "abdomen", "brain", "brain"]
    assert judged[0].run.directory == folder.resolve()


def test_same_label_twice_gets_the_run_date(tmp_path: Path) -> None:
    write_swap_run(tmp_path / "one", date="20250102_090000")
    write_swap_run(tmp_path / "two", date="20250103_090000")
    labels = [e.label for e in evaluations(find_runs([tmp_path]).runs)]
    assert labels == [
        "med_rewardbench_baseline (strategy=always_a) @ 20250102_090000",
        "med_rewardbench_baseline (strategy=always_a) @ 20250103_090000",
    ]


def test_other_tasks_of_a_suite_run_are_noted_not_scored(tmp_path: Path) -> None:
    folder = write_organ_run(tmp_path)
    write_samples(folder, "slake", ['{"doc_id": 0, "target": "yes", "filtered_resps": ["no"]}'])
    found = find_runs([folder])
    assert found.runs[0].ignored_tasks == ("slake",)
    assert any("slake" in note for note in found.notes)


def test_resps_left_out_falls_back_to_the_filtered_text(tmp_path: Path) -> None:
    line = sample_record(0, "1", "AAAAAA", "AAAAAA", with_resps=False)
    line["filtered_resps"] = [
        '{"accuracy": "A", "relevance": "A", "comprehensiveness": "A", "creativity": "A", '
        '"responsiveness": "A", "overall": "B"}'
    ]
    path = write_samples(tmp_path, "med_rewardbench_sample", [line])
    (sample,) = find_runs([path]).runs[0].tasks[0].samples
    assert sample.raw_output == line["filtered_resps"][0]
    assert sample.policy is None
    assert sample.verdict.choices["overall"] == "B" and sample.verdict.status == "ok"


def _error(paths: list[Path], capsys: pytest.CaptureFixture[str], tmp_path: Path) -> str:
    assert run_report([*map(str, paths), "--out", str(tmp_path / "never")]) == 2
    assert not (tmp_path / "never").exists()
    return capsys.readouterr().err


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ("{not json", "not valid JSON"),
        ('["a list"]', "expected a JSON object"),
        ('{"doc_id": 1, "filtered_resps": ["x"]}', "target must be the JSON case record"),
        (
            '{"doc_id": 1, "target": "{\\"question_id\\": 1}", "filtered_resps": ["x"]}',
            "record lacks organ, order, winners",
        ),
        ('{"doc_id": "one", "target": "{}", "filtered_resps": ["x"]}', "doc_id must be an integer"),
    ],
)
def test_malformed_sample_lines_are_refused_with_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], bad_line: str, message: str
) -> None:
    path = write_samples(
        tmp_path / "run", "med_rewardbench_sample", [sample_record(0, "1", "AAAAAA", "AAAAAA"), bad_line]
    )
    error = _error([path], capsys, tmp_path)
    assert f"{path}:2:" in error and message in error


def test_bad_target_values_and_filtered_resps_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad_winner = sample_record(0, "1", "AAAAAA", "AAAAAA")
    bad_winner["target"] = bad_winner["target"].replace('"overall": "A"', '"overall": "C"')
    no_output = sample_record(1, "2", "AAAAAA", "AAAAAA")
    no_output["filtered_resps"] = []
    for line, message in (
        (bad_winner, "winners must give A or B"),
        (no_output, "filtered_resps must be a non-empty list"),
    ):
        path = write_samples(tmp_path / "run", "med_rewardbench_sample", [line])
        error = _error([path], capsys, tmp_path)
        assert f"{path}:1:" in error and message in error


def test_a_swapped_presentation_in_a_plain_task_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_samples(tmp_path, "med_rewardbench_sample", swap_pair(0, "1", "AAAAAA", "AAAAAA", "AAAAAA"))
    assert f"{path}:2: a swapped presentation" in _error([path], capsys, tmp_path)


def test_duplicates_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = sample_record(0, "1", "AAAAAA", "AAAAAA")
    path = write_samples(tmp_path / "a", "med_rewardbench_sample", [line, line])
    assert f"{path}:2: doc_id 0 already logged on line 1" in _error([path], capsys, tmp_path)
    # The same case in two tasks of one run (e.g. abdomen logged twice under different names).
    folder = tmp_path / "b"
    write_samples(folder, "med_rewardbench_abdomen", [line])
    second = write_samples(folder, "med_rewardbench_abdomen_copy", [line])
    assert f"{second}:1: case abdomen/1 (original order) was already judged" in _error([folder], capsys, tmp_path)


def test_results_without_samples_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_organ_run(tmp_path)
    (folder / f"{DATE}_samples_med_rewardbench_brain.jsonl").unlink()
    error = _error([folder], capsys, tmp_path)
    assert "no samples log for task(s) med_rewardbench_brain" in error and "--log_samples" in error


def test_unknown_and_missing_paths_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stray = tmp_path / "notes.txt"
    stray.write_text("hello")
    assert "neither an lmms-eval results file" in _error([stray], capsys, tmp_path)
    assert "no such file or directory" in _error([tmp_path / "absent"], capsys, tmp_path)
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "no Med-RewardBench samples logs found" in _error([empty], capsys, tmp_path)
    with pytest.raises(RunReadError, match="no samples logged"):
        find_runs([write_samples(tmp_path / "x", "med_rewardbench_sample", [])])


def test_malformed_results_json_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_organ_run(tmp_path)
    (folder / f"{DATE}_results.json").write_text('{"results": {\n  "broken"\n')
    assert f"{folder / f'{DATE}_results.json'}:" in _error([folder], capsys, tmp_path)


def test_importing_report_pulls_in_no_plotting_or_spreadsheet_library() -> None:
    code = (
        "import sys, med_rewardbench_tasks.report, med_rewardbench_tasks.rescore, med_rewardbench_tasks.runs; "
        "print(sorted(m for m in ('matplotlib', 'openpyxl', 'numpy', 'torch', 'lmms_eval') if m in sys.modules))"
    )
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert completed.stdout.strip() == "[]"


# ---------------------------------------------------------------------------------------
# End to end: the real lmms-eval CLI, then the real console script
# ---------------------------------------------------------------------------------------
def console_script() -> str:
    found = shutil.which("med-rewardbench", path=str(Path(sys.executable).parent))
    assert found, "the med-rewardbench console script is not installed next to this Python"
    return found


def logged(run_results: dict[str, Any], task: str) -> dict[str, float]:
    section = run_results["results"][task]
    return {key.split(",")[0]: value for key, value in section.items() if key.endswith(",verdict")}


@pytest.mark.integration
def test_end_to_end_report_and_rescore(tmp_path: Path) -> None:
    from PIL import Image

    from med_rewardbench_tasks.metric_names import ALL_METRICS, HEADLINE_METRICS, SWAP_TASK_METRICS
    from tests.conftest import run_lmms_eval

    started = time.monotonic()
    baseline = ["--model", "med_rewardbench_baseline", "--model_args"]
    always_a = run_lmms_eval([*baseline, "strategy=always_a", "--tasks", "med_rewardbench_sample_swap"], tmp_path / "a")
    longer = run_lmms_eval([*baseline, "strategy=longer_answer", "--tasks", "med_rewardbench_sample"], tmp_path / "b")
    lmms_eval_seconds = time.monotonic() - started

    out = tmp_path / "report"
    command = [console_script(), "report", str(tmp_path / "a" / "lmms-eval-out"), str(tmp_path / "b" / "lmms-eval-out")]
    completed = subprocess.run([*command, "--out", str(out)], capture_output=True, text=True, timeout=120, check=False)
    assert completed.returncode == 0, completed.stderr
    for name in (
        "report.md",
        "report.html",
        "agreement.csv",
        "comparisons.csv",
        "report.xlsx",
        "accuracy_by_dimension.png",
        "accuracy_by_organ.csv",
        "headline.csv",
        "position_bias.csv",
        "length_bias.csv",
        "verdicts.csv",
        "leaderboard.csv",
        "runs.csv",
    ):
        assert (out / name).is_file(), name
    heatmaps = sorted(out.glob("organ_heatmap_*.png"))
    assert [path.name for path in heatmaps] == [
        "organ_heatmap_med-rewardbench-baseline-strategy-always-a.png",
        "organ_heatmap_med-rewardbench-baseline-strategy-longer-answer.png",
    ]
    for path in [out / "accuracy_by_dimension.png", *heatmaps]:
        with Image.open(path) as image:
            assert image.format == "PNG" and image.size[0] >= 1000 and image.size[1] >= 600

    # The report's numbers are lmms-eval's numbers; its intervals (the report's alone) bracket them.
    accuracy = read_csv(out / "accuracy_by_organ.csv")
    headline = read_csv(out / "headline.csv")
    intervals = {}
    for label, run, task in (
        ("med_rewardbench_baseline (strategy=always_a)", always_a, "med_rewardbench_sample_swap"),
        ("med_rewardbench_baseline (strategy=longer_answer)", longer, "med_rewardbench_sample"),
    ):
        reported = logged(run.results, task)
        everything = row_for(accuracy, model=label, organ="All")
        for metric in HEADLINE_METRICS:
            value = row_for(headline, model=label, metric=metric)
            assert number(value["value"]) == pytest.approx(reported[metric], abs=1e-12), (label, metric)
            low, high = number(value["ci_low"]), number(value["ci_high"])
            assert low <= number(value["value"]) <= high, (label, metric)
            intervals[(task, metric)] = (low, high)
            if metric != "parse_failure_rate":
                assert number(everything[metric]) == pytest.approx(reported[metric], abs=1e-12)
                assert number(everything[f"{metric}_ci_low"]) == pytest.approx(low, abs=1e-12)

    # The always-A reference judge agrees with the experts no more than chance predicts.
    for row in read_csv(out / "agreement.csv"):
        if row["model"] == "med_rewardbench_baseline (strategy=always_a)":
            assert (number(row["kappa"]), number(row["balanced_accuracy"])) == (0.0, 0.5), row["dimension"]
    from tests.test_report_html import page_data

    cases, images = page_data((out / "report.html").read_text())
    assert len(cases["cases"]) == len(images) == 30  # the sample's cases, each with its image, once

    position = read_csv(out / "position_bias.csv")
    assert {row["model"] for row in position} == {"med_rewardbench_baseline (strategy=always_a)"}
    reported = logged(always_a.results, "med_rewardbench_sample_swap")
    for row in position:
        assert number(row["consistency"]) == 0.0
        assert number(row["first_position_rate"]) == 1.0
        assert number(row["first_position_bias"]) == 1.0
        assert number(row["second_position_bias"]) == 0.0
    mean_row = row_for(position, dimension="mean")
    for column in ("swapped_acc", "strict_acc", "consistency", "first_position_bias", "second_position_bias"):
        assert number(mean_row[column]) == pytest.approx(reported[f"mean_{column}"], abs=1e-12), column

    # rescore on one samples file: its JSON equals what lmms-eval logged.
    (samples_file,) = (tmp_path / "a" / "lmms-eval-out").rglob("*_samples_med_rewardbench_sample_swap.jsonl")
    rescored_json = tmp_path / "rescore.json"
    completed = subprocess.run(
        [console_script(), "rescore", str(samples_file), "--json", str(rescored_json)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert "verdicts changed vs. the logged ones: 0 of 60" in completed.stdout
    (run_json,) = json.loads(rescored_json.read_text())["runs"]
    task_json = run_json["tasks"]["med_rewardbench_sample_swap"]
    assert task_json["changed_verdicts"] == 0
    compared = 0
    for key, value in reported.items():
        if key in ALL_METRICS:
            assert task_json["metrics"][key] == pytest.approx(value, abs=1e-12), key
            compared += 1
    for metric in HEADLINE_METRICS:
        bounds = intervals[("med_rewardbench_sample_swap", metric)]
        assert task_json["intervals"][metric] == pytest.approx(list(bounds), abs=1e-12), metric
    assert compared == len(SWAP_TASK_METRICS) == 13  # all lmms-eval reports
    print(f"\nlmms-eval runs: {lmms_eval_seconds:.1f}s; whole test: {time.monotonic() - started:.1f}s")
