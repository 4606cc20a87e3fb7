"""The prose stage on single sentences: which winner it reads on which dimensions, and what
it refuses to read. (Whole outputs are in tests/data/verdict_cases.jsonl.)"""

from __future__ import annotations

import pytest

from med_rewardbench_tasks.parsing.prose import statements


def read(text: str, context: frozenset[str] = frozenset()) -> set[tuple[str, str | None]]:
    """(dimension, winner) pairs the sentences state; generic statements as ("*", winner)."""
    found: set[tuple[str, str | None]] = set()
    for statement in statements(text, context=context):  # type: ignore[arg-type]
        for dim in statement.dims or {"*"}:
            found.add((dim, statement.winner))
    return found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Assistant B is more accurate.", {("accuracy", "B")}),
        ("Assistant A is less precise than Assistant B.", {("accuracy", "B")}),
        ("B is more accurate and relevant.", {("accuracy", "B"), ("relevance", "B")}),
        ("For creativity I lean towards A.", {("creativity", "A")}),
        ("Regarding accuracy, the second assistant gets the diagnosis right.", {("accuracy", "B")}),
        ("The first response is more creative but less responsive.", {("creativity", "A"), ("responsiveness", "B")}),
        ("Compared with A, B is more thorough.", {("comprehensiveness", "B")}),
        ("The more complete answer is Assistant A.", {("comprehensiveness", "A")}),
        ("I'd give relevance to A.", {("relevance", "A")}),
        (
            "Assistant A misreads the scan, whereas Assistant B correctly identifies the mass.",
            {("accuracy", "B")},
        ),
        ("Comparing A and B, the latter is more accurate.", {("accuracy", "B")}),
        ("Between B and A, the former is more accurate.", {("accuracy", "B")}),
        ("整体而言A更优。", {("overall", "A")}),
        ("在全面性上B胜出。", {("comprehensiveness", "B")}),
        ("助手A在准确性上不如助手B。", {("accuracy", "B")}),
        ("第二个回答更准确。", {("accuracy", "B")}),
        ("Answer 2 wins on accuracy.", {("accuracy", "B")}),
        ("Assistant B is better.", {("*", "B")}),
        ("A and B are equally accurate.", {("accuracy", None)}),  # a tie: no winner
        ("助手A和助手B在相关性上相当。", {("relevance", None)}),
        # Round two: a list after "more", "the X one", labels inline, contrasts over two
        # sentences, a choice after a comparison, "the two answers" before "the former".
        (
            "Assistant A is more accurate, relevant, comprehensive and creative.",
            {("accuracy", "A"), ("relevance", "A"), ("comprehensiveness", "A"), ("creativity", "A")},
        ),
        ("The second answer is the accurate one.", {("accuracy", "B")}),
        ("Creativity is a wash. Overall: Assistant 2.", {("creativity", None), ("overall", "B")}),
        ("Assistant A gives the correct answer. Assistant B gives the wrong answer.", {("accuracy", "A")}),
        (
            "Assistant A says it is a cyst, which is wrong. Assistant B correctly names the abscess.",
            {("accuracy", "B")},
        ),
        ("Assistant A is more accurate, and I prefer Assistant B overall.", {("accuracy", "A"), ("overall", "B")}),
        ("Of the two answers, the latter is more complete.", {("comprehensiveness", "B")}),
        (
            "Neither answer is more creative. On everything else B is better.",
            {("creativity", None)}
            | {(dim, "B") for dim in ("accuracy", "relevance", "comprehensiveness", "responsiveness", "overall")},
        ),
        ("助手B的回答更贴合问题，创造性方面A略好。", {("relevance", "B"), ("creativity", "A")}),
    ],
)
def test_reads(text: str, expected: set[tuple[str, str | None]]) -> None:
    assert read(text) == expected


def test_all_but_one_leaves_the_excepted_dimension_unread() -> None:
    assert read("B wins everything but creativity.") == {
        (dim, "B") for dim in ("accuracy", "relevance", "comprehensiveness", "responsiveness", "overall")
    }


def test_context_stands_in_for_an_unnamed_dimension() -> None:
    assert read("Assistant B is clearly better here.", frozenset({"accuracy"})) == {("accuracy", "B")}


@pytest.mark.parametrize(
    "text",
    [
        "Assistant B is not more accurate than Assistant A.",  # a negation before the comparison
        "If Assistant A had mentioned the effusion, it would be more accurate.",  # a hypothetical
        "Is Assistant B more accurate?",  # a question
        'The question asks "which answer is more accurate, A or B".',  # quoted text
        "Assistant A says that B is more accurate.",  # what an answer says
        "Assistant A orders a CT, which is more accurate.",  # a relative clause about the CT
        "The former is more accurate.",  # no two answers named before it
        "Assistant A correctly identifies the fracture. Assistant B also correctly identifies it.",  # praise of both
        "Assistant A correctly identifies the fracture. It is displaced. Assistant B misses it.",  # not adjacent
        "Assistant A orders an MRI, which is correct. Assistant B orders an X-ray.",  # the MRI is judged, not A
        "The overall: B is not right.",  # a label is the whole sentence
        "The B-lines are more prominent, which is more relevant to heart failure.",  # a medical name
        "Hepatitis B is more relevant than hepatitis A here.",
        "Assistant B could be more detailed.",  # a wish, not a verdict
        "如果助手A提到了积液，它会更准确。",
        "Both answers are accurate.",  # no comparison: no statement at all
        "A small nodule is more visible on the left.",  # the article
    ],
)
def test_refuses(text: str) -> None:
    assert read(text) == set()


@pytest.mark.parametrize("text", ["Neither answer is more relevant.", "两者在相关性上相当。"])
def test_a_tie_between_the_two_answers_names_no_winner(text: str) -> None:
    # Read as a tie (so it can contradict a winner stated elsewhere), never as a letter.
    assert read(text) == {("relevance", None)}


def test_conflicting_statements_in_one_sentence_are_both_kept_for_the_caller_to_refuse() -> None:
    # The candidate built from these gives None for accuracy (see assemble._aggregate).
    assert read("A is more accurate about the location, but B is more accurate about the size.") == {
        ("accuracy", "A"),
        ("accuracy", "B"),
    }


def test_a_hedge_is_marked_tentative_and_only_there() -> None:
    hedged = statements("Assistant A is probably more accurate, but I should check again.")
    assert [(s.dims, s.winner, s.tentative) for s in hedged] == [(frozenset({"accuracy"}), "A", True)]
    plain = statements("Assistant A is more accurate.")
    assert [s.tentative for s in plain] == [False]


def test_a_label_in_prose_is_read_only_when_asked() -> None:
    assert read("Overall: Assistant 1.") == {("overall", "A")}
    assert statements("Overall: Assistant 1.", labels=False) == []
