"""Stage 5: verdicts stated in prose — "B is more accurate", "For creativity I lean towards
A", "Assistant A is less precise than Assistant B", "B wins everything but creativity",
"整体而言A更优", "在全面性上B胜出".

Text is cut into sentences and clauses (at "but", "whereas", "但是", ...), and each clause
into tokens from the lexicon (``aliases.json``): answer names, dimension words, comparison
words, ties, negations, hypotheticals. A clause is read as a few *segments*, each with one
subject (the answer it is about) and what is said of it:

* a comparison bound to a dimension ("more accurate", "less relevant", "更全面") or a
  generic one ("better", "superior", "胜出") applied to the dimensions the segment (or the
  clause's frame, "Regarding accuracy, ...", "在准确性方面") names;
* a choice ("I prefer B", "goes to A", "选择B"), whose winner is the answer it names;
* a tie ("equally relevant", "相当"), which names no winner;
* praise or criticism ("correctly identifies", "misses") counts only in a contrast ("A
  misreads it, whereas B correctly identifies it") or under a frame naming its dimension.

What is never read: a clause with a negation before its comparison ("B is not more
accurate"), a hypothetical ("if A had mentioned ...", "B could be more detailed"), a
question, text in double quotes, what an answer is reported to say ("A says that ...",
"助手A认为 ..."), a relative clause about something other than an answer ("A orders a CT,
which is more accurate"), a subject that is both answers, "the former" / "the latter"
without two answers named just before. Sentences that name no answer are not read at all.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Final

from ..constants import DIMENSIONS, Dimension, Winner
from .lexicon import Lexicon, lexicon
from .prose_clauses import (
    VERDICT_KINDS,
    bare_dimension_list,
    choices_in_turn,
    is_short,
    name_pair,
    negated,
    own_words,
    quality_after,
    resolve_references,
    segments_of,
    strict_than,
    words_after_last,
)
from .prose_links import (
    Judgement,
    adjacent_contrast,
    corrections_named,
    judgement_of,
    label_choice,
    leftover_of,
    sentence_contrast,
)
from .prose_words import Segment, Token, answers_in, lower, matches, sentences_of, tokens_of

__all__ = ["Statement", "statements"]

# Tokens further apart than this (in characters) are not one phrase ("more ... accurate").
_MODIFIER_REACH: Final = 24
# Sentences examined per text (the last ones): a verdict is near the end.
MAX_SENTENCES: Final = 400
# Tokens read per text and per sentence (the last ones): a verdict sentence has a dozen;
# junk of thousands costs no more than this.
_MAX_TOKENS: Final = 4_096
_MAX_SENTENCE_TOKENS: Final = 96
# Lines after "A wins on:" that may list its dimensions.
_LIST_ITEMS: Final = 8
_OTHER: Final[dict[str, Winner]] = {"A": "B", "B": "A"}
# Kinds without which a sentence states nothing (it only names answers or dimensions).
_SAYING_KINDS: Final = VERDICT_KINDS | {"praise", "criticism", "eval_positive", "eval_negative", "give"}
_DIMENSION_WORDS: Final = frozenset({"dim", "adjective", "praise"})
_OVERALL: Final[frozenset[Dimension]] = frozenset({"overall"})
_CORRECTIVE_KINDS: Final = frozenset({"correction", "correction_choice", "reopen"})
# Sentences after a correction without a verdict ("Wait, no.") in which the restated verdict
# is that correction.
_REVISION_REACH: Final = 2


@dataclass(frozen=True)
class Statement:
    """One verdict read from prose: a winner (None for a tie) on some dimensions."""

    dims: frozenset[Dimension]  # empty: the sentence names no dimension (generic)
    winner: Winner | None
    pos: int  # where the sentence ends, in the text read
    correction: bool = False  # the sentence corrects an earlier verdict ("Update: ...", "on reflection")
    conclusion: bool = False  # the sentence concludes ("In summary", "综上")
    choice: bool = False  # a bare choice ("I prefer B") rather than a comparison
    short: bool = False  # nothing but subject and comparison ("B is better."): may conclude an answer
    tentative: bool = False  # hedged ("A is probably more accurate"): a judge still thinking has not decided
    retraction: bool = False  # "I have this backwards": no verdict; what was said before is withdrawn
    reopen: bool = False  # "Let me reconsider accuracy.": earlier verdicts on dims are withdrawn


def statements(text: str, *, context: frozenset[Dimension] = frozenset(), labels: bool = True) -> list[Statement]:
    """The verdicts stated in text, in order. context: dimensions the text is about (its
    key or heading, "Accuracy: <text>"); they stand in where a sentence names none.
    labels: whether "Overall: B." inside prose is read (not in a verdict's reason, which
    may quote its own format)."""
    if not text.strip():
        return []
    lex = lexicon()
    lowered = lower(text)
    sentences = sentences_of(text)
    if len(sentences) > MAX_SENTENCES:
        sentences = sentences[-MAX_SENTENCES:]
    answers = answers_in(text, lowered, lex, sentences[0][0])
    if not answers and not any(scanner.search(lowered) for scanner in lex.reference_res):
        return []  # a text that names neither answer (nor refers to them) states nothing
    # Only sentences that name an answer (or refer back to one, or list dimensions after
    # "A wins on:") are read word by word: the rest cannot state a winner.
    wanted = _wanted(text, lowered, sentences, answers, lex)
    # "the second answer" somewhere: then "the second" alone names it too.
    named = [word for word in lex.answer_ordinals if word in lowered]  # rare: look at the names only then
    ordinals = bool(named) and any(word in lowered[t.start : t.end] for t in answers for word in named)
    tokens = tokens_of(text, lowered, lex, answers, [sentences[i][:2] for i in wanted])[-_MAX_TOKENS:]
    found: list[Statement] = []
    history: list[tuple[int, str]] = []  # answers mentioned, for "the former" / "the latter"
    index = 0
    pending_list: Statement | None = None  # "A wins on:" awaiting its dimension bullets
    while index < len(tokens) and tokens[index].start < sentences[0][0]:
        index += 1
    judged_before: tuple[int, list[Judgement]] | None = None  # the last sentence's unpaired judgements
    discussed: set[Dimension] = set()  # dimensions the sentences so far gave a verdict (or a tie) on
    number = -1  # counts the sentences that hold text (a blank line between two is no gap)
    revising: int | None = None  # the last sentence that announced a correction without a verdict
    for start, end, question in sentences:
        if not text[start:end].strip():
            continue
        number += 1
        sentence_tokens: list[Token] = []
        while index < len(tokens) and tokens[index].start < end:
            if tokens[index].start >= start:
                sentence_tokens.append(tokens[index])
            index += 1
        del sentence_tokens[:-_MAX_SENTENCE_TOKENS]
        if pending_list is not None:
            dims = bare_dimension_list(sentence_tokens)
            if dims:
                found.append(Statement(dims, pending_list.winner, end, pending_list.correction))
                discussed.update(dims)
                continue
            pending_list = None
        # A correction that names no winner ("Wait, no.", "Let me reconsider accuracy.")
        # makes the verdict restated in the next sentences a correction too.
        carried = revising is not None and number - revising <= _REVISION_REACH
        label = None if question or not labels else label_choice(sentence_tokens, text, start, end)
        if label is not None:
            found.append(Statement(label[0], label[1], end, carried, choice=True))  # "... Overall: Assistant 1."
            discussed.update(label[0])
            _remember(sentence_tokens, history)
            revising = None
            continue
        if any(token.kind == "retraction" for token in sentence_tokens):
            found.append(Statement(frozenset(), None, end, retraction=True))
            _remember(sentence_tokens, history)
            continue
        if question:
            _remember(sentence_tokens, history)
            continue
        corrective = any(token.kind in _CORRECTIVE_KINDS for token in sentence_tokens)
        read: list[Statement] = []
        judged: list[Judgement] = []
        if any(token.kind in _SAYING_KINDS for token in sentence_tokens):
            trailing = words_after_last(text, sentence_tokens, end)
            read, judged = _read_sentence(sentence_tokens, end, context, history, trailing, text, discussed, ordinals)
        else:
            _remember(sentence_tokens, history)
        if corrective:
            read += _corrections_named(sentence_tokens, text, read, end)
        if read:
            if carried:
                read = [dataclasses.replace(said, correction=True) for said in read]
            revising = None
        elif corrective:
            revising = number
            reopened = frozenset(t.dim for t in sentence_tokens if t.kind == "dim" and t.dim is not None)
            if reopened and any(token.kind == "reopen" for token in sentence_tokens):
                found.append(Statement(reopened, None, end, reopen=True))
        found.extend(read)
        discussed.update(dim for said in read for dim in said.dims)
        if judged and judged_before is not None and judged_before[0] == number - 1:
            paired = adjacent_contrast(judged_before[1], judged)
            if paired is not None:
                found.append(Statement(paired[1], paired[0], end))
                discussed.update(paired[1])
                judged = []
        judged_before = (number, judged) if judged else None
        if (not read or (len(read) == 1 and not read[0].dims)) and text[start:end].rstrip().endswith(":"):
            pending_list = _list_head(sentence_tokens, end)
    return found


def _corrections_named(tokens: list[Token], text: str, read: list[Statement], end: int) -> list[Statement]:
    """ "Correction to relevance: B, ...", "I meant overall B": in a correcting sentence, a
    dimension named right before an answer, on a dimension the sentence gave no verdict on."""
    covered = {dim for said in read for dim in said.dims}
    return [
        Statement(frozenset((dim,)), winner, end, correction=True, choice=True)
        for dim, winner in corrections_named(tokens, text)
        if dim not in covered
    ]


def _wanted(
    text: str, lowered: str, sentences: list[tuple[int, int, bool]], answers: list[Token], lex: Lexicon
) -> list[int]:
    """Indices of the sentences worth reading word by word."""
    found = {token.start for token in answers}
    found.update(match.start() for match in matches(lex.reference_res, lowered))
    positions = sorted(found)
    wanted: list[int] = []
    cursor = 0
    follow_until = -1
    for index, (start, end, _) in enumerate(sentences):
        while cursor < len(positions) and positions[cursor] < start:
            cursor += 1
        named = cursor < len(positions) and positions[cursor] < end
        if named or index <= follow_until:
            wanted.append(index)
            if named and text[start:end].rstrip().endswith(":"):
                follow_until = index + _LIST_ITEMS
    return wanted


def _remember(tokens: list[Token], history: list[tuple[int, str]]) -> None:
    for token in tokens:
        if token.kind == "answer" and token.letter in ("A", "B"):
            history.append((token.start, token.letter))
        elif token.kind == "both":
            name_pair(token, history)
    del history[:-8]


def _read_sentence(
    tokens: list[Token],
    end: int,
    context: frozenset[Dimension],
    history: list[tuple[int, str]],
    trailing: int,
    text: str,
    discussed: set[Dimension],
    ordinals: bool = False,
) -> tuple[list[Statement], list[Judgement]]:
    """The sentence's statements, and what it says of single answers on dimensions no
    statement covers (for a contrast with the next sentence). discussed: the dimensions
    earlier sentences gave a verdict or a tie on ("everything else" leaves them out)."""
    tokens = resolve_references(tokens, history, ordinals=ordinals)
    correction = any(token.kind in _CORRECTIVE_KINDS for token in tokens)
    conclusion = any(token.kind == "conclusion" for token in tokens)
    tentative = any(token.kind == "hedge" for token in tokens)
    clauses: list[list[Token]] = [[]]
    for token in tokens:
        if token.kind == "contrast":
            clauses.append([])
        else:
            clauses[-1].append(token)
    found: list[Statement] = []
    absolutes: list[Judgement] = []
    leftovers: list[Judgement] = []
    sentence_frame: frozenset[Dimension] = frozenset()
    inherited: str | None = None
    other_dims: set[Dimension] = set()
    pending_other: list[tuple[Winner | None, frozenset[Dimension]]] = []
    excepted: set[Dimension] = set()  # "除了创造性方面A更好以外，B在其他所有方面都胜出": not the others
    others_named = any(token.kind == "all_other" for token in tokens)
    for clause in clauses:
        clause = own_words(clause, text)
        if not clause:
            continue
        if any(token.kind == "hypothetical" for token in clause):
            inherited = None
            continue
        segments, frame = segments_of(clause, inherited)
        sentence_frame = sentence_frame or frame
        frame = frame or sentence_frame or context
        for segment in segments:
            if others_named:
                excepted.update(_scope(segment.tokens, frozenset())[1])
            denied = negated(segment.tokens)
            covered: set[Dimension] = set()
            for winner, dims, flags in _segment_verdicts(segment, frame, denied, trailing, text):
                covered.update(dims)
                if flags == "all_other":
                    pending_other.append((winner, dims))
                    continue
                if not dims and conclusion:
                    dims = _OVERALL  # "In summary, the second answer is better." is about the whole
                other_dims.update(dims)
                found.append(
                    Statement(
                        dims,
                        winner,
                        end,
                        correction,
                        conclusion,
                        choice=flags == "choice",
                        short=flags == "short",
                        tentative=tentative,
                    )
                )
            absolutes.append(judgement_of(segment, denied))
            leftover = leftover_of(segment, denied, covered)
            if leftover is not None:
                leftovers.append(leftover)
            if segment.subject in ("A", "B"):
                inherited = segment.subject
    for winner, excluded in pending_other:
        dims = frozenset(
            dim
            for dim in DIMENSIONS
            if dim not in other_dims and dim not in excluded and dim not in discussed and dim not in excepted
        )
        if dims:
            found.append(Statement(dims, winner, end, correction, conclusion, tentative=tentative))
    if not found:
        contrast = sentence_contrast(absolutes, sentence_frame or context)
        if contrast is not None:
            found.append(Statement(contrast[1], contrast[0], end, correction, conclusion))
            leftovers = []
    return found, leftovers


def _segment_verdicts(
    segment: Segment, frame: frozenset[Dimension], negated: bool, trailing: int, text: str
) -> list[tuple[Winner | None, frozenset[Dimension], str]]:
    """(winner or None for a tie, dimensions, kind) for each verdict a segment states."""
    tokens = segment.tokens
    dim_tokens = [t for t in tokens if t.kind in ("dim", "adjective", "praise", "criticism") and t.dim is not None]
    bound: set[int] = set()
    relations: list[tuple[int, frozenset[Dimension]]] = []  # (polarity, bound dimensions)
    placed: list[int] = []  # where each relation stands
    for index, token in enumerate(tokens):
        if token.kind in ("better", "worse"):
            own = frozenset((token.dim,)) if token.dim else quality_after(tokens, index)
            bound.update(id(t) for t in tokens[index + 1 : index + 3] if t.dim in own)
            relations.append((1 if token.kind == "better" else -1, own))
            placed.append(index)
        elif token.kind in ("more", "less"):
            targets = _modified(tokens, index)
            if targets:
                bound.update(id(target) for target in targets)
                dims_of = frozenset(target.dim for target in targets if target.dim is not None)
                relations.append((1 if token.kind == "more" else -1, dims_of))
                placed.append(index)
    free = frozenset(t.dim for t in dim_tokens if t.kind == "dim" and id(t) not in bound and t.dim is not None)
    dims, excluded, everything_else = _scope(tokens, free)
    ties = [t for t in tokens if t.kind == "tie"]
    choice = next((t for t in tokens if t.kind == "answer" and t.role == "choice"), None)
    subject = segment.subject
    if subject is None:
        post = next((t for t in tokens if t.kind == "answer" and t.role == "post_subject"), None)
        subject = post.letter if post is not None else None
    objects = {t.letter for t in tokens if t.kind == "answer" and t.role == "object"}
    if negated or subject in ("?",) or "?" in objects:
        return []
    kind = "all_other" if everything_else else ""
    found: list[tuple[Winner | None, frozenset[Dimension], str]] = []
    scope = dims or frame
    choices = [t for t in tokens if t.kind == "answer" and t.role == "choice" and t.letter in ("A", "B")]
    if len(choices) > 1 and kind != "all_other":
        return choices_in_turn(tokens, frame)  # "accuracy should be B, relevance should be A"
    if choice is not None and choice.letter in ("A", "B"):
        if kind == "all_other":
            return [(_winner(choice.letter), excluded, kind)]
        reasons = _reasons_of_choice(tokens, choice, relations, placed)
        if reasons:  # "I prefer B because it is more accurate": B is also the more accurate
            return [(_winner(choice.letter), scope, "choice"), *reasons]
        return [(_winner(choice.letter), scope, "choice")] if scope or not relations else []
    if subject in ("A", "B") and relations:
        if any(obj == subject for obj in objects):
            return []
        for polarity, relation_dims in relations:
            winner = _winner(subject) if polarity > 0 else _OTHER[subject]
            if kind == "all_other":
                found.append((winner, excluded, kind))
                continue
            scope = relation_dims or dims or frame
            if relation_dims == _OVERALL and any(t.kind in ("all", "all_except") for t in tokens):
                scope = dims  # "the better answer on all six dimensions"
            short = not relation_dims and not dims and is_short(tokens, text) and trailing <= 1
            found.append((winner, scope, "short" if short else ""))
        if len({winner for winner, _, _ in found}) > 1 and len({d for _, d, _ in found}) == 1:
            return []  # "A is better and worse": nothing
        return found
    if subject is None and relations and len(objects) == 1 and strict_than(tokens):
        (other,) = objects
        if other in ("A", "B"):
            polarity = relations[0][0]
            if all(p == polarity for p, _ in relations):
                winner = _OTHER[other] if polarity > 0 else _winner(other)
                return [(winner, relations[0][1] or dims or frame, "")]
    if ties and (subject in (None, "both") or not relations):
        compared = frozenset().union(*(relation_dims for _, relation_dims in relations))  # "neither is more relevant"
        tie_dims = frozenset(t.dim for t in ties if t.dim is not None) | scope | compared
        if tie_dims:
            return [(None, tie_dims, "")]
    return found


def _reasons_of_choice(
    tokens: list[Token], choice: Token, relations: list[tuple[int, frozenset[Dimension]]], placed: list[int]
) -> list[tuple[Winner | None, frozenset[Dimension], str]]:
    """The comparisons in a choice's reason, about the chosen answer: "I prefer B because it is
    more accurate and more complete". None when an answer is named in the reason, or a
    comparison stands before it."""
    because = next((index for index, token in enumerate(tokens) if token.kind == "because"), len(tokens))
    if because == len(tokens) or tokens.index(choice) > because or any(at < because for at in placed):
        return []
    if any(token.kind in ("answer", "negation", "hypothetical") for token in tokens[because + 1 :]):
        return []
    winner = _winner(choice.letter)
    return [(winner if polarity > 0 else _OTHER[winner], dims, "") for polarity, dims in relations if dims]


def _winner(letter: str | None) -> Winner:
    return "A" if letter == "A" else "B"


def _modified(tokens: list[Token], index: int) -> list[Token]:
    """The dimension words a "more"/"less" modifies: the next one and those joined to it
    ("more accurate and relevant"), or, in languages that put it first, the one just
    before ("准确性更高")."""
    modifier = tokens[index]
    found: list[Token] = []
    if index + 1 < len(tokens):
        after = tokens[index + 1]
        if after.kind in _DIMENSION_WORDS and after.start - modifier.end <= _MODIFIER_REACH:
            found.append(after)
            position = index + 2
            while position < len(tokens):
                joined = tokens[position]
                if joined.kind in _DIMENSION_WORDS and joined.listed:
                    found.append(joined)  # "more accurate, relevant, ..."
                    position += 1
                    continue
                if joined.kind != "conjunction" or position + 1 >= len(tokens):
                    break
                joined = tokens[position + 1]
                if joined.kind not in _DIMENSION_WORDS or not joined.tight:
                    break
                found.append(joined)
                position += 2
            return found
    if index > 0:
        before = tokens[index - 1]
        if before.kind in _DIMENSION_WORDS and modifier.start - before.end <= 3:
            found.append(before)
    return found


def _scope(tokens: list[Token], free: frozenset[Dimension]) -> tuple[frozenset[Dimension], frozenset[Dimension], bool]:
    """(dimensions named, dimensions excepted, whether "the others" are meant)."""
    everything = any(t.kind in ("all", "all_except") for t in tokens)
    others = any(t.kind == "all_other" for t in tokens)
    excepted: set[Dimension] = set()
    excepting = False
    for token in tokens:
        if token.kind in ("except", "all_except"):
            excepting = True
            continue
        if excepting:
            if token.kind in ("dim", "adjective", "praise") and token.dim is not None:
                excepted.add(token.dim)
                continue
            if token.kind == "conjunction":
                continue
            excepting = False
    if everything:
        return frozenset(dim for dim in DIMENSIONS if dim not in excepted), frozenset(excepted), False
    if others:
        return frozenset(), frozenset(excepted), True
    return frozenset(dim for dim in free if dim not in excepted), frozenset(excepted), False


def _list_head(tokens: list[Token], end: int) -> Statement | None:
    """The verdict of "A wins on:" / "Assistant B is better in:" awaiting its list of dimensions."""
    subjects = [t.letter for t in tokens if t.kind == "answer" and t.role == "subject"]
    polarity = [t.kind for t in tokens if t.kind in ("better", "worse", "tie")]
    if len(set(subjects)) != 1 or len(set(polarity)) != 1 or subjects[0] not in ("A", "B"):
        return None
    if any(t.kind in ("negation", "hypothetical") for t in tokens):
        return None
    winner: Winner | None = None
    if polarity[0] == "better":
        winner = _winner(subjects[0])
    elif polarity[0] == "worse":
        winner = _OTHER[subjects[0]]
    return Statement(frozenset(), winner, end, any(t.kind == "correction" for t in tokens))
