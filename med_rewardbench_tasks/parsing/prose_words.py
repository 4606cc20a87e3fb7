"""Prose, stage 1: the words that matter — answer names ("Assistant A", "the second
response", "助手B", a bare "B"), the lexicon's phrases (dimension words, comparisons, ties,
negations, ...), and sentence boundaries.

Names and phrases are found by the trie scanners of :mod:`.lexicon` over the lower-cased
text; a bare capital letter is an answer unless it belongs to a medical name ("hepatitis
B", "B-lines", "type A") or is the article ("A small nodule"). Text in double quotes is
the answers' or the question's, not the judge's, and is skipped.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from ..constants import Dimension
from .lexicon import Lexicon, lexicon

__all__ = ["Segment", "Token", "answers_in", "first_clause_kinds", "lower", "matches", "sentences_of", "tokens_of"]

_MAX_QUOTE_CHARS: Final = 300
# Tokens further apart than this (in characters) do not belong together ("than ... A").
OBJECT_REACH: Final = 14
# Bare letters examined per text (the last ones): junk of thousands of letters costs no more.
_MAX_BARE_LETTERS: Final = 512
_BARE_LETTER_RE: Final = re.compile(r"(?<![A-Za-z0-9_'’./-])[AB](?![A-Za-z0-9_-])")
_BOUNDARY_RE: Final = re.compile(r"[!?。！？;；\n]|\.(?=[ \t\n]|$|[^\x00-\x7f])")
# What may stand between two tokens that belong together ("than Assistant A", "不如助手B").
_GAP_RE: Final = re.compile(r"[^,.;:!?，。；：！？、]*")
_CHOICE_GAP_RE: Final = re.compile(r"[^,.;!?，。；！？、]*")
# Between two items of a list ("more accurate, relevant, complete").
_LIST_GAP_RE: Final = re.compile(r"[ \t]*[,，、][ \t]*")
_COMMA_GAP_RE: Final = re.compile(r"[^.;:!?。；：！？\n]*[,，、][ \t]*")


@dataclass
class Token:
    """A word or phrase that matters, with where it stands."""

    start: int
    end: int
    kind: str  # a lexicon TokenKind, or "answer"
    dim: Dimension | None = None
    letter: str | None = None  # for answers: "A", "B", "both" (two joined) or "?" (unresolved reference)
    role: str = "subject"  # for answers: subject, object, choice, post_subject, joined
    tight: bool = False  # follows the previous token closely, with no punctuation between
    listed: bool = False  # follows the previous token after only a comma: the next item of a list
    after_comma: bool = False  # a comma (and no other mark) ends the gap from the previous token


@dataclass
class Segment:
    """Part of a clause about one subject."""

    subject: str | None = None
    tokens: list[Token] = field(default_factory=list)


def lower(text: str) -> str:
    lowered = text.lower()
    if len(lowered) != len(text):  # a few characters change length in lower case
        lowered = "".join(char.lower() if len(char.lower()) == 1 else char for char in text)
    return lowered


def answers_in(text: str, lowered: str, lex: Lexicon, origin: int = 0) -> list[Token]:
    """Where text names an answer ("Assistant A", "the second response", "助手B", "B"), from origin on."""
    answers: list[Token] = []
    for match in matches(lex.answer_res, lowered, [(origin, len(lowered))]):
        start, end = match.span()
        winner, needs_capital = lex.answer_phrases[_normal(match.group())]
        if needs_capital and winner not in text[start:end]:
            continue  # "answer a question" is not "Answer A"
        answers.append(Token(start, end, "answer", letter=winner))
    answers.extend(_bare_letters(text, lowered, lex, answers, origin))
    answers.sort(key=lambda token: token.start)
    return answers


def tokens_of(
    text: str, lowered: str, lex: Lexicon, answers: list[Token], spans: list[tuple[int, int]] | None = None
) -> list[Token]:
    """The tokens of text (or of its spans, in order) with the answers already found."""
    quoted = _quoted_spans(text)
    merged: list[Token] = []
    cursor = 0
    for match in matches(lex.phrase_res, lowered, spans):
        start, end = match.span()
        while cursor < len(answers) and answers[cursor].end <= start:
            merged.append(answers[cursor])
            cursor += 1
        if cursor < len(answers) and answers[cursor].start < end:
            continue  # part of an answer's name ("the first response")
        phrase = lex.phrases[_normal(match.group())]
        if phrase.kind == "neutral":
            continue
        merged.append(Token(start, end, phrase.kind, dim=phrase.dim))
        if phrase.kind in ("former", "latter") and _noun_after(lex).match(lowered, end):
            merged[-1].role = "named"  # "the former answer": a name for one of the two answers
    merged.extend(answers[cursor:])
    if quoted:
        merged = [token for token in merged if not _inside(token.start, quoted)]
    for previous, token in itertools.pairwise(merged):
        if token.start - previous.end > OBJECT_REACH:
            continue
        if previous.kind in ("choice", "correction_choice"):
            token.tight = _CHOICE_GAP_RE.fullmatch(text, previous.end, token.start) is not None  # "Winner: B"
        else:
            token.tight = _GAP_RE.fullmatch(text, previous.end, token.start) is not None
        gap = text[previous.end : token.start]
        if "," in gap or "，" in gap or "、" in gap:
            token.listed = _LIST_GAP_RE.fullmatch(gap) is not None
            token.after_comma = _COMMA_GAP_RE.fullmatch(gap) is not None
    return merged


@functools.lru_cache(maxsize=2)
def _noun_after(lex: Lexicon) -> re.Pattern[str]:
    return re.compile(rf"[ \t]+{lex.wording}(?![a-z0-9])")


def _normal(matched: str) -> str:
    return matched if "  " not in matched and "\t" not in matched else " ".join(matched.split())


def matches(
    scanners: tuple[re.Pattern[str], ...], text: str, spans: list[tuple[int, int]] | None = None
) -> list[re.Match[str]]:
    """The matches of all scanners (in the spans, if given), in order, without overlaps
    (the earlier one wins)."""
    regions = [(0, len(text))] if spans is None else _merged(spans)
    found = [match for start, end in regions for scanner in scanners for match in scanner.finditer(text, start, end)]
    if len(scanners) == 1 and len(regions) == 1:
        return found
    found.sort(key=lambda match: match.start())
    kept: list[re.Match[str]] = []
    for match in found:
        if not kept or match.start() >= kept[-1].end():
            kept.append(match)
    return kept


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _bare_letters(text: str, lowered: str, lex: Lexicon, named: list[Token], origin: int) -> list[Token]:
    """Capital A and B standing alone as words ("B is better", "prefer A.", "A's answer"),
    the last _MAX_BARE_LETTERS of them from origin on (a verdict names a few)."""
    candidates = [match.start() for match in _BARE_LETTER_RE.finditer(text, origin)][-_MAX_BARE_LETTERS:]
    spans = sorted((token.start, token.end) for token in named)
    found: list[Token] = []
    for pos in candidates:
        letter = text[pos]
        if not _inside(pos, spans) and _letter_is_answer(text, lowered, pos, letter, lex):
            found.append(Token(pos, pos + 1, "answer", letter=letter))
    return found


def _letter_is_answer(text: str, lowered: str, pos: int, letter: str, lex: Lexicon) -> bool:
    previous = _word_before(lowered, pos)
    if previous in lex.letter_not_after:
        return False
    following = _word_after(lowered, pos + 1)
    if following in lex.letter_not_before:
        return False
    if letter == "A" and following and text[pos + 1 : pos + 2] == " ":
        # Sentence-initial "A small nodule": the article, unless a verb-like word follows.
        at_start = previous == "" or text[:pos].rstrip()[-1:] in ".!?:\n" or not text[:pos].strip()
        if at_start and following not in lex.article_continuations and not following.startswith(("'", "’")):
            return False
    return True


def _word_before(lowered: str, pos: int) -> str:
    end = pos
    while end > 0 and lowered[end - 1] in " \t":
        end -= 1
    start = end
    while start > 0 and start > end - 24 and (lowered[start - 1].isalnum() or lowered[start - 1] in "-"):
        start -= 1
    return lowered[start:end]


def _word_after(lowered: str, pos: int) -> str:
    start = pos
    while start < len(lowered) and start < pos + 3 and lowered[start] in " \t":
        start += 1
    end = start
    while end < len(lowered) and end < start + 24 and (lowered[end].isalnum() or lowered[end] in "'’-"):
        end += 1
    return lowered[start:end]


def _quoted_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for opener, closer in (('"', '"'), ("“", "”")):
        pos = text.find(opener)
        while pos >= 0:
            close = text.find(closer, pos + 1, pos + 1 + _MAX_QUOTE_CHARS)
            if close < 0 or "\n" in text[pos:close]:
                pos = text.find(opener, pos + 1)
                continue
            spans.append((pos, close + 1))
            pos = text.find(opener, close + 1)
    spans.sort()
    return spans


def _inside(pos: int, spans: Sequence[tuple[int, int]]) -> bool:
    low, high = 0, len(spans)
    while low < high:
        middle = (low + high) // 2
        if spans[middle][1] <= pos:
            low = middle + 1
        else:
            high = middle
    return low < len(spans) and spans[low][0] <= pos < spans[low][1]


def sentences_of(text: str) -> list[tuple[int, int, bool]]:
    """(start, end, is a question) of each sentence."""
    found: list[tuple[int, int, bool]] = []
    start = 0
    for match in _BOUNDARY_RE.finditer(text):
        end = match.end()
        mark = match.group()
        found.append((start, end, mark in "?？" or text[max(start, end - 2) : end - 1] in ("吗", "呢")))
        start = end
    if start < len(text):
        tail = text[start:].rstrip()
        found.append((start, len(text), tail.endswith(("?", "？", "吗", "呢"))))
    return found or [(0, len(text), False)]


def first_clause_kinds(text: str) -> frozenset[str]:
    """The token kinds of a value's first clause (up to "but", "whereas", ...), and
    "other_answer" if its first sentence also names the answer it does not start with."""
    lex = lexicon()
    lowered = lower(text)
    tokens = tokens_of(text, lowered, lex, answers_in(text, lowered, lex))
    sentence_end = sentences_of(text)[0][1]
    kinds: set[str] = set()
    first_answer: str | None = None
    in_first_clause = True
    for token in tokens:
        if token.start >= sentence_end:
            break
        if token.kind == "contrast":
            in_first_clause = False
        if token.kind == "answer":
            if first_answer is None:
                first_answer = token.letter
            elif token.letter != first_answer:
                kinds.add("other_answer")
        elif in_first_clause:
            kinds.add(token.kind)
    return frozenset(kinds)
