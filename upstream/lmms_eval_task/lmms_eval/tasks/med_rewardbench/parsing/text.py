"""Stage 1: the text to examine — NFKC-normalised windows of a long output, and the split
into what the judge said and what it thought (``<think>`` blocks)."""

from __future__ import annotations

import re
import unicodedata
from typing import Final

__all__ = ["FULL_SCAN_CHARS", "HEAD_CHARS", "TAIL_CHARS", "split_think", "windows"]

# Judges put the verdict at the end (the template's order) and it is short (~200
# characters), so on outputs longer than FULL_SCAN_CHARS only the first HEAD_CHARS and the
# last TAIL_CHARS are examined: the tail holds the verdict of a model that reasoned at
# length, the head holds the verdict keys of an object whose reason string runs away. This
# keeps a 1 MB output well under the 50 ms budget whatever its shape.
FULL_SCAN_CHARS: Final = 32_000
HEAD_CHARS: Final = 8_000
TAIL_CHARS: Final = FULL_SCAN_CHARS - HEAD_CHARS
# Think tags handled one by one; beyond this (pathological input) the rest is split at
# its last tag, which keeps the split linear.
_MAX_THINK_TAGS: Final = 256
_NFKC_CHUNK: Final = 2_048
_NFKC_CUT_SLACK: Final = 32

_THINK_TAG_RE: Final = re.compile(r"<(/?)think(?:ing)?[ \t]*>", re.IGNORECASE)


def split_think(text: str) -> tuple[str, str]:
    """(what the judge said, what it thought). An unclosed <think> runs to the end; a
    </think> before any <think> (the chat template opened it) closes everything before."""
    if "hink" not in text and "HINK" not in text:
        return text, ""  # the regex scan below costs more than this on long outputs
    outside: list[str] = []
    inside: list[str] = []
    thinking = False
    pos = 0
    for seen, match in enumerate(_THINK_TAG_RE.finditer(text), start=1):
        if seen > _MAX_THINK_TAGS:
            rest = text[pos:]
            lowered = rest.lower()
            last_close = lowered.rfind("</think")
            last_open = lowered.rfind("<think")
            if last_close > last_open:  # the text ends after a closing tag
                close_end = rest.find(">", last_close) + 1
                inside.append(rest[:close_end])
                outside.append(rest[close_end:])
            else:  # the text ends inside a think block
                inside.append(rest)
            return "\n".join(outside), "\n".join(inside)
        closing = bool(match.group(1))
        chunk = text[pos : match.start()]
        if thinking:
            inside.append(chunk)
            if closing:
                thinking = False
        elif closing and seen == 1:
            inside.append(chunk)
        else:
            outside.append(chunk)
            thinking = not closing
        pos = match.end()
    (inside if thinking else outside).append(text[pos:])
    return "\n".join(outside), "\n".join(inside)


def _cut_point(text: str, index: int) -> int:
    # Never split a base character from its combining marks (NFKC composes them).
    stop = min(len(text), index + _NFKC_CUT_SLACK)
    while index < stop and unicodedata.combining(text[index]):
        index += 1
    return index


def _nfkc_head(text: str, limit: int) -> str:
    """NFKC of the start of text, at most limit characters. Normalised chunk by chunk so
    the cost follows the output: NFKC expands some characters 18-fold (U+FDFA)."""
    if text.isascii():
        return text[:limit]
    pieces: list[str] = []
    produced = 0
    start = 0
    while start < len(text) and produced < limit:
        end = _cut_point(text, start + _NFKC_CHUNK) if start + _NFKC_CHUNK < len(text) else len(text)
        piece = unicodedata.normalize("NFKC", text[start:end])
        pieces.append(piece)
        produced += len(piece)
        start = end
    return "".join(pieces)[:limit]


def _nfkc_tail(text: str, limit: int) -> str:
    """NFKC of the end of text, at most limit characters (see _nfkc_head)."""
    if text.isascii():
        return text[-limit:]
    pieces: list[str] = []
    produced = 0
    end = len(text)
    while end > 0 and produced < limit:
        start = _cut_point(text, end - _NFKC_CHUNK) if end > _NFKC_CHUNK else 0
        if start >= end:  # a run of combining marks longer than the slack
            start = max(0, end - _NFKC_CHUNK)
        piece = unicodedata.normalize("NFKC", text[start:end])
        pieces.append(piece)
        produced += len(piece)
        end = start
    pieces.reverse()
    return "".join(pieces)[-limit:]


def windows(text: str) -> list[str]:
    """The NFKC-normalised text to examine: all of it, or its head and tail windows."""
    if len(text) > FULL_SCAN_CHARS:
        # Padding around a verdict must not push it out of the windows. (Collapsing
        # blank runs inside the text too would need a regex pass over all of it, which
        # costs more than the whole parse; a verdict with more than a window of text on
        # both sides is the documented blind spot of the bound.)
        text = text.strip()
    if len(text) <= FULL_SCAN_CHARS:
        normal = _nfkc_head(text, FULL_SCAN_CHARS + 1)
        if len(normal) <= FULL_SCAN_CHARS:
            return [normal]
        # Expanded past the bound by NFKC: the bound holds after normalisation too.
        return [normal[:HEAD_CHARS], _nfkc_tail(text, TAIL_CHARS)]
    return [_nfkc_head(text, HEAD_CHARS), _nfkc_tail(text, TAIL_CHARS)]
