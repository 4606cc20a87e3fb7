"""The one aggregation path (med_rewardbench_tasks.metrics) on hand-built judgments.

Expected values are worked out by hand from the letters written in each test, never by
calling the code under test another way.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from med_rewardbench_tasks.constants import DIMENSIONS
from med_rewardbench_tasks.metric_names import ALL_METRICS, HEADLINE_METRICS, PAIRED_METRICS
from med_rewardbench_tasks.metrics import (
    BOOTSTRAP_REPLICATES,
    BOOTSTRAP_SEED,
    case_ratios,
    metric_table,
    paired_value,
    point_estimates,
    presentation_values,
    swap_values,
)
from med_rewardbench_tasks.parsing import Verdict
from med_rewardbench_tasks.records import (
    Judgment,
    Presentation,
    judgment_from_record,
    judgment_record,
    presentation_from_record,
    presentation_record,
)

FLIP = {"A": "B", "B": "A", "-": "-"}


def letters_dict(letters: str) -> dict[str, str | None]:
    assert len(letters) == 6
    return {d: (None if c == "-" else c) for d, c in zip(DIMENSIONS, letters, strict=True)}


def shown(
    qid: str,
    expert: str,
    *,
    order: str = "original",
    longer: str | None = None,
    organ: str = "abdomen",
    department: str | None = None,
) -> Presentation:
    """A presentation; ``expert`` (and ``longer``) are given in the ORIGINAL order's letters."""
    if order == "swapped":
        expert = "".join(FLIP[c] for c in expert)
        longer = None if longer is None else FLIP[longer]
    return Presentation(qid, organ, order, letters_dict(expert), longer, department)  # type: ignore[arg-type]


def judge(presentation: Presentation, picks: str, parsed: bool | None = None) -> Judgment:
    """The judge's picks in the letters shown; parsed unless a dimension is missing."""
    return Judgment(presentation, letters_dict(picks), ("-" not in picks) if parsed is None else parsed)


def both_orders(
    qid: str, expert: str, original_picks: str, swapped_picks: str, longer: str | None = None
) -> list[Judgment]:
    return [
        judge(shown(qid, expert, longer=longer), original_picks),
        judge(shown(qid, expert, order="swapped", longer=longer), swapped_picks),
    ]


# Five cases, labels written per dimension (acc, rel, comp, crea, resp, overall).
LABELS = {"1": "AAAAAA", "2": "ABABAB", "3": "BBAABB", "4": "BBBBBA", "5": "AABBBA"}
# The experts' A-share per dimension, counted by hand from LABELS.
EXPERT_A_SHARE = {
    "accuracy": 3 / 5,  # 1, 2, 5
    "relevance": 2 / 5,  # 1, 5
    "comprehensiveness": 3 / 5,  # 1, 2, 3
    "creativity": 2 / 5,  # 1, 3
    "responsiveness": 2 / 5,  # 1, 2
    "overall": 3 / 5,  # 1, 4, 5
}


# ---------------------------------------------------------------------------------------
# Exact values
# ---------------------------------------------------------------------------------------
def test_accuracy_and_parse_failures_on_a_hand_built_set() -> None:
    judgments = [
        judge(shown("1", "AAAAAA"), "AAAAAA"),  # all right
        judge(shown("2", "ABABAB"), "BBBBBB"),  # right on rel, crea, overall
        judge(shown("3", "BBAABB"), "-----B"),  # unparsed except overall (right): a parse failure
        judge(shown("4", "BBBBBA"), "AAAAAA", parsed=True),  # right on overall only
    ]
    table = metric_table(judgments)
    assert (table.n_cases, table.n_presentations) == (4, 4)
    assert table.values["accuracy_acc"] == 1 / 4
    assert table.values["relevance_acc"] == 2 / 4
    assert table.values["comprehensiveness_acc"] == 1 / 4
    assert table.values["creativity_acc"] == 2 / 4
    assert table.values["responsiveness_acc"] == 1 / 4
    assert table.values["overall_acc"] == 4 / 4
    # per case: 6/6, 3/6, 1/6, 1/6 -> 11/24
    assert table.values["mean_acc"] == pytest.approx(11 / 24, abs=1e-15)
    assert table.values["parse_failure_rate"] == 1 / 4
    # No swapped presentation: no swap metric is reported at all (not a zero).
    assert not any(name.endswith(("swapped_acc", "strict_acc", "consistency")) for name in table.values)
    assert set(table.intervals) >= set(HEADLINE_METRICS)


def test_a_dimension_not_stated_counts_as_wrong_and_partial_verdicts_are_parse_failures() -> None:
    verdict = Verdict(choices={"overall": "A"}, status="partial", method="lone_verdict")
    judged = Judgment.from_verdict(shown("1", "AAAAAA"), verdict)
    assert not judged.parsed
    values = presentation_values(judged)
    assert values["overall_acc"] == 1.0
    assert [values[f"{d}_acc"] for d in DIMENSIONS[:5]] == [0.0] * 5
    assert values["mean_acc"] == pytest.approx(1 / 6)
    assert values["parse_failure_rate"] == 1.0
    unreadable = Judgment.from_verdict(shown("2", "BBBBBB"), Verdict(choices={}, status="unparseable", method="none"))
    table = metric_table([judged, unreadable])
    assert table.values["accuracy_acc"] == 0.0
    assert table.values["overall_acc"] == 1 / 2
    assert table.values["parse_failure_rate"] == 1.0


# ---------------------------------------------------------------------------------------
# The identities of position bias
# ---------------------------------------------------------------------------------------
def test_always_a_judge_on_swap_data() -> None:
    judgments = [j for qid, labels in LABELS.items() for j in both_orders(qid, labels, "AAAAAA", "AAAAAA")]
    table = metric_table(judgments)
    for d in DIMENSIONS:
        assert table.values[f"{d}_consistency"] == 0.0
        assert table.values[f"{d}_first_position_rate"] == 1.0
        assert table.values[f"{d}_strict_acc"] == 0.0
        # Right in the original order exactly when the experts chose the answer shown first.
        assert table.values[f"{d}_acc"] == pytest.approx(EXPERT_A_SHARE[d], abs=1e-15)
        assert table.values[f"{d}_swapped_acc"] == pytest.approx(1 - EXPERT_A_SHARE[d], abs=1e-15)
    assert table.values["mean_consistency"] == 0.0
    assert table.values["mean_first_position_rate"] == 1.0


def test_always_right_judge_on_swap_data() -> None:
    judgments = []
    for qid, labels in LABELS.items():
        swapped_labels = "".join(FLIP[c] for c in labels)
        judgments += both_orders(qid, labels, labels, swapped_labels)
    table = metric_table(judgments)
    for d in DIMENSIONS:
        assert table.values[f"{d}_consistency"] == 1.0
        assert table.values[f"{d}_strict_acc"] == 1.0
        assert table.values[f"{d}_acc"] == 1.0
        assert table.values[f"{d}_swapped_acc"] == 1.0
        assert table.values[f"{d}_first_position_rate"] == pytest.approx(EXPERT_A_SHARE[d], abs=1e-15)
        assert table.values[f"{d}_expert_first_position_rate"] == table.values[f"{d}_first_position_rate"]
    assert table.values["mean_expert_first_position_rate"] == pytest.approx(sum(EXPERT_A_SHARE.values()) / 6)


@pytest.mark.parametrize("letter", ["A", "B"])
def test_a_constant_judge_swapped_accuracy_is_one_minus_original(letter: str) -> None:
    picks = letter * 6
    judgments = [j for qid, labels in LABELS.items() for j in both_orders(qid, labels, picks, picks)]
    table = metric_table(judgments)
    for d in (*DIMENSIONS, "mean"):
        assert table.values[f"{d}_swapped_acc"] == pytest.approx(1 - table.values[f"{d}_acc"], abs=1e-15)


def test_consistency_counts_the_same_underlying_answer_and_unparsed_picks_as_inconsistent() -> None:
    judgments = [
        # Picks answer 1 in both orders (A, then B): consistent; right in the original order only.
        *both_orders("1", "AAAAAA", "AAAAAA", "BBBBBB"),
        # Picks answer 2 (B), then answer 1 (B shown = answer 1): inconsistent.
        *both_orders("2", "AAAAAA", "BBBBBB", "BBBBBB"),
        # Nothing stated in the swapped order: inconsistent, and a parse failure.
        *both_orders("3", "BBBBBB", "BBBBBB", "------"),
    ]
    table = metric_table(judgments)
    assert table.values["accuracy_consistency"] == 1 / 3  # case 1
    assert table.values["accuracy_acc"] == 2 / 3  # cases 1 and 3
    assert table.values["accuracy_swapped_acc"] == 2 / 3  # cases 1 and 2 (the experts' answer 1 is shown as B)
    assert table.values["accuracy_strict_acc"] == 1 / 3  # case 1
    assert table.values["parse_failure_rate"] == 1 / 6


def test_position_bias_counts_the_same_position_picked_twice() -> None:
    judgments = [
        *both_orders("1", "AAAAAA", "AAAAAA", "AAAAAA"),  # first position twice on all six
        *both_orders("2", "ABABAB", "BBBBBB", "BBBBBB"),  # second position twice on all six
        *both_orders("3", "ABABAB", "ABABAB", "BABABA"),  # right and consistent
        *both_orders("4", "AAAAAA", "AAAAA-", "AAAAAB"),  # first twice on five; overall missing once
    ]
    table = metric_table(judgments)
    assert table.values["accuracy_first_position_bias"] == 2 / 4  # cases 1, 4
    assert table.values["overall_first_position_bias"] == 1 / 4  # case 1 (case 4 has no original overall)
    assert table.values["mean_first_position_bias"] == pytest.approx((6 + 5) / 24, abs=1e-15)
    assert table.values["mean_second_position_bias"] == pytest.approx(6 / 24, abs=1e-15)
    assert table.values["mean_consistency"] == pytest.approx(6 / 24, abs=1e-15)
    # Consistent, first twice, second twice, or a winner missing in one order: one of the four.
    missing = 1 / 24
    total = sum(table.values[f"mean_{m}"] for m in ("consistency", "first_position_bias", "second_position_bias"))
    assert total + missing == pytest.approx(1.0, abs=1e-15)


def test_swap_values_feed_lmms_eval_one_order_each_and_the_pairs_whole() -> None:
    original, swapped = both_orders("1", "ABABAB", "ABABAB", "AAAAAA")  # right, then A = answer 2 everywhere
    first, second = swap_values(original), swap_values(swapped)
    assert set(first) == {*PAIRED_METRICS, "parse_failure_rate", *HEADLINE_METRICS[:7]}
    assert set(second) == {*PAIRED_METRICS, "parse_failure_rate", "mean_swapped_acc"}
    # The keys every doc returns come first (lmms-eval sizes a task by the last metric it collects).
    assert list(first)[:5] == ["parse_failure_rate", *PAIRED_METRICS]
    assert first["mean_acc"] == 1.0 and second["mean_swapped_acc"] == 3 / 6  # swapped labels BABABA
    assert first["mean_consistency"] == judgment_record(original)
    records = [first["mean_consistency"], second["mean_consistency"]]
    # Swapped picks AAAAAA = answer 2 on all six; the original picks were answer 2 on rel, crea, overall.
    assert paired_value("mean_consistency", records) == 3 / 6
    assert paired_value("mean_strict_acc", records) == 3 / 6
    assert paired_value("mean_first_position_bias", records) == 3 / 6  # A twice on acc, comp, resp
    assert paired_value("mean_second_position_bias", list(reversed(records))) == 0.0
    assert math.isnan(paired_value("mean_consistency", records[:1]))  # no case in both orders
    with pytest.raises(ValueError, match="not one of the paired"):
        paired_value("mean_acc", records)


def test_a_case_judged_in_one_order_only_is_left_out_of_strict_and_consistency() -> None:
    judgments = [
        *both_orders("1", "AAAAAA", "AAAAAA", "BBBBBB"),  # right and consistent in both orders
        *both_orders("2", "BBBBBB", "AAAAAA", "AAAAAA"),  # wrong, then right (A shown = answer 2): inconsistent
        judge(shown("3", "AAAAAA"), "BBBBBB"),  # original order only: wrong
        judge(shown("4", "AAAAAA", order="swapped"), "BBBBBB"),  # swapped order only: right
    ]
    table = metric_table(judgments)
    assert (table.n_cases, table.n_presentations) == (4, 6)
    assert table.values["accuracy_acc"] == 1 / 3  # cases 1, 2, 3
    assert table.values["accuracy_swapped_acc"] == 3 / 3  # cases 1, 2, 4
    assert table.values["accuracy_strict_acc"] == 1 / 2  # cases 1, 2 only
    assert table.values["accuracy_consistency"] == 1 / 2  # cases 1, 2 only
    assert table.values["accuracy_first_position_rate"] == 2 / 3  # original order: A, A, B


# ---------------------------------------------------------------------------------------
# Length bias
# ---------------------------------------------------------------------------------------
def test_length_bias_rates_on_a_hand_built_set() -> None:
    judgments = [
        judge(shown("1", "AAAAAA", longer="A"), "AAAAAA"),  # judge longer; experts longer
        judge(shown("2", "BBBBBB", longer="A"), "AAAAAB"),  # judge longer on 5; experts shorter
        judge(shown("3", "AAAAAA", longer="B"), "AAAAAA"),  # judge shorter; experts shorter
        judge(shown("4", "BBBBBB", longer=None), "BBBBBB"),  # equal lengths: not counted
    ]
    table = metric_table(judgments)
    assert table.values["accuracy_longer_pick_rate"] == 2 / 3
    assert table.values["overall_longer_pick_rate"] == 1 / 3
    assert table.values["mean_longer_pick_rate"] == pytest.approx((1 + 5 / 6 + 0) / 3, abs=1e-15)
    assert table.values["accuracy_expert_longer_rate"] == 1 / 3
    assert table.values["mean_expert_longer_rate"] == pytest.approx(1 / 3, abs=1e-15)


def test_length_bias_counts_both_orders_of_swap_data() -> None:
    # A judge that always picks the longer answer, whichever position it is shown in.
    judgments = [
        *both_orders("1", "AAAAAA", "AAAAAA", "BBBBBB", longer="A"),
        *both_orders("2", "AAAAAA", "BBBBBB", "AAAAAA", longer="B"),
    ]
    table = metric_table(judgments)
    assert table.values["mean_longer_pick_rate"] == 1.0
    assert table.values["accuracy_expert_longer_rate"] == 2 / 4  # case 1 in both orders
    assert table.values["mean_consistency"] == 1.0


# ---------------------------------------------------------------------------------------
# Bootstrap intervals
# ---------------------------------------------------------------------------------------
def _mixed_judgments(copies: int = 1) -> list[Judgment]:
    picks = {"1": "AAAAAA", "2": "BBBBBB", "3": "BBAABA", "4": "AAAAAA", "5": "ABBBBA"}
    return [
        judge(shown(f"{copy}-{qid}", labels), picks[qid]) for copy in range(copies) for qid, labels in LABELS.items()
    ]


def test_bootstrap_is_deterministic_and_contains_the_point_estimate() -> None:
    first = metric_table(_mixed_judgments(4))
    second = metric_table(_mixed_judgments(4))
    assert first.intervals == second.intervals
    for name, (low, high) in first.intervals.items():
        assert low <= first.values[name] <= high, name


def test_bootstrap_intervals_shrink_with_more_cases() -> None:
    small = metric_table(_mixed_judgments(2)).intervals["mean_acc"]
    large = metric_table(_mixed_judgments(20)).intervals["mean_acc"]
    assert large[1] - large[0] < small[1] - small[0]


def test_bootstrap_resamples_cases_jointly() -> None:
    # Accuracy and relevance are right on exactly the same cases, as are all six dimensions
    # of every case: with one draw shared by all metrics their intervals must coincide.
    judgments = [judge(shown(str(i), "AAAAAA"), "AAAAAA" if i % 3 else "BBBBBB") for i in range(30)]
    table = metric_table(judgments)
    assert table.intervals["accuracy_acc"] == table.intervals["relevance_acc"] == table.intervals["mean_acc"]
    assert table.intervals["accuracy_acc"][0] < table.intervals["accuracy_acc"][1]


def test_bootstrap_moves_both_orders_of_a_case_together() -> None:
    # Right in both orders or wrong in both: original and swapped accuracy agree case by case.
    judgments = []
    for i in range(30):
        labels = "AAAAAA"
        right = i % 4 != 0
        judgments += both_orders(str(i), labels, "AAAAAA" if right else "BBBBBB", "BBBBBB" if right else "AAAAAA")
    table = metric_table(judgments)
    assert (
        table.intervals["accuracy_acc"]
        == table.intervals["accuracy_swapped_acc"]
        == table.intervals["accuracy_strict_acc"]
    )


def test_mean_accuracy_interval_uses_the_same_case_draws() -> None:
    judgments = _mixed_judgments(3)
    table = metric_table(judgments)
    per_case_mean = np.array(
        [np.mean([j.correct(d) for d in DIMENSIONS]) for j in judgments]  # one presentation per case, in order
    )
    per_case_accuracy = np.array([float(j.correct("accuracy")) for j in judgments])
    draws = np.random.default_rng(BOOTSTRAP_SEED).integers(
        0, len(judgments), size=(BOOTSTRAP_REPLICATES, len(judgments))
    )
    for name, per_case in (("mean_acc", per_case_mean), ("accuracy_acc", per_case_accuracy)):
        low, high = np.quantile(per_case[draws].mean(axis=1), [0.025, 0.975])
        assert table.intervals[name] == pytest.approx((low, high), abs=1e-12)


def test_intervals_only_for_requested_metrics() -> None:
    table = metric_table(_mixed_judgments(), intervals_for=["mean_acc"])
    assert set(table.intervals) == {"mean_acc"}
    assert set(table.values) <= set(ALL_METRICS)


def test_point_estimates_agree_with_case_ratios() -> None:
    ratios = case_ratios(_mixed_judgments())
    assert len(ratios.cases) == 5
    assert point_estimates(ratios)["accuracy_acc"] == sum(ratios.numerators["accuracy_acc"]) / 5


# ---------------------------------------------------------------------------------------
# Records
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "judged",
    [
        judge(shown("7", "ABABAB", longer="A"), "AABB-B", parsed=False),
        judge(shown("x-1", "BBBBBB", order="swapped", longer=None, organ="heart", department="cardiology"), "AAAAAA"),
        judge(shown("9", "AAAAAA", longer="B"), "------", parsed=False),
    ],
)
def test_judgment_record_round_trip(judged: Judgment) -> None:
    record = judgment_record(judged)
    assert json.loads(json.dumps(record)) == record  # travels through lmms-eval's gather and samples log
    assert judgment_from_record(record) == judged
    assert judgment_from_record(tuple(record)) == judged


@pytest.mark.parametrize(
    "presentation",
    [
        shown("1", "ABABAB", longer="A"),
        shown("2", "AAAAAA", order="swapped", longer=None, organ="lung", department="pulmonology"),
    ],
)
def test_presentation_record_round_trip(presentation: Presentation) -> None:
    record = presentation_record(presentation)
    assert ("department" in record) == (presentation.department is not None)
    assert presentation_from_record(record) == presentation


GOOD_RECORD = {
    "question_id": "1",
    "organ": "abdomen",
    "order": "original",
    "winners": dict.fromkeys(DIMENSIONS, "A"),
    "longer": "A",
}


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"order": "sideways"}, ValueError),
        ({"winners": {**dict.fromkeys(DIMENSIONS, "A"), "overall": "C"}}, ValueError),
        ({"winners": dict.fromkeys(DIMENSIONS[:5], "A")}, ValueError),
        ({"winners": "AAAAAA"}, ValueError),
        ({"longer": "X"}, ValueError),
    ],
)
def test_bad_presentation_records_raise(change: dict, error: type[Exception]) -> None:
    assert presentation_from_record(GOOD_RECORD).question_id == "1"
    with pytest.raises(error):
        presentation_from_record({**GOOD_RECORD, **change})


@pytest.mark.parametrize("missing", ["question_id", "organ", "order", "winners"])
def test_presentation_records_missing_a_field_raise(missing: str) -> None:
    with pytest.raises(ValueError, match=f"presentation record lacks {missing}"):
        presentation_from_record({key: value for key, value in GOOD_RECORD.items() if key != missing})


@pytest.mark.parametrize(
    "code",
    [
        ("abdomen", "1", "sideways", "AAAAAA", "AAAAAA", 1, "A", None),
        ("abdomen", "1", "original", "AAAAA-", "AAAAAA", 1, "A", None),  # an expert label missing
        ("abdomen", "1", "original", "AAAAA", "AAAAAA", 1, "A", None),
        ("abdomen", "1", "original", "AAAAAA", "AAAAAC", 1, "A", None),
        ("abdomen", "1", "original", "AAAAAA", "AAAAAA", 1),  # too short
    ],
)
def test_bad_judgment_records_raise(code: tuple) -> None:
    with pytest.raises(ValueError):
        judgment_from_record(code)


def test_a_presentation_judged_twice_raises() -> None:
    with pytest.raises(ValueError, match="judged twice"):
        metric_table([judge(shown("1", "AAAAAA"), "AAAAAA"), judge(shown("1", "AAAAAA"), "BBBBBB")])


def test_bias_rates_count_stated_picks_only() -> None:
    # An always-A judge that lost its verdict on case 2 (all six) and on creativity in case 3:
    # a parse failure is not a preference, so its first-position rate stays 1 (4 and 3 stated
    # picks), while accuracy counts the lost picks as wrong.
    judgments = [
        judge(shown("1", LABELS["1"], longer="A"), "AAAAAA"),
        judge(shown("2", LABELS["2"], longer="A"), "------"),
        judge(shown("3", LABELS["3"], longer="B"), "AAA-AA"),
        judge(shown("4", LABELS["4"], longer="B"), "AAAAAA"),
    ]
    values = point_estimates(case_ratios(judgments))
    for dimension in DIMENSIONS:
        assert values[f"{dimension}_first_position_rate"] == 1.0
    assert values["mean_first_position_rate"] == 1.0
    # longer answer: A for cases 1-2, B for 3-4; stated picks: cases 1, 3, 4 (and not creativity in 3).
    assert values["accuracy_longer_pick_rate"] == pytest.approx(1 / 3)
    assert values["creativity_longer_pick_rate"] == pytest.approx(1 / 2)
    assert values["mean_longer_pick_rate"] == pytest.approx((5 * 1 + 1) / (5 * 3 + 2))
    assert values["accuracy_acc"] == pytest.approx(1 / 4)  # only case 1's label is A; case 2's loss counts
    assert values["parse_failure_rate"] == pytest.approx(2 / 4)
