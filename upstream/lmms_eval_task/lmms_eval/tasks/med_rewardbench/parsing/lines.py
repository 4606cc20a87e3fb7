"""Stage 3: lines — ``Dimension: X`` lines and bold lists, ``key=value`` lists, markdown
tables, dimension headings followed by a winner line or a paragraph, score blocks, and lone
overall verdicts, read from the text left once objects are hidden. Items close together
form one block (one candidate); a repeated dimension starts a new block.

A dimension line whose value is a sentence ("**Accuracy**: Assistant A correctly ...") is
read as a sentence, unless a winner line follows it ("- **Winner**: B"), which wins."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Final

from ..constants import Dimension
from .candidates import candidate_from_slots, put_slot
from .keys import classify_key, scored_dimension
from .lexicon import Lexicon, lexicon
from .lone import bare_winner, lone_in_line
from .methods import METHOD_KEY_VALUE_LINES, METHOD_KEY_VALUE_LIST, METHOD_LONE_VERDICT
from .model import MAX_REASON_CHARS, RANK_GENERIC, RANK_STEM, Candidate, Context, Slot
from .scores import ScoreBook
from .tables import MAX_TABLE_CELLS, is_table_row, read_table, split_cells
from .values import REASON_TRIM, VALUE_TRIM, number_of, pair_of_text, states_verdict

# Lines examined per window (the last ones; the first ones in a head window). A verdict
# layout is a few dozen lines at the end of an output; per-line rules cost microseconds,
# so tens of thousands of short lines would otherwise dominate the time.
MAX_LINES: Final = 1_000
# Lines between two items of one line-based verdict (explanations in between allowed).
_MAX_LINE_GAP: Final = 8
# Lines after a dimension heading ("### Accuracy") in which its winner line may follow.
_MAX_HEADING_GAP: Final = 3
# "X is better." only concludes an answer when it is among its last lines.
_CONCLUDING_LINES: Final = 3
# Words per value, on average, in a "k=v, k=v" list: more, and the line is prose.
_INLINE_WORDS: Final = 3
# A value of this many words is a sentence: a winner line right after it may still decide.
_SENTENCE_WORDS: Final = 4
# A key of a line layout: up to six words of bounded length (so a failed match costs a
# constant, not the length of a long run of word characters), starting with a letter.
# Words are separated by a few blanks, which never overlap the word characters, so the split is unambiguous
# and the key never ends in blanks that a following [ \t]* could also take (adjacent
# overlapping quantifiers backtrack polynomially on long blank runs).
_LINE_KEY: Final = r"(?P<key>[^\W\d_][\w/&'-]{0,40}(?:[ \t]{1,3}[\w/&'-]{1,40}){0,5})"
# Pictographs judges put beside a key ("🎯 Accuracy", "**Accuracy** 🎯:"): decoration, not words.
_EMOJI: Final = r"[\u2600-\u27bf\u2b00-\u2bff\U0001f000-\U0001faff\ufe0f\u200d]{1,4}"
_LINE_PREFIX: Final = (
    r"[ \t>]*(?:(?:[-*+•·]|\d{1,3}[.)])[ \t]*)?(?:\#{1,6}[ \t]*)?(?:" + _EMOJI + r"[ \t]*)?(?:<(?:b|strong|em|i)>)?"
)
_KEY_CLOSE: Final = r"[*_`\"'”]{0,3}(?:[ \t]{0,3}" + _EMOJI + r")?[*_`\"'”]{0,3}"
_HTML_CLOSE: Final = r"(?:</(?:b|strong|em|i)>)?"
# One "key: value" line: optional quote marker, bullet, heading hashes and markup around
# the key, then a separator.
_KV_LINE_RE: Final = re.compile(
    _LINE_PREFIX
    + r"[*_`\"'“]{0,3}"
    + _LINE_KEY
    + r"(?:[ \t]*\([^()\n]{0,40}\))?"
    + _KEY_CLOSE
    + _HTML_CLOSE
    + r"[ \t]*"
    r"(?P<sep>:|=>|->|=|→|\||[-–—](?=[ \t]))[*_`\"'”]{0,3}(?P<value>.*)"
)
# A line that is only a (dimension) name: "### Accuracy", "**Accuracy**", "Accuracy:".
_HEADING_LINE_RE: Final = re.compile(
    _LINE_PREFIX + r"[*_`]{0,3}" + _LINE_KEY + _KEY_CLOSE + _HTML_CLOSE + r"(?:[ \t]*:)?(?:[ \t]*[*_`]{1,3})?[ \t]*"
)
# "Accuracy           B": a dimension and a winner in columns aligned with blanks.
_ALIGNED_LINE_RE: Final = re.compile(
    _LINE_PREFIX + r"[*_`]{0,3}" + _LINE_KEY + _KEY_CLOSE + _HTML_CLOSE + r"[ \t]+(?P<value>\S.{0,40})"
)
_WINNER_ENDS: Final = frozenset("ABab12*_`")
# One "key: value" piece of a "k=v, k=v" list.
_KV_PIECE_RE: Final = re.compile(r"[ \t]*[*_`\"'“]{0,3}" + _LINE_KEY + r"[*_`\"'”]{0,3}[ \t]*[:=][ \t]*(?P<value>.*)")
# Pieces of a "k=v" list: split at commas and semicolons, and at blanks before "word=" or
# "word:" (for 'accuracy="A" relevance="B"'). The look-ahead is bounded, and a blank run
# is tried once, from its start and without backtracking, which keeps the split linear.
_PIECE_SPLIT_RE: Final = re.compile(r"[,;]|(?<![ \t])[ \t]++(?=[A-Za-z_]{1,40}[ \t]*[:=])")


@dataclass
class _Block:
    method: str
    slots: dict[Dimension, Slot] = field(default_factory=dict)
    reason: str | None = None
    last_line: int = -1
    last_pos: int = 0
    all_inline: bool = True


# "A. Assistant A correctly states ...": a first line that opens with a letter and goes on
# about that answer is a letter followed by its reason (unless the letters label a list).
_LABELLED_LINE_RE: Final = re.compile(r"[ \t>*_]*\(?(?P<letter>[AB])\)?[*_]*[.:)][ \t]+(?P<rest>\S.*)")
# "<accuracy>B</accuracy>" on a line, as judges that like XML tags write verdicts.
_XML_LINE_RE: Final = re.compile(r"<(?P<key>[^<>/\n]{1,40})>(?P<value>[^<>\n]{1,200})</(?P=key)>")
# A heading that is only an answer's letter ("**A**") is read as a bare letter first.
_BARE_ANSWER_RE: Final = re.compile(r"[ \t>#*_`]*[AaBb][ \t*_`.:]*")


class LineReader:
    """Groups line items into blocks. A block ends when a dimension repeats (the judge
    starts over, so it is a new candidate), after a long gap, or at a table edge."""

    def __init__(self, base: int, context: Context) -> None:
        self.base = base
        self.context = context
        self.block: _Block | None = None
        self.candidates: list[Candidate] = []
        self.sequence = 0
        self.last_reason: str | None = None  # of the last block, kept even if it had no slots

    def close(self) -> None:
        block = self.block
        self.block = None
        if block is not None and block.reason and block.reason.strip():
            self.last_reason = block.reason.strip()
        if block is None or not block.slots:
            return
        method = (
            METHOD_KEY_VALUE_LIST if (block.method == METHOD_KEY_VALUE_LINES and block.all_inline) else block.method
        )
        self.sequence += 1
        candidate = candidate_from_slots(
            block.slots,
            order=(self.base + block.last_pos, self.sequence),
            method=method,
            reason=block.reason.strip() if block.reason else None,
            context=self.context,
        )
        if candidate is not None:
            self.candidates.append(candidate)

    def _block_for(self, line: int, method: str) -> _Block:
        block = self.block
        if block is not None and (block.method != method or line - block.last_line > _MAX_LINE_GAP):
            self.close()
            block = None
        if block is None:
            block = _Block(method=method, last_line=line)
            self.block = block
        return block

    def add(
        self, dim: Dimension, rank: int, value: object, *, line: int, pos: int, method: str, inline: bool = False
    ) -> None:
        block = self._block_for(line, method)
        held = block.slots.get(dim)
        # The same kind of claim twice (two "Accuracy:" lines, two "Final verdict:"
        # lines) means the judge started over: that is a new candidate. A generic verdict
        # next to an explicit "Overall:" line is not a repeat; the explicit one wins.
        if held is not None and (rank > RANK_GENERIC) == (held.rank > RANK_GENERIC):
            self.close()
            block = self._block_for(line, method)
        put_slot(block.slots, dim, Slot(rank, value, inline))
        block.all_inline = block.all_inline and inline
        block.last_line = line
        block.last_pos = pos

    def set_reason(self, reason: str, *, line: int, method: str) -> None:
        block = self._block_for(line, method)
        block.reason = reason[:MAX_REASON_CHARS]
        block.last_line = line

    def extend_reason(self, more: str) -> None:
        block = self.block
        if block is None or block.reason is None or len(block.reason) >= MAX_REASON_CHARS:
            return
        block.reason = (block.reason + "\n" + more if block.reason else more)[:MAX_REASON_CHARS]


@dataclass
class _Heading:
    """A dimension awaiting its winner: after "### Accuracy", or after "Accuracy: <sentence>"
    (then the sentence is the winner unless a winner line follows)."""

    dim: Dimension
    rank: int
    line: int
    tentative: str | None = None
    tentative_line: int = 0
    tentative_pos: int = 0
    titled: bool = True  # a heading ("### Accuracy", "**Accuracy**", "Accuracy:"), not a list item


def scan_lines(
    text: str, base: int, context: Context, *, at_start: bool, at_end: bool, had_objects: bool
) -> list[Candidate]:
    """Candidates from the line layouts of text. at_start / at_end: whether text begins /
    ends where the judge's output does (rules about its first and last lines apply);
    had_objects: whether objects were blanked out of it (then it is not "just a letter")."""
    lines = text.split("\n")
    if len(lines) > MAX_LINES:
        if at_end:
            lines = lines[-MAX_LINES:]
            base += len(text) - len("\n".join(lines))
            at_start = False
        else:
            lines = lines[:MAX_LINES]
            at_end = False
    nonblank = [i for i, line in enumerate(lines) if line.strip()]
    if not nonblank:
        return []
    # A bare letter is a verdict when it is all the judge said apart from a labelled reason
    # ("A\n\nReason: ..."), or when it opens the output and a paragraph explains it; anywhere
    # else a lone letter is a fragment.
    whole_text = at_start and at_end and not had_objects
    bare_letter: tuple[str, int, int] | None = None  # (winner, line, position)
    other_lines = 0  # non-blank lines that are neither the bare letter nor reason text
    if not at_end:
        concluding_from = len(lines)
    elif len(nonblank) >= _CONCLUDING_LINES:
        concluding_from = nonblank[-_CONCLUDING_LINES]
    else:
        concluding_from = nonblank[0]
    reader = LineReader(base, context)
    book = ScoreBook(context, base)
    if whole_text:
        bare_letter = _labelled_first_line(lines, nonblank)
    table: list[tuple[int, int, list[str]]] = []
    heading: _Heading | None = None

    def settle(heading: _Heading | None) -> None:
        """The heading's sentence becomes its winner: no winner line followed it."""
        if heading is not None and heading.tentative is not None:
            reader.add(
                heading.dim,
                heading.rank,
                heading.tentative,
                line=heading.tentative_line,
                pos=heading.tentative_pos,
                method=METHOD_KEY_VALUE_LINES,
            )

    reason_open = False
    reason_indent = 0
    pos = 0
    for index, line in enumerate(lines):
        pos += len(line) + 1
        stripped = line.strip()
        if not stripped:
            reason_open = False
            continue
        other_lines += 1  # taken back below for reason lines and a bare letter
        if is_table_row(stripped):
            table.append((index, pos, split_cells(stripped)))
            reason_open = False
            continue
        if table:
            settle(heading)
            heading = None
            reader.close()
            read_table(table, reader)
            table = []
        if heading is not None and index - heading.line > _MAX_HEADING_GAP:
            settle(heading)
            heading = None
        indent = len(line) - len(line.lstrip())
        if reason_open and indent > reason_indent:
            # Indented under "reason:" (a YAML block): the judge's prose, whatever it says.
            reader.extend_reason(stripped)
            other_lines -= 1
            continue

        xml = _XML_LINE_RE.fullmatch(stripped)
        if xml is not None:
            line = f"{xml.group('key')}: {xml.group('value')}"  # "<accuracy>B</accuracy>" is "accuracy: B"
        match = _KV_LINE_RE.match(line)
        kc = classify_key(match.group("key").strip(), context) if match is not None else None
        if match is not None and kc is not None and kc.kind == "reason":
            reader.set_reason(match.group("value").strip(REASON_TRIM), line=index, method=METHOD_KEY_VALUE_LINES)
            reason_open = True  # following lines continue it until a blank line
            reason_indent = indent
            other_lines -= 1
            continue

        # "k=v, k=v, ..." on one line.
        if stripped.count(":") + stripped.count("=") >= 2 and _read_inline_list(stripped, index, pos, reader):
            settle(heading)
            heading = None
            reason_open = False
            continue

        if stripped.count(",") + stripped.count("，") + stripped.count("、") >= 2 and book.note_order(stripped):
            continue  # "Scores (accuracy, relevance, ...):" over lists of scores
        if match is not None and kc is not None:
            value = match.group("value")
            empty = not value.strip(VALUE_TRIM + "|>")
            if kc.kind == "dim" and kc.dim is not None:
                reason_open = False
                settle(heading)
                heading = None
                if book.answer is not None and book.record(book.answer, kc.dim, value.strip(VALUE_TRIM), pos=pos):
                    continue  # "- Accuracy: 7/10" under "**Assistant A**"
                if empty:
                    heading = _Heading(kc.dim, kc.rank, index)
                elif len(value.split()) >= _SENTENCE_WORDS:
                    heading = _Heading(kc.dim, kc.rank, index, value, index, pos)
                else:
                    reader.add(kc.dim, kc.rank, value, line=index, pos=pos, method=METHOD_KEY_VALUE_LINES)
                continue
            if kc.kind == "answer" and kc.answer is not None:
                if empty:
                    book.start_answer(kc.answer, index)
                    continue
                if book.record_ordered(kc.answer, value, pos=pos):
                    continue  # "Assistant A: 5, 6, 5, 4, 8, 5" under "Scores (accuracy, relevance, ...):"
                if heading is not None and number_of(value.strip(VALUE_TRIM)) is not None:
                    book.record(kc.answer, heading.dim, value.strip(VALUE_TRIM), pos=pos)
                    continue  # "- Assistant A: 7/10" under "### Accuracy"
                if book.record_list(kc.answer, value, pos=pos):
                    continue  # "Assistant A: accuracy 7, relevance 8, ..."
                if heading is None and book.record_total(kc.answer, value, pos=pos):
                    continue  # "Assistant A: 6/10"
            if kc.kind == "other" and not empty and pair_of_text(value) is not None:
                scored = scored_dimension(match.group("key").strip())
                if scored is not None:  # "Overall score: A = 6, B = 8"
                    reader.add(scored, RANK_STEM, value, line=index, pos=pos, method=METHOD_KEY_VALUE_LINES)
                    continue
            if kc.kind == "verdict" and not empty and (heading is not None or states_verdict(value)):
                reason_open = False
                if heading is not None:
                    reader.add(heading.dim, heading.rank, value, line=index, pos=pos, method=METHOD_KEY_VALUE_LINES)
                    heading = None
                else:
                    reader.add("overall", RANK_GENERIC, value, line=index, pos=pos, method=METHOD_KEY_VALUE_LINES)
                continue
        else:
            # Cheap test first: such a line ends with its winner ("B", "**B**").
            aligned = _ALIGNED_LINE_RE.fullmatch(line) if stripped[-1] in _WINNER_ENDS else None
            if aligned is not None and bare_winner(aligned.group("value"), any_case=False) is not None:
                kc = classify_key(aligned.group("key").strip(), context)
                if kc.kind == "dim" and kc.dim is not None:  # "Accuracy        B", a table without bars
                    settle(heading)
                    heading = None
                    value = aligned.group("value")
                    reader.add(kc.dim, kc.rank, value, line=index, pos=pos, method=METHOD_KEY_VALUE_LINES)
                    continue
            head = _HEADING_LINE_RE.fullmatch(line)
            if head is not None:
                kc = classify_key(head.group("key").strip(), context)
                if kc.kind == "dim" and kc.dim is not None:
                    settle(heading)
                    titled = stripped.startswith("#") or "**" in stripped or "__" in stripped or stripped.endswith(":")
                    heading = _Heading(kc.dim, kc.rank, index, titled=titled or "<b>" in stripped)
                    reason_open = False
                    continue
                if kc.kind == "answer" and kc.answer is not None and not _BARE_ANSWER_RE.fullmatch(stripped):
                    book.start_answer(kc.answer, index)  # a block of scores may follow
                    if bare_winner(line, any_case=False) is None:
                        continue  # "### Assistant A scores": not a verdict line

        if reason_open:
            # Continuation of a multi-line reason: its letters are the judge's prose.
            reader.extend_reason(stripped)
            other_lines -= 1
            continue

        bare = bare_winner(line, any_case=heading is not None or (whole_text and len(nonblank) == 1))
        if bare is not None and heading is not None:
            reader.add(heading.dim, heading.rank, bare, line=index, pos=pos, method=METHOD_KEY_VALUE_LINES)
            heading = None
            continue
        if bare is not None:
            book.start_answer("A" if bare == "A" else "B", index)  # a block of scores may follow
        if bare_letter is not None and index == bare_letter[1]:
            continue
        if bare is not None and whole_text and bare_letter is None:
            bare_letter = (bare, index, pos)
            other_lines -= 1
            continue
        if (
            heading is not None
            and heading.titled
            and heading.tentative is None
            and not stripped.startswith("#")
            and not stripped.endswith(":")
        ):
            # "### Accuracy" followed by a paragraph: the paragraph says who wins.
            heading.tentative, heading.tentative_line, heading.tentative_pos = stripped, index, pos
            continue
        lone = lone_in_line(line, concluding=index >= concluding_from)
        if lone is not None:
            reader.add("overall", RANK_GENERIC, lone, line=index, pos=pos, method=METHOD_KEY_VALUE_LINES)
    settle(heading)
    if table:
        reader.close()
        read_table(table, reader)
    reader.close()
    scored = book.candidate()
    if scored is not None:
        reader.candidates.append(scored)
    if bare_letter is not None and bare_letter[1] not in book.heading_lines:
        winner, letter_line, letter_pos = bare_letter
        named = _answer_mentions(lexicon()).search(lines[letter_line]) is not None
        # All the judge said; or the first line, explained below; or a last line naming the
        # answer in full ("Assistant B") after a recap of the two answers.
        if other_lines == 0 or letter_line == nonblank[0] or (named and letter_line == nonblank[-1]):
            letter_candidate = candidate_from_slots(
                {"overall": Slot(RANK_GENERIC, winner)},
                order=(base + letter_pos, reader.sequence + 1),
                method=METHOD_LONE_VERDICT,
                reason=reader.last_reason,
                context=context,
            )
            if letter_candidate is not None:
                letter_candidate.opening = other_lines > 0 and letter_line == nonblank[0]
                reader.candidates.append(letter_candidate)
    return reader.candidates


def _labelled_first_line(lines: list[str], nonblank: list[int]) -> tuple[str, int, int] | None:
    """(letter, line, position) when the output opens with "A. <a sentence about answer A>"."""
    first = nonblank[0]
    match = _LABELLED_LINE_RE.fullmatch(lines[first])
    if match is None:
        return None
    letter = match.group("letter")
    other = "B" if letter == "A" else "A"
    mentions = _answer_mentions(lexicon())
    named = {found.group("letter") or found.group("own") for found in mentions.finditer(match.group("rest"))}
    if named != {letter}:
        return None
    if any(_LABELLED_LINE_RE.fullmatch(lines[i]) and lines[i].lstrip(" \t>*_(").startswith(other) for i in nonblank):
        return None  # "A. ... / B. ...": a list labelled with the letters
    return letter, first, sum(len(line) + 1 for line in lines[: first + 1])


@functools.lru_cache(maxsize=2)
def _answer_mentions(lex: Lexicon) -> re.Pattern[str]:
    return re.compile(
        rf"(?i:{lex.wording})[ \t_-]*(?P<letter>[AB])(?![A-Za-z0-9])|(?<![A-Za-z0-9])(?P<own>[AB])['’]s\b"
    )


def _read_inline_list(stripped: str, index: int, pos: int, reader: LineReader) -> bool:
    """ "accuracy=A, relevance=B, ..." on one line: True if it named two or more dimensions."""
    pieces: list[tuple[Dimension, int, str]] = []
    for piece in _PIECE_SPLIT_RE.split(stripped, maxsplit=MAX_TABLE_CELLS):
        piece_match = _KV_PIECE_RE.match(piece)
        if piece_match is None:
            continue
        piece_class = classify_key(piece_match.group("key").strip(), reader.context)
        piece_value = piece_match.group("value")
        if piece_class.kind == "dim" and piece_class.dim is not None:
            pieces.append((piece_class.dim, piece_class.rank, piece_value))
        elif piece_class.kind == "verdict" and states_verdict(piece_value):
            pieces.append(("overall", RANK_GENERIC, piece_value))
    named = [dim for dim, rank, _ in pieces if rank > RANK_GENERIC]
    if len(named) < 2 or len(set(named)) < len(named):
        return False  # one dimension twice ("accuracy: B. Wait, no ... Accuracy: A.") is a sentence, not a list
    if sum(len(value.split()) for _, _, value in pieces) > _INLINE_WORDS * len(pieces):
        return False  # sentences cut at their commas ("Relevance: both are relevant, but A ..."), not a list
    for dim, rank, value in pieces:
        reader.add(dim, rank, value, line=index, pos=pos, method=METHOD_KEY_VALUE_LINES, inline=True)
    return True
