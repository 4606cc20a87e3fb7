"""Kappa, balanced accuracy and judge-against-judge comparisons, against values computed by hand here.

The agreement numbers are worked out in the comments from the letters of each test; the
comparison's p-value is checked against the exact sign-flip distribution, enumerated here.
"""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

import pytest

from med_rewardbench_tasks.records import Judgment, Presentation
from med_rewardbench_tasks.report.statistics import (
    PERMUTATIONS,
    DifferentCasesError,
    agreement_table,
    case_accuracies,
    check_same_cases,
    compare_judges,
    holm,
)
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

FLIP = {"A": "B", "B": "A"}


def judgment(qid: str, expert: str, picks: str, *, order: str = "original", organ: str = "brain") -> Judgment:
    letters = dict(zip(DIMENSIONS, expert, strict=True))
    choices = {d: (None if c == "-" else c) for d, c in zip(DIMENSIONS, picks, strict=True)}
    presentation = Presentation(question_id=qid, organ=organ, order=order, expert=letters, longer=None)  # type: ignore[arg-type]
    return Judgment(presentation, choices, parsed="-" not in picks)  # type: ignore[arg-type]


def by_dimension(rows: tuple, dimension: str):  # type: ignore[no-untyped-def]
    (row,) = [row for row in rows if row.dimension == dimension]
    return row


def test_kappa_and_balanced_accuracy_by_hand() -> None:
    # accuracy dimension: experts A A A B, judge A B A (unstated).
    #   p_o = 2/4; P_judge(A) = 2/4, P_judge(B) = 1/4 (the unstated pick is neither);
    #   P_expert(A) = 3/4, P_expert(B) = 1/4; p_e = 1/2 * 3/4 + 1/4 * 1/4 = 7/16;
    #   kappa = (1/2 - 7/16) / (1 - 7/16) = 1/9.
    #   balanced: right on 2 of the 3 expert-A cases, 0 of the 1 expert-B case -> (2/3 + 0) / 2 = 1/3.
    # relevance: experts A B A B, judge A B A B: kappa 1, balanced 1.
    # comprehensiveness: experts A B A B, judge B A B A: p_o 0, p_e 1/2, kappa -1, balanced 0.
    # creativity: experts A A A A, judge A A A A: p_e = 1, kappa undefined; balanced = 1 (only class A).
    # responsiveness: experts A A B B, judge A A A A: p_o 1/2, p_e 1/2, kappa 0; balanced (1 + 0) / 2.
    # overall: experts A A A B, judge B B B B: p_o 1/4; p_e = 1/4; kappa 0; balanced (0 + 1) / 2.
    judgments = [
        judgment("1", "AAAAAA", "AABAAB"),
        judgment("2", "ABBAAA", "BBAAAB"),
        judgment("3", "AAAABA", "AABAAB"),
        judgment("4", "BBBABB", "-BAAAB"),
    ]
    rows = agreement_table(judgments)
    expected = {
        "accuracy": (2 / 4, 1 / 9, 1 / 3),
        "relevance": (1.0, 1.0, 1.0),
        "comprehensiveness": (0.0, -1.0, 0.0),
        "creativity": (1.0, math.nan, 1.0),
        "responsiveness": (2 / 4, 0.0, 1 / 2),
        "overall": (1 / 4, 0.0, 1 / 2),
    }
    for dimension, (accuracy, kappa, balanced) in expected.items():
        row = by_dimension(rows, dimension)
        assert row.n_cases == 4
        assert row.accuracy == pytest.approx(accuracy, abs=1e-12), dimension
        if math.isnan(kappa):
            assert math.isnan(row.kappa), dimension
        else:
            assert row.kappa == pytest.approx(kappa, abs=1e-12), dimension
        assert row.balanced_accuracy == pytest.approx(balanced, abs=1e-12), dimension
    accuracy_row = by_dimension(rows, "accuracy")
    assert (accuracy_row.judge_a_rate, accuracy_row.expert_a_rate, accuracy_row.unstated_rate) == (0.5, 0.75, 0.25)
    mean = by_dimension(rows, "mean")
    assert mean.accuracy == pytest.approx((2 / 4 + 1 + 0 + 1 + 2 / 4 + 1 / 4) / 6, abs=1e-12)
    assert math.isnan(mean.kappa)  # one dimension's kappa is undefined, so their mean is too
    assert mean.balanced_accuracy == pytest.approx((1 / 3 + 1 + 0 + 1 + 1 / 2 + 1 / 2) / 6, abs=1e-12)


def test_an_unstated_pick_counts_as_wrong_not_as_a_letter() -> None:
    # The same verdicts with the unstated pick read as "A" would agree more by chance, and with
    # the experts' B less: the unstated pick must move neither P_judge(A) nor accuracy upwards.
    stated = agreement_table([judgment("1", "AAAAAA", "AAAAAA"), judgment("2", "BBBBBB", "AAAAAA")])
    unstated = agreement_table([judgment("1", "AAAAAA", "AAAAAA"), judgment("2", "BBBBBB", "------")])
    assert by_dimension(stated, "overall").accuracy == by_dimension(unstated, "overall").accuracy == 0.5
    # Always A: p_e = 1 * 1/2, kappa 0. Unstated second pick: P_judge(A) = 1/2, p_e = 1/4, kappa (1/2-1/4)/(3/4).
    assert by_dimension(stated, "overall").kappa == 0.0
    assert by_dimension(unstated, "overall").kappa == pytest.approx(1 / 3, abs=1e-12)
    assert by_dimension(unstated, "overall").unstated_rate == 0.5


def test_only_the_original_order_is_scored() -> None:
    original = [judgment("1", "AAAAAA", "AAAAAA"), judgment("2", "BBBBBB", "AAAAAA")]
    swapped = [judgment("1", "BBBBBB", "AAAAAA", order="swapped"), judgment("2", "AAAAAA", "BBBBBB", order="swapped")]
    assert agreement_table([*original, *swapped]) == agreement_table(original)
    assert by_dimension(agreement_table(original), "overall").kappa == 0.0
    assert case_accuracies([*original, *swapped]) == {("brain", "1"): 1.0, ("brain", "2"): 0.0}


def test_intervals_are_seeded_and_contain_the_estimate() -> None:
    experts = {i: "ABABAB" if i % 2 else "BABABA" for i in range(40)}
    judgments = [judgment(str(i), experts[i], experts[i] if i % 3 else "BBBBBB") for i in range(40)]
    first, second = agreement_table(judgments), agreement_table(judgments)
    assert first == second
    assert all(not math.isnan(row.kappa) for row in first)
    for row in first:
        low, high = row.kappa_interval
        assert low <= row.kappa <= high
        low, high = row.balanced_accuracy_interval
        assert low <= row.balanced_accuracy <= high


def test_paired_comparison_matches_the_exact_sign_flip_test() -> None:
    # Per-case accuracies (six dimensions): X = 1, 1/2, 1, 0; Y = 1/2, 1/2, 0, 0.
    # Differences 1/2, 0, 1, 0: mean 3/8. Under the null, each non-zero difference keeps or
    # flips its sign: |sum| >= 3/2 in 2 of the 4 equally likely patterns -> exact p = 1/2.
    x = {("brain", "1"): 1.0, ("brain", "2"): 0.5, ("brain", "3"): 1.0, ("brain", "4"): 0.0}
    y = {("brain", "1"): 0.5, ("brain", "2"): 0.5, ("brain", "3"): 0.0, ("brain", "4"): 0.0}
    (comparison,) = compare_judges({"X": x, "Y": y})
    assert (comparison.first, comparison.second, comparison.n_cases) == ("X", "Y", 4)
    assert comparison.difference == pytest.approx(3 / 8, abs=1e-12)
    differences = [x[key] - y[key] for key in sorted(x)]
    exact = (
        sum(
            abs(sum(sign * d for sign, d in zip(signs, differences, strict=True))) >= 1.5 - 1e-12
            for signs in itertools.product((-1, 1), repeat=4)
        )
        / 2**4
    )
    assert exact == 0.5
    assert comparison.p_value == pytest.approx(exact, abs=0.02)  # 10,000 random flips
    low, high = comparison.interval
    assert min(differences) <= low <= comparison.difference <= high <= max(differences)
    assert comparison.p_holm == comparison.p_value  # a single comparison: nothing to correct
    assert compare_judges({"X": x, "Y": y}) == [comparison]  # seeded: the same numbers every time


def test_a_constant_advantage_has_the_smallest_p_value() -> None:
    better = {("lung", str(i)): 1.0 for i in range(30)}
    worse = {("lung", str(i)): 0.5 for i in range(30)}
    (comparison,) = compare_judges({"better": better, "worse": worse})
    assert comparison.difference == 0.5
    assert comparison.interval == (0.5, 0.5)
    # Only the two all-same-sign patterns (probability 2 / 2**30) reach the observed difference.
    assert comparison.p_value == 1 / (PERMUTATIONS + 1)


def test_holm_by_hand() -> None:
    # Sorted: 0.01 x 3 = 0.03; 0.03 x 2 = 0.06; 0.04 x 1 = 0.04, raised to 0.06 to stay monotonic.
    assert holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06], abs=1e-15)
    assert holm([0.5, 0.9]) == [1.0, 1.0]
    assert holm([]) == []


def test_judges_on_different_cases_are_not_compared() -> None:
    x = {("brain", "1"): 1.0, ("brain", "2"): 0.0}
    y = {("brain", "1"): 1.0, ("brain", "3"): 0.0}
    z = {("brain", "1"): 0.0, ("brain", "2"): 0.0}
    with pytest.raises(DifferentCasesError, match=r"judged on different cases \(1 only in the first, 1 only in the"):
        check_same_cases("X", x, "Y", y)
    comparisons = compare_judges({"X": x, "Y": y, "Z": z})
    refused = {(c.first, c.second): c.refused for c in comparisons}
    assert refused[("X", "Z")] is None
    assert "'X' and 'Y' were judged on different cases" in (refused[("X", "Y")] or "")
    assert "'Y' and 'Z' were judged on different cases" in (refused[("Y", "Z")] or "")
    compared = [c for c in comparisons if c.refused is None]
    assert len(compared) == 1 and compared[0].p_holm == compared[0].p_value  # Holm over compared pairs only


# ---------------------------------------------------------------------------------------
# Through the command
# ---------------------------------------------------------------------------------------
def write_judge(folder: Path, name: str, picks: dict[str, str], experts: dict[str, str]) -> Path:
    lines = [sample_record(i, qid, experts[qid], picks[qid], organ="lung") for i, qid in enumerate(sorted(picks))]
    results = {
        "results": {"med_rewardbench_lung": {"alias": "med_rewardbench_lung"}},
        "config": {"model": "judge", "model_args": f"name={name}"},
        "n-samples": {"med_rewardbench_lung": {"original": len(lines), "effective": len(lines)}},
    }
    run = folder / name
    write_samples(run, "med_rewardbench_lung", lines)
    (run / "20250101_120000_results.json").write_text(json.dumps(results))
    return run


EXPERTS = {str(i): ("AAAAAA" if i % 3 else "BBBBBB") for i in range(1, 13)}


def test_the_report_lists_agreement_and_comparisons(tmp_path: Path) -> None:
    always_a = write_judge(tmp_path, "always-a", dict.fromkeys(EXPERTS, "AAAAAA"), EXPERTS)
    perfect = write_judge(tmp_path, "perfect", dict(EXPERTS), EXPERTS)
    fewer = write_judge(tmp_path, "fewer", {qid: EXPERTS[qid] for qid in list(EXPERTS)[:6]}, EXPERTS)
    out = tmp_path / "report"
    assert run_report([str(always_a), str(perfect), str(fewer), "--out", str(out)]) == 0
    agreement = read_csv(out / "agreement.csv")
    for dimension in (*DIMENSIONS, "mean"):
        row = row_for(agreement, model="judge (name=always-a)", dimension=dimension)
        # Experts pick A on 8 of 12: always-A is right 2/3 of the time, and no better than chance.
        assert float(row["accuracy"]) == pytest.approx(8 / 12, abs=1e-12)
        assert float(row["kappa"]) == 0.0
        assert float(row["balanced_accuracy"]) == 0.5
        perfect_row = row_for(agreement, model="judge (name=perfect)", dimension=dimension)
        assert (float(perfect_row["kappa"]), float(perfect_row["balanced_accuracy"])) == (1.0, 1.0)
    board = read_csv(out / "leaderboard.csv")
    assert [(row["model"], row["mean_kappa"]) for row in board][:2] == [
        ("judge (name=fewer)", "1.0"),
        ("judge (name=perfect)", "1.0"),
    ]
    comparisons = read_csv(out / "comparisons.csv")
    pair = row_for(comparisons, judge="judge (name=perfect)", versus="judge (name=always-a)")
    assert float(pair["difference"]) == pytest.approx(1 - 8 / 12, abs=1e-12)
    assert float(pair["p_holm"]) >= float(pair["p_value"])
    refused = row_for(comparisons, judge="judge (name=fewer)", versus="judge (name=perfect)")
    assert "judged on different cases" in refused["not_compared"] and refused["difference"] == ""
    markdown = (out / "report.md").read_text()
    assert "## Judge against judge" in markdown and "### Agreement beyond chance" in markdown
    # Seeded: the same report twice gives the same numbers.
    again = tmp_path / "again"
    assert run_report([str(always_a), str(perfect), str(fewer), "--out", str(again)]) == 0
    assert (again / "comparisons.csv").read_text() == (out / "comparisons.csv").read_text()


def test_swap_runs_score_agreement_on_the_original_order(tmp_path: Path) -> None:
    lines = []
    for index, qid in enumerate(("1", "2", "3", "4")):
        expert = "AAAAAA" if qid != "4" else "BBBBBB"
        lines += swap_pair(2 * index, qid, expert, "AAAAAA", "AAAAAA")
    folder = tmp_path / "swap"
    write_samples(folder, "med_rewardbench_sample_swap", lines)
    out = tmp_path / "report"
    assert run_report([str(folder), "--out", str(out)]) == 0
    row = read_csv(out / "agreement.csv")[0]
    assert (row["dimension"], row["n_cases"], float(row["accuracy"]), float(row["kappa"])) == (
        "accuracy",
        "4",
        0.75,
        0.0,
    )
