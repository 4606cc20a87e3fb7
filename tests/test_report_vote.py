"""``report --vote``: the majority-vote judge, with its ties and abstentions counted by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.test_report import (  # noqa: F401  (empty_local_data: an autouse fixture, so no test reaches the Hub)
    DIMENSIONS,
    empty_local_data,
    read_csv,
    row_for,
    run_report,
    sample_record,
    swap_pair,
    write_samples,
)

EXPERTS = {"1": "AAAAAA", "2": "AAAAAA", "3": "ABABAB"}
# Per judge, per case, the picks in dimension order (- = unstated).
PICKS = {
    "one": {"1": "AAAAAA", "2": "A-----", "3": "ABABAB"},
    "two": {"1": "AAAAAA", "2": "B-----", "3": "AB----"},
    "three": {"1": "BBBBBB", "2": "------", "3": "BAB---"},
}
# The vote, by hand:
#   case 1: A 2-1 everywhere                       -> AAAAAA
#   case 2: accuracy A 1, B 1 (tie); the rest 0-0  -> ------ (six ties; 1 + 3 x 5 unstated votes)
#   case 3: accuracy A 2-1; relevance B 2-1; comprehensiveness A 1, B 1 (tie, 1 unstated);
#           creativity, responsiveness, overall: one vote each (2 unstated each) -> AB-BAB
VOTED = {"1": "AAAAAA", "2": "------", "3": "AB-BAB"}
TIES = {"accuracy": 1, "relevance": 1, "comprehensiveness": 2, "creativity": 1, "responsiveness": 1, "overall": 1}
UNSTATED = {"accuracy": 1, "relevance": 3, "comprehensiveness": 4, "creativity": 5, "responsiveness": 5, "overall": 5}
VOTE_LABEL = "majority vote of 3 judges"


def write_judge(folder: Path, name: str, picks: dict[str, str], *, task: str = "med_rewardbench_lung") -> Path:
    lines = [sample_record(i, qid, EXPERTS[qid], picks[qid], organ="lung") for i, qid in enumerate(picks)]
    run = folder / name
    write_samples(run, task, lines)
    results = {
        "results": {task: {"alias": task}},
        "config": {"model": "judge", "model_args": f"name={name}"},
        "n-samples": {task: {"original": len(lines), "effective": len(lines)}},
    }
    (run / "20250101_120000_results.json").write_text(json.dumps(results))
    return run


def test_majority_vote_counts_ties_and_abstentions(tmp_path: Path) -> None:
    runs = [str(write_judge(tmp_path, name, picks)) for name, picks in PICKS.items()]
    out = tmp_path / "report"
    assert run_report([*runs, "--out", str(out), "--vote"]) == 0
    votes = read_csv(out / "votes.csv")
    for dimension in DIMENSIONS:
        row = row_for(votes, dimension=dimension)
        assert (row["model"], row["decisions"]) == (VOTE_LABEL, "3")
        assert (int(row["ties"]), int(row["unstated_votes"])) == (TIES[dimension], UNSTATED[dimension]), dimension
    everything = row_for(votes, dimension="all")
    assert (everything["decisions"], everything["ties"], everything["unstated_votes"]) == ("18", "7", "23")
    # In the order the runs were found (by folder).
    assert everything["voters"] == "judge (name=one); judge (name=three); judge (name=two)"

    # Scored like any judge: accuracy from the voted letters against the experts.
    accuracy = row_for(read_csv(out / "accuracy_by_organ.csv"), model=VOTE_LABEL, organ="All")
    for index, dimension in enumerate(DIMENSIONS):
        right = sum(VOTED[qid][index] == EXPERTS[qid][index] for qid in EXPERTS)
        assert float(accuracy[f"{dimension}_acc"]) == pytest.approx(right / 3, abs=1e-12), dimension
    assert float(accuracy["mean_acc"]) == pytest.approx(11 / 18, abs=1e-12)
    headline = read_csv(out / "headline.csv")
    assert float(row_for(headline, model=VOTE_LABEL, metric="parse_failure_rate")["value"]) == pytest.approx(2 / 3)
    statuses = {
        row["value"]: row["count"]
        for row in read_csv(out / "verdicts.csv")
        if row["model"] == VOTE_LABEL and row["field"] == "status"
    }
    assert statuses == {"ok": "1", "partial": "1", "unparseable": "1"}
    # Listed and compared like any judge.
    assert VOTE_LABEL in [row["model"] for row in read_csv(out / "leaderboard.csv")]
    assert any(row["judge"] == VOTE_LABEL or row["versus"] == VOTE_LABEL for row in read_csv(out / "comparisons.csv"))
    markdown = (out / "report.md").read_text()
    assert "## Majority vote" in markdown and f"## {VOTE_LABEL}" in markdown
    # The browser shows the tally as the vote's output.
    assert (
        "majority vote of 3 judges\\naccuracy: tie, no verdict (A 1, B 1, unstated 1)"
        in (out / "report.html").read_text()
    )


def test_voting_on_both_orders(tmp_path: Path) -> None:
    runs = []
    for name, (original, swapped) in {"one": ("AAAAAA", "BBBBBB"), "two": ("AAAAAA", "AAAAAA")}.items():
        folder = tmp_path / name
        write_samples(folder, "med_rewardbench_sample_swap", swap_pair(0, "1", "AAAAAA", original, swapped))
        runs.append(str(folder))
    out = tmp_path / "report"
    assert run_report([*runs, "--out", str(out), "--vote"]) == 0
    (row,) = [row for row in read_csv(out / "position_bias.csv") if row["model"].startswith("majority vote")][:1]
    # Original order: both judges say A -> A (right). Swapped: B vs A -> tie, no verdict.
    assert (row["dimension"], float(row["original_acc"]), float(row["swapped_acc"])) == ("accuracy", 1.0, 0.0)
    assert row_for(read_csv(out / "votes.csv"), dimension="all")["ties"] == "6"


def test_judges_on_different_cases_cannot_vote(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = write_judge(tmp_path, "one", PICKS["one"])
    fewer = write_judge(tmp_path, "two", {qid: PICKS["two"][qid] for qid in ("1", "2")})
    out = tmp_path / "report"
    assert run_report([str(first), str(fewer), "--out", str(out), "--vote"]) == 2
    error = capsys.readouterr().err
    assert "cannot vote: 'judge (name=one)' and 'judge (name=two)' were not judged on the same presentations" in error
    assert "lung/3/original is in only one" in error
    assert not out.exists()


def test_one_judge_cannot_vote(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_report([str(write_judge(tmp_path, "one", PICKS["one"])), "--out", str(tmp_path / "r"), "--vote"]) == 2
    error = capsys.readouterr().err
    assert "only one judge on the benchmark data" in error
    assert "error: --vote needs at least two judges on the same data" in error


def test_judges_that_saw_different_expert_winners_cannot_vote(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = write_judge(tmp_path, "one", PICKS["one"])
    second = write_judge(tmp_path, "two", PICKS["two"])
    path = second / "20250101_120000_samples_med_rewardbench_lung.jsonl"
    path.write_text(path.read_text().replace('"overall\\": \\"A\\"', '"overall\\": \\"B\\"', 1))
    assert run_report([str(first), str(second), "--out", str(tmp_path / "r"), "--vote"]) == 2
    assert "logged different expert winners for case lung/1" in capsys.readouterr().err
