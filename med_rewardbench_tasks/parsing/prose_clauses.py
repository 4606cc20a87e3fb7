"""Prose, stage 2: clauses into segments — who each part of a clause is about.

Answers' roles are marked first: an object ("than A", "beats B", "与A相比"), a choice
("prefer B", "give relevance to A"), a subject named after its comparison ("the more
complete one is A"), or two answers joined ("A and B are equally ..."). A clause is then
split at each new subject; dimensions named before the first subject frame the clause
("Regarding accuracy, ...", "在全面性上B胜出"). A clause stops where the judge reports an
answer's content ("A says that ...") or starts a relative clause about something else.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Final

from ..constants import Dimension, Winner
from .lexicon import lexicon
from .prose_words import Segment, Token

__all__ = [
    "VERDICT_KINDS",
    "bare_dimension_list",
    "choices_in_turn",
    "has_verdict_word",
    "is_short",
    "name_pair",
    "negated",
    "own_words",
    "quality_after",
    "resolve_references",
    "segments_of",
    "strict_than",
    "words_after_last",
]

VERDICT_KINDS: Final = frozenset({"better", "worse", "choice", "correction_choice", "tie", "more", "less"})
_WORD_RE: Final = re.compile(r"[^\W\d_]+")
_DIMENSION_WORDS: Final = frozenset({"dim", "adjective", "praise"})
_REASON_MARK_RE: Final = re.compile(r"[,，:：]")


def resolve_references(tokens: list[Token], history: list[tuple[int, str]], *, ordinals: bool = False) -> list[Token]:
    """'the former' / 'the latter' become the first / second of the last two answers named;
    'the first' / 'the second' become A / B where the judge names the answers by ordinal
    (ordinals: "the second answer" appears in the text), and are dropped elsewhere ("the
    first image")."""
    resolved: list[Token] = []
    for token in tokens:
        if token.kind == "both":
            name_pair(token, history)
        if token.kind in ("first", "second"):
            if ordinals:
                letter = "A" if token.kind == "first" else "B"
                resolved.append(dataclasses.replace(token, kind="answer", letter=letter, role="subject"))
                history.append((token.start, letter))
            continue
        if token.kind in ("former", "latter"):
            if token.role == "named":
                name_pair(token, history)  # "The former answer ...": the answers themselves, A then B
            distinct: list[str] = []
            for _, letter in reversed(history):
                if letter not in distinct:
                    distinct.append(letter)
                if len(distinct) == 2:
                    break
            if len(distinct) < 2:
                resolved.append(dataclasses.replace(token, kind="answer", letter="?", role="subject"))
                continue
            latter, former = distinct  # most recent first
            letter = former if token.kind == "former" else latter
            resolved.append(dataclasses.replace(token, kind="answer", letter=letter, role="subject"))
            continue
        if token.kind == "answer" and token.letter in ("A", "B"):
            history.append((token.start, token.letter))
        resolved.append(token)
    del history[:-8]
    return resolved


def name_pair(token: Token, history: list[tuple[int, str]]) -> None:
    """ "Of the two answers, the former ...": naming both answers names them in their order
    (A, then B), unless two answers were already named."""
    if len({letter for _, letter in history}) < 2:
        history.extend(((token.start, "A"), (token.start, "B")))


def own_words(clause: list[Token], text: str) -> list[Token]:
    """The clause up to where it reports an answer's content ("A says that ...", "助手A认为")
    or starts a relative clause about something other than an answer ("A orders a CT,
    which is more accurate"): what follows is not the judge's verdict."""
    for index, token in enumerate(clause):
        if token.kind == "reporting":
            return clause[:index] + _judged_claim(clause, index)
        if token.kind == "relative":
            before = clause[index - 1] if index else None
            if before is None or before.kind != "answer" or not _only_answer_words(text[before.end : token.start]):
                return clause[:index] + _judged_claim(clause, index)
    return clause


def _judged_claim(clause: list[Token], cut: int) -> list[Token]:
    """ "A says it is pneumonia, which is wrong": the clause ends by judging what the answer
    said; that judgement (one praise or criticism word right after "which is") is kept."""
    if len(clause) - cut < 2:
        return []
    relative, last = clause[-2], clause[-1]
    if relative.kind != "relative" or last.kind not in ("praise", "criticism") or last.dim is None or not last.tight:
        return []
    return [last]


def _only_answer_words(gap: str) -> bool:
    """Whether only an answer noun and punctuation stand between an answer and "which"
    ("B's answer, which ..."): then the relative clause is about that answer."""
    nouns = lexicon().answer_noun_words
    return all(word in nouns or word == "s" for word in _WORD_RE.findall(gap.lower()))


def segments_of(clause: list[Token], inherited: str | None) -> tuple[list[Segment], frozenset[Dimension]]:
    """Split a clause at each new subject; also the clause's frame (dimensions named before
    its first subject and comparison: "Regarding accuracy, ...", "在全面性上B胜出")."""
    _mark_roles(clause)
    segments = [Segment(subject=None)]
    frame: set[Dimension] = set()
    seen_content = False
    for token in clause:
        current = segments[-1]
        if token.kind == "answer" and token.role == "subject":
            letter = token.letter
            if current.subject is None and not has_verdict_word(current.tokens):
                current.subject = letter
            elif current.subject != letter or has_verdict_word(current.tokens):
                lead = _leading_frame(current.tokens)
                if current.tokens and current.tokens[-1].kind == "negation" and token.tight:
                    lead.insert(0, current.tokens.pop())  # "A is not better, nor would I say B is better"
                segments.append(Segment(subject=letter, tokens=lead))
            continue
        if (
            token.kind in ("choice", "correction_choice")
            and current.subject is not None
            and has_verdict_word(current.tokens)
        ):
            # "A is more accurate, and I prefer B overall": the choice is a verdict of its own.
            segments.append(Segment(subject=None, tokens=_leading_frame(current.tokens)))
            current = segments[-1]
        if token.kind == "both" and not seen_content:
            current.subject = "both"
            continue
        if token.kind == "dim" and current.subject is None and not seen_content and token.dim is not None:
            frame.add(token.dim)
            continue
        if token.kind not in ("dim", "conclusion", "correction", "conjunction"):
            seen_content = True
        current.tokens.append(token)
    first = segments[0]
    if (
        first.subject is None
        and inherited is not None
        and has_verdict_word(first.tokens)
        and not any(token.kind == "answer" and token.role in ("object", "post_subject") for token in first.tokens)
    ):
        # "A is more detailed but less accurate": the second clause is still about A.
        first.subject = inherited
    return segments, frozenset(frame)


VERDICT_KINDS: Final = frozenset({"better", "worse", "choice", "correction_choice", "tie", "more", "less"})
# Kinds without which a sentence states nothing (it only names answers or dimensions).
_SAYING_KINDS: Final = VERDICT_KINDS | {"praise", "criticism", "eval_positive", "eval_negative", "give"}


def negated(tokens: list[Token]) -> bool:
    """A negation before the comparison or choice ("B is not more accurate"); one after it
    ("should be B, not A") does not undo it."""
    for token in tokens:
        if token.kind == "negation":
            return True
        if token.kind in VERDICT_KINDS:
            return False
    return False


def _leading_frame(tokens: list[Token]) -> list[Token]:
    """Dimension words after the last conjunction or comma of a segment, before a new
    subject, frame that subject: "A is more creative, and on responsiveness B is better",
    "B更贴合问题，创造性方面A略好". They are moved."""
    last_conjunction = -1
    for index, token in enumerate(tokens):
        if token.kind in VERDICT_KINDS:
            last_conjunction = -1
        elif token.kind == "conjunction":
            last_conjunction = index
    if last_conjunction < 0 and tokens and tokens[-1].kind == "dim":
        start = len(tokens) - 1
        while start > 0 and tokens[start - 1].kind == "dim" and tokens[start].tight:
            start -= 1
        if tokens[start].after_comma and start > 0 and has_verdict_word(tokens[:start]):
            last_conjunction = start - 1  # a comma before the dimension words
    if last_conjunction < 0:
        return []
    tail = tokens[last_conjunction + 1 :]
    if not tail or any(token.kind != "dim" for token in tail):
        return []
    del tokens[last_conjunction + 1 :]
    return tail


def has_verdict_word(tokens: list[Token]) -> bool:
    return any(token.kind in VERDICT_KINDS for token in tokens)


def _mark_roles(clause: list[Token]) -> None:
    """Which answer names are objects ("than A", "beats B", "与A相比"), choices ("prefer
    B", "give relevance to A") or subjects named after their comparison ("the more complete
    one is A"); the rest are subjects. Two answers joined ("A and B") are both answers."""
    give = False
    for index, token in enumerate(clause):
        if token.kind == "give":
            give = True
        if token.kind != "answer":
            continue
        before = clause[index - 1] if index else None
        after = clause[index + 1] if index + 1 < len(clause) else None
        near = before is not None and token.tight
        if (near and before.kind in ("choice", "correction_choice")) or (near and before.kind == "to" and give):
            token.role = "choice"
        elif near and before.kind in ("than", "to", "better", "worse"):
            token.role = "object"
        elif near and before.kind == "post_subject":
            token.role = "post_subject"
        elif after is not None and after.kind == "than_after" and after.tight:
            token.role = "object"
        elif (
            before is not None
            and before.kind == "conjunction"
            and index >= 2
            and clause[index - 2].kind == "answer"
            and clause[index - 2].letter != token.letter
            and clause[index - 2].role == "subject"
        ):
            clause[index - 2].letter = "both"  # "A and B are equally ...": no single subject
            token.role = "joined"


def reason_start(tokens: list[Token], text: str) -> tuple[int, int]:
    """(index of the token, position) where a verdict's reason starts: at "because", or at a
    comma or colon after the comparison ("第二个回答更好，它正确指出了 ...", "B is superior: it
    names the fracture"); (len(tokens), -1) when it has none."""
    compared = False
    for index, token in enumerate(tokens):
        if token.kind == "because":
            return index, token.start
        if compared:
            gap_start = tokens[index - 1].end
            found = _REASON_MARK_RE.search(text, gap_start, token.start)
            if found is not None:
                return index, found.start()
        compared = compared or token.kind in ("better", "worse")
    return len(tokens), -1


def words_after_last(text: str, tokens: list[Token], end: int) -> int:
    """How many words follow the sentence's last token ("B is better." 0, "B is better at X" 2),
    up to its reason ("B is better because ..." 0)."""
    because, reason_at = reason_start(tokens, text)
    if because < len(tokens):
        end = reason_at
    last = tokens[because - 1].end if because else 0
    tail = text[last:end]
    latin = sum(1 for word in tail.split() if any(char.isalnum() for char in word))
    others = sum(1 for char in tail if char.isalpha() and not char.isascii())
    return latin + others // 2


def is_short(tokens: list[Token], text: str) -> bool:
    """Only the comparison (and its object) follows the subject, up to its reason: "B is
    better.", "B更好。", "B is better because ..."."""
    before = [t for t in tokens[: reason_start(tokens, text)[0]] if t.kind != "post_subject"]  # "B's answer is"
    return all(t.kind in ("better", "worse", "answer", "than", "to") for t in before) and len(before) <= 3


def choices_in_turn(
    tokens: list[Token], frame: frozenset[Dimension]
) -> list[tuple[Winner | None, frozenset[Dimension], str]]:
    """Several choices in one segment: each takes the dimensions named since the one before
    (the first may take the clause's frame)."""
    found: list[tuple[Winner | None, frozenset[Dimension], str]] = []
    pending: set[Dimension] = set()
    for token in tokens:
        if token.kind in _DIMENSION_WORDS and token.dim is not None:
            pending.add(token.dim)
        elif token.kind == "answer" and token.role == "choice" and token.letter in ("A", "B"):
            dims = frozenset(pending) or (frame if not found else frozenset())
            if dims:
                found.append((_winner(token.letter), dims, "choice"))
            pending = set()
    return found


def quality_after(tokens: list[Token], index: int) -> frozenset[Dimension]:
    """The quality a generic comparison names right after it, past its object: "不如助手B切题"
    (less on-topic than B), "better informed" does not count (not a dimension word)."""
    for token in tokens[index + 1 : index + 3]:
        if token.kind == "answer" and token.role == "object":
            continue
        if token.kind in ("adjective", "praise") and token.dim is not None and token.tight:
            return frozenset((token.dim,))
        break
    return frozenset()


def strict_than(tokens: list[Token]) -> bool:
    return any(t.kind in ("than", "than_after") for t in tokens)


def bare_dimension_list(tokens: list[Token]) -> frozenset[Dimension]:
    """The dimensions of a line that only names dimensions ("- Accuracy", "Relevance,")."""
    if not tokens or any(t.kind not in ("dim", "adjective", "praise", "conjunction") for t in tokens):
        return frozenset()
    return frozenset(t.dim for t in tokens if t.dim is not None)


def _winner(letter: str | None) -> Winner:
    return "A" if letter == "A" else "B"
