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

What is never read: a clause with a negation ("B is not more accurate"), a hypothetical
("if A had mentioned ..."), a question, text in double quotes, a subject that is both
answers, "the former" / "the latter" without two answers named just before.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from ..constants import DIMENSIONS, Dimension, Winner
from .lexicon import Lexicon, lexicon

__all__ = ["Statement", "statements"]

# A bare capital letter is an answer ("B is better", "prefer A") unless it belongs to a
# medical name ("hepatitis B", "B-lines") or is the article ("A small nodule").
_MAX_QUOTE_CHARS: Final = 300
# Tokens further apart than this (in characters) are not one phrase ("more ... accurate").
_MODIFIER_REACH: Final = 24
_OBJECT_REACH: Final = 14
# Sentences examined per text (the last ones): a verdict is near the end.
MAX_SENTENCES: Final = 400
# Bare letters examined per text (the last ones): junk of thousands of letters costs no more.
_MAX_BARE_LETTERS: Final = 512
_BARE_LETTER_RE: Final = re.compile(r"(?<![A-Za-z0-9_'’./-])[AB](?![A-Za-z0-9_-])")
# Lines after "A wins on:" that may list its dimensions.
_LIST_ITEMS: Final = 8
_BOUNDARY_RE: Final = re.compile(r"[!?。！？;；\n]|\.(?=[ \t\n]|$)")
_OTHER: Final[dict[str, Winner]] = {"A": "B", "B": "A"}
# What may stand between two tokens that belong together ("than Assistant A", "不如助手B").
_GAP_RE: Final = re.compile(r"[^,.;:!?()\[\]，。；：！？（）、]*")
_CHOICE_GAP_RE: Final = re.compile(r"[^,.;!?()\[\]，。；！？（）、]*")


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


@dataclass
class _Token:
    start: int
    end: int
    kind: str
    dim: Dimension | None = None
    letter: str | None = None  # "A", "B" or "both" for answer mentions
    role: str = "subject"  # for answers: subject, object, choice, post_subject
    tight: bool = False  # follows the previous token closely, with no punctuation between


@dataclass
class _Segment:
    subject: str | None = None
    tokens: list[_Token] = field(default_factory=list)


def statements(text: str, *, context: frozenset[Dimension] = frozenset()) -> list[Statement]:
    """The verdicts stated in text, in order. context: dimensions the text is about (its
    key or heading, "Accuracy: <text>"); they stand in where a sentence names none."""
    if not text.strip():
        return []
    lex = lexicon()
    lowered = _lower(text)
    sentences = _sentences(text)
    if len(sentences) > MAX_SENTENCES:
        sentences = sentences[-MAX_SENTENCES:]
    answers = _answers(text, lowered, lex, sentences[0][0])
    if not answers:
        return []  # a text that names neither answer states no winner
    # Only sentences that name an answer (or refer back to one, or list dimensions after
    # "A wins on:") are read word by word: the rest cannot state a winner.
    wanted = _wanted(text, lowered, sentences, answers, lex)
    tokens = _tokens(text, lowered, lex, answers, [sentences[i][:2] for i in wanted])
    found: list[Statement] = []
    history: list[tuple[int, str]] = []  # answers mentioned, for "the former" / "the latter"
    index = 0
    pending_list: Statement | None = None  # "A wins on:" awaiting its dimension bullets
    while index < len(tokens) and tokens[index].start < sentences[0][0]:
        index += 1
    for start, end, question in sentences:
        sentence_tokens: list[_Token] = []
        while index < len(tokens) and tokens[index].start < end:
            if tokens[index].start >= start:
                sentence_tokens.append(tokens[index])
            index += 1
        if pending_list is not None:
            dims = _bare_dimension_list(sentence_tokens)
            if dims:
                found.append(Statement(dims, pending_list.winner, end, pending_list.correction))
                continue
            pending_list = None
        if question or not any(token.kind in _SAYING_KINDS for token in sentence_tokens):
            _remember(sentence_tokens, history)
            continue
        read = _read_sentence(sentence_tokens, end, context, history, _words_after_last(text, sentence_tokens, end))
        found.extend(read)
        if (not read or (len(read) == 1 and not read[0].dims)) and text[start:end].rstrip().endswith(":"):
            pending_list = _list_head(sentence_tokens, end)
    return found


def _lower(text: str) -> str:
    lowered = text.lower()
    if len(lowered) != len(text):  # a few characters change length in lower case
        lowered = "".join(char.lower() if len(char.lower()) == 1 else char for char in text)
    return lowered


def _wanted(
    text: str, lowered: str, sentences: list[tuple[int, int, bool]], answers: list[_Token], lex: Lexicon
) -> list[int]:
    """Indices of the sentences worth reading word by word."""
    marks = {token.start for token in answers}
    for reference in lex.references:
        if reference in lowered:  # rare: find where only then
            marks.update(match.start() for match in re.finditer(re.escape(reference), lowered))
    marks = sorted(marks)
    wanted: list[int] = []
    cursor = 0
    follow_until = -1
    for index, (start, end, _) in enumerate(sentences):
        while cursor < len(marks) and marks[cursor] < start:
            cursor += 1
        named = cursor < len(marks) and marks[cursor] < end
        if named or index <= follow_until:
            wanted.append(index)
            if named and text[start:end].rstrip().endswith(":"):
                follow_until = index + _LIST_ITEMS
    return wanted


# ---------------------------------------------------------------------------- tokens
def _answers(text: str, lowered: str, lex: Lexicon, origin: int = 0) -> list[_Token]:
    """Where text names an answer ("Assistant A", "the second response", "助手B", "B"), from origin on."""
    answers: list[_Token] = []
    for match in _matches(lex.answer_res, lowered, [(origin, len(lowered))]):
        start, end = match.span()
        winner, needs_capital = lex.answer_phrases[_normal(match.group())]
        if needs_capital and winner not in text[start:end]:
            continue  # "answer a question" is not "Answer A"
        answers.append(_Token(start, end, "answer", letter=winner))
    answers.extend(_bare_letters(text, lowered, lex, answers, origin))
    answers.sort(key=lambda token: token.start)
    return answers


def _tokens(
    text: str, lowered: str, lex: Lexicon, answers: list[_Token], spans: list[tuple[int, int]] | None = None
) -> list[_Token]:
    """The tokens of text (or of its spans, in order) with the answers already found."""
    quoted = _quoted_spans(text)
    merged: list[_Token] = []
    cursor = 0
    for match in _matches(lex.phrase_res, lowered, spans):
        start, end = match.span()
        while cursor < len(answers) and answers[cursor].end <= start:
            merged.append(answers[cursor])
            cursor += 1
        if cursor < len(answers) and answers[cursor].start < end:
            continue  # part of an answer's name ("the first response")
        phrase = lex.phrases[_normal(match.group())]
        if phrase.kind == "neutral":
            continue
        merged.append(_Token(start, end, phrase.kind, dim=phrase.dim))
    merged.extend(answers[cursor:])
    if quoted:
        merged = [token for token in merged if not _inside(token.start, quoted)]
    for previous, token in itertools.pairwise(merged):
        if token.start - previous.end > _OBJECT_REACH:
            continue
        if previous.kind in ("choice", "correction_choice"):
            token.tight = _CHOICE_GAP_RE.fullmatch(text, previous.end, token.start) is not None  # "Winner: B"
        else:
            token.tight = _GAP_RE.fullmatch(text, previous.end, token.start) is not None
    return merged


def _normal(matched: str) -> str:
    return matched if "  " not in matched and "\t" not in matched else " ".join(matched.split())


def _matches(
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


def _bare_letters(text: str, lowered: str, lex: Lexicon, named: list[_Token], origin: int) -> list[_Token]:
    """Capital A and B standing alone as words ("B is better", "prefer A.", "A's answer"),
    the last _MAX_BARE_LETTERS of them from origin on (a verdict names a few)."""
    candidates = [match.start() for match in _BARE_LETTER_RE.finditer(text, origin)][-_MAX_BARE_LETTERS:]
    spans = sorted((token.start, token.end) for token in named)
    found: list[_Token] = []
    for pos in candidates:
        letter = text[pos]
        if not _inside(pos, spans) and _letter_is_answer(text, lowered, pos, letter, lex):
            found.append(_Token(pos, pos + 1, "answer", letter=letter))
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


def _sentences(text: str) -> list[tuple[int, int, bool]]:
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


# ---------------------------------------------------------------------------- sentences
def _remember(tokens: list[_Token], history: list[tuple[int, str]]) -> None:
    for token in tokens:
        if token.kind == "answer" and token.letter in ("A", "B"):
            history.append((token.start, token.letter))
    del history[:-8]


def _resolve_references(tokens: list[_Token], history: list[tuple[int, str]]) -> list[_Token]:
    """'the former' / 'the latter' become the first / second of the last two answers named."""
    resolved: list[_Token] = []
    for token in tokens:
        if token.kind in ("former", "latter"):
            distinct: list[str] = []
            for _, letter in reversed(history):
                if letter not in distinct:
                    distinct.append(letter)
                if len(distinct) == 2:
                    break
            if len(distinct) < 2:
                resolved.append(_Token(token.start, token.end, "answer", letter="?"))
                continue
            latter, former = distinct  # most recent first
            letter = former if token.kind == "former" else latter
            resolved.append(_Token(token.start, token.end, "answer", letter=letter))
            continue
        if token.kind == "answer" and token.letter in ("A", "B"):
            history.append((token.start, token.letter))
        resolved.append(token)
    del history[:-8]
    return resolved


def _words_after_last(text: str, tokens: list[_Token], end: int) -> int:
    """How many words follow the sentence's last token ("B is better." 0, "B is better at X" 2)."""
    tail = text[tokens[-1].end : end] if tokens else text[:end]
    latin = sum(1 for word in tail.split() if any(char.isalnum() for char in word))
    others = sum(1 for char in tail if char.isalpha() and not char.isascii())
    return latin + others // 2


def _read_sentence(
    tokens: list[_Token], end: int, context: frozenset[Dimension], history: list[tuple[int, str]], trailing: int
) -> list[Statement]:
    tokens = _resolve_references(tokens, history)
    correction = any(token.kind in ("correction", "correction_choice") for token in tokens)
    conclusion = any(token.kind == "conclusion" for token in tokens)
    clauses: list[list[_Token]] = [[]]
    for token in tokens:
        if token.kind == "contrast":
            clauses.append([])
        else:
            clauses[-1].append(token)
    found: list[Statement] = []
    absolutes: list[tuple[str | None, bool, bool, frozenset[Dimension]]] = []
    sentence_frame: frozenset[Dimension] = frozenset()
    inherited: str | None = None
    other_dims: set[Dimension] = set()
    pending_other: list[tuple[Winner | None, frozenset[Dimension]]] = []
    for clause in clauses:
        if not clause:
            continue
        if any(token.kind == "hypothetical" for token in clause):
            inherited = None
            continue
        segments, frame = _segments(clause, inherited)
        sentence_frame = sentence_frame or frame
        frame = frame or sentence_frame or context
        for segment in segments:
            negated = _negated(segment.tokens)
            for winner, dims, flags in _segment_verdicts(segment, frame, negated, trailing):
                if flags == "all_other":
                    pending_other.append((winner, dims))
                    continue
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
                    )
                )
            absolutes.append(_absolute(segment, negated))
            if segment.subject in ("A", "B"):
                inherited = segment.subject
    for winner, excluded in pending_other:
        dims = frozenset(dim for dim in DIMENSIONS if dim not in other_dims and dim not in excluded)
        if dims:
            found.append(Statement(dims, winner, end, correction, conclusion))
    if not found:
        found.extend(_contrast_statements(absolutes, sentence_frame or context, end, correction, conclusion))
    return found


def _segments(clause: list[_Token], inherited: str | None) -> tuple[list[_Segment], frozenset[Dimension]]:
    """Split a clause at each new subject; also the clause's frame (dimensions named before
    its first subject and comparison: "Regarding accuracy, ...", "在全面性上B胜出")."""
    _mark_roles(clause)
    segments = [_Segment(subject=None)]
    frame: set[Dimension] = set()
    seen_content = False
    for token in clause:
        current = segments[-1]
        if token.kind == "answer" and token.role == "subject":
            letter = token.letter
            if current.subject is None and not _has_verdict_word(current.tokens):
                current.subject = letter
            elif current.subject != letter or _has_verdict_word(current.tokens):
                segments.append(_Segment(subject=letter, tokens=_leading_frame(current.tokens)))
            continue
        if token.kind == "both" and not seen_content:
            current.subject = "both"
            continue
        if token.kind == "dim" and current.subject is None and not seen_content and token.dim is not None:
            frame.add(token.dim)
            continue
        if token.kind not in ("dim", "conclusion", "correction", "conjunction"):
            seen_content = True
        current.tokens.append(token)
    if segments[0].subject is None and inherited is not None and _has_verdict_word(segments[0].tokens):
        # "A is more detailed but less accurate": the second clause is still about A.
        if not any(token.kind == "answer" and token.role in ("object", "post_subject") for token in segments[0].tokens):
            segments[0].subject = inherited
    return segments, frozenset(frame)


_VERDICT_KINDS: Final = frozenset({"better", "worse", "choice", "correction_choice", "tie", "more", "less"})
# Kinds without which a sentence states nothing (it only names answers or dimensions).
_SAYING_KINDS: Final = _VERDICT_KINDS | {"praise", "criticism", "eval_positive", "eval_negative", "give"}


def _negated(tokens: list[_Token]) -> bool:
    """A negation before the comparison or choice ("B is not more accurate"); one after it
    ("should be B, not A") does not undo it."""
    for token in tokens:
        if token.kind == "negation":
            return True
        if token.kind in _VERDICT_KINDS:
            return False
    return False


def _leading_frame(tokens: list[_Token]) -> list[_Token]:
    """Dimension words after the last conjunction of a segment, before a new subject, frame
    that subject: "A is more creative, and on responsiveness B is better". They are moved."""
    last_conjunction = -1
    for index, token in enumerate(tokens):
        if token.kind in _VERDICT_KINDS:
            last_conjunction = -1
        elif token.kind == "conjunction":
            last_conjunction = index
    if last_conjunction < 0:
        return []
    tail = tokens[last_conjunction + 1 :]
    if not tail or any(token.kind != "dim" for token in tail):
        return []
    del tokens[last_conjunction + 1 :]
    return tail


def _has_verdict_word(tokens: list[_Token]) -> bool:
    return any(token.kind in _VERDICT_KINDS for token in tokens)


def _mark_roles(clause: list[_Token]) -> None:
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


def _segment_verdicts(
    segment: _Segment, frame: frozenset[Dimension], negated: bool, trailing: int
) -> list[tuple[Winner | None, frozenset[Dimension], str]]:
    """(winner or None for a tie, dimensions, kind) for each verdict a segment states."""
    tokens = segment.tokens
    dim_tokens = [t for t in tokens if t.kind in ("dim", "adjective", "praise", "criticism") and t.dim is not None]
    bound: set[int] = set()
    relations: list[tuple[int, frozenset[Dimension]]] = []  # (polarity, bound dimensions)
    for index, token in enumerate(tokens):
        if token.kind in ("better", "worse"):
            relations.append(
                (1 if token.kind == "better" else -1, frozenset((token.dim,)) if token.dim else frozenset())
            )
        elif token.kind in ("more", "less"):
            targets = _modified(tokens, index)
            if targets:
                bound.update(id(target) for target in targets)
                dims_of = frozenset(target.dim for target in targets if target.dim is not None)
                relations.append((1 if token.kind == "more" else -1, dims_of))
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
    if choice is not None and choice.letter in ("A", "B"):
        if kind == "all_other":
            return [(_winner(choice.letter), excluded, kind)]
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
            short = not relation_dims and not dims and _is_short(tokens) and trailing <= 1
            found.append((winner, scope, "short" if short else ""))
        if len({winner for winner, _, _ in found}) > 1 and len({d for _, d, _ in found}) == 1:
            return []  # "A is better and worse": nothing
        return found
    if subject is None and relations and len(objects) == 1 and _strict_than(tokens):
        (other,) = objects
        if other in ("A", "B"):
            polarity = relations[0][0]
            if all(p == polarity for p, _ in relations):
                winner = _OTHER[other] if polarity > 0 else _winner(other)
                return [(winner, relations[0][1] or dims or frame, "")]
    if ties and (subject in (None, "both") or not relations):
        tie_dims = frozenset(t.dim for t in ties if t.dim is not None) | scope
        if tie_dims:
            return [(None, tie_dims, "")]
    return found


def _winner(letter: str | None) -> Winner:
    return "A" if letter == "A" else "B"


_DIMENSION_WORDS: Final = frozenset({"dim", "adjective", "praise"})


def _modified(tokens: list[_Token], index: int) -> list[_Token]:
    """The dimension words a "more"/"less" modifies: the next one and those joined to it
    ("more accurate and relevant"), or, in languages that put it first, the one just
    before ("准确性更高")."""
    modifier = tokens[index]
    found: list[_Token] = []
    if index + 1 < len(tokens):
        after = tokens[index + 1]
        if after.kind in _DIMENSION_WORDS and after.start - modifier.end <= _MODIFIER_REACH:
            found.append(after)
            position = index + 2
            while position + 1 < len(tokens) and tokens[position].kind == "conjunction":
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


def _scope(tokens: list[_Token], free: frozenset[Dimension]) -> tuple[frozenset[Dimension], frozenset[Dimension], bool]:
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


def _strict_than(tokens: list[_Token]) -> bool:
    return any(t.kind in ("than", "than_after") for t in tokens)


def _is_short(tokens: list[_Token]) -> bool:
    """Only the comparison (and its object) follows the subject: "B is better.", "B更好。"."""
    return all(t.kind in ("better", "worse", "answer", "than", "to") for t in tokens) and len(tokens) <= 3


def _absolute(segment: _Segment, negated: bool) -> tuple[str | None, bool, bool, frozenset[Dimension]]:
    """(subject, praised, criticised, dimensions) of a segment without comparison."""
    if _has_verdict_word(segment.tokens):
        return (None, False, False, frozenset())
    praised = any(t.kind in ("praise", "eval_positive") for t in segment.tokens) and not negated
    criticised = negated or any(t.kind in ("criticism", "eval_negative") for t in segment.tokens)
    dims = frozenset(t.dim for t in segment.tokens if t.kind in ("praise", "criticism") and t.dim is not None)
    return (segment.subject, praised, criticised, dims)


def _contrast_statements(
    absolutes: list[tuple[str | None, bool, bool, frozenset[Dimension]]],
    frame: frozenset[Dimension],
    end: int,
    correction: bool,
    conclusion: bool,
) -> list[Statement]:
    """A sentence that praises one answer and criticises the other ("A misreads the scan,
    whereas B correctly identifies the mass"), or praises one under a frame naming the
    dimension ("Regarding accuracy, the second assistant gets the diagnosis right")."""
    praised = {s for s, good, bad, _ in absolutes if s in ("A", "B") and good and not bad}
    criticised = {s for s, good, bad, _ in absolutes if s in ("A", "B") and bad and not good}
    mixed = {s for s, good, bad, _ in absolutes if s in ("A", "B") and good and bad}
    unknown_praise = any(s is None and good and not bad for s, good, bad, _ in absolutes)
    if mixed or praised & criticised or any(s == "both" for s, _, _, _ in absolutes):
        return []
    dims = frozenset().union(*(d for _, _, _, d in absolutes)) | frame
    winner: Winner | None = None
    if len(praised) == 1:
        (letter,) = praised
        if _OTHER[letter] in criticised or (frame and not criticised):
            winner = _winner(letter)
    elif not praised and len(criticised) == 1 and unknown_praise:
        (letter,) = criticised
        winner = _OTHER[letter]
    if winner is None or not dims:
        return []
    return [Statement(dims, winner, end, correction, conclusion)]


def _bare_dimension_list(tokens: list[_Token]) -> frozenset[Dimension]:
    """The dimensions of a line that only names dimensions ("- Accuracy", "Relevance,")."""
    if not tokens or any(t.kind not in ("dim", "adjective", "praise", "conjunction") for t in tokens):
        return frozenset()
    return frozenset(t.dim for t in tokens if t.dim is not None)


def _list_head(tokens: list[_Token], end: int) -> Statement | None:
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


def first_clause_kinds(text: str) -> frozenset[str]:
    """The token kinds of a value's first clause (up to "but", "whereas", ...), and
    "other_answer" if its first sentence also names the answer it does not start with."""
    lex = lexicon()
    lowered = _lower(text)
    tokens = _tokens(text, lowered, lex, _answers(text, lowered, lex))
    sentence_end = _sentences(text)[0][1]
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
