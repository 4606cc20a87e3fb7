"""Stage 2: objects — every ``{...}`` span outside string literals, read strictly as JSON
when valid and otherwise by a tolerant parser (any quotes, bare keys and values, missing
commas, ``=`` for ``:``, text cut off anywhere). Read objects are hidden from the line
rules, so text inside a ``reason`` string can never contribute a verdict."""

from __future__ import annotations

import json
import re
import types
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from .candidates import candidate_from_slots
from .lexicon import lexicon
from .methods import METHOD_JSON, METHOD_JSON_LENIENT, METHOD_JSON_TRUNCATED
from .model import MAX_NESTING, Candidate, Context, Obj
from .objects import labelled_items_of, object_candidates

# Work bounds.
# At most this many {...} spans are parsed per window, latest first: a verdict is among
# the last objects of an output, and thousands of stray braces must not cost thousands
# of parses. Spans whose "{" is not followed by a key-like character are never parsed.
MAX_OBJECT_PARSES: Final = 64
# Tokens the tolerant parser may read per window over all its attempts. A verdict object
# is a few dozen tokens; this is ample for many real objects and caps junk at ~10 ms.
PARSE_STEP_BUDGET: Final = 20_000
# Scanner for {...} spans: braces and quote characters that may open a string literal.
_SCAN_STOP_RE: Final = re.compile("[{}\"'“]")
_OPEN_RUN_RE: Final = re.compile(r"\{+")
_STRING_STOPS: Final[Mapping[str, re.Pattern[str]]] = types.MappingProxyType(
    {'"': re.compile(r'["\\]'), "'": re.compile(r"['\\]"), "“": re.compile(r"[”“\\]")}
)
# A quote closes a string only where a JSON token could follow it. This lets a reason
# such as "Assistant A says "mass" here" survive unescaped inner quotes.
_AFTER_CLOSER_RE: Final = re.compile(r"[ \t]*(?:[,:;}\]\r\n]|$)")
_STRING_OPENERS_BEFORE: Final = frozenset("{[,:\"'”")
_OPENER_LOOKBACK: Final = 256
_BLANKS: Final = frozenset(" \t\r\n")
_KEY_QUOTES: Final = frozenset("\"'“_")
_ESCAPE_RE: Final = re.compile(r"\\(u[0-9a-fA-F]{4}|.)", re.DOTALL)
_SIMPLE_ESCAPES: Final[Mapping[str, str]] = types.MappingProxyType(
    {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "/": "/", "\\": "\\", '"': '"', "'": "'"}
)
_WS_RE: Final = re.compile(r"[ \t\r\n]*")
_BARE_KEY_RE: Final = re.compile(r"[^:=,;{}\[\]\n\"'“]+")
_BARE_VALUE_OBJ_RE: Final = re.compile(r"[^,}\n]*")
_BARE_VALUE_ARR_RE: Final = re.compile(r"[^,\]\n]*")
_NEXT_KEY_RE: Final = re.compile(r"[ \t](?=[^\W\d_][\w-]{0,40}[ \t]?[:=])")
_REASON_PREFIX_RE: Final = re.compile(
    r"[\W_]*(?:reason|reasons|reasoning|explanation|rationale|justification)\b[^:=\n]{0,24}[:=]",
    re.IGNORECASE,
)
# An example of the format ("for example: {...}", "something like {...}", or a line
# "Example output:" above the object) is no verdict: the marker ends at most this far before
# the object, with only punctuation between; lines above are looked at this far back.
_EXAMPLE_TAIL_CHARS: Final = 48
_EXAMPLE_LOOKBACK: Final = 200
_EXAMPLE_LINES_ABOVE: Final = 3
_EXAMPLE_GAP_RE: Final = re.compile(r"[ \t:：,，()（）*_`'\"-]*")
# A blank line, a code fence or markup only: skipped when looking for the line above.
_MARKUP_LINE_RE: Final = re.compile(r"[ \t`*_>#~-]*(?:json|python|yaml|js|javascript)?[ \t`*_]*", re.IGNORECASE)


class _StepBudget:
    """Work left for the tolerant parser in one window, shared by all its attempts:
    nested cut-off objects overlap, so per-attempt limits alone would be quadratic."""

    __slots__ = ("left",)

    def __init__(self, steps: int) -> None:
        self.left = steps


def _string_end(text: str, start: int, limit: int, budget: _StepBudget | None = None) -> int:
    """Index just after the string literal opening at start, or -1 if it never closes
    (or the budget ran out before it did)."""
    stop = _STRING_STOPS[text[start]]
    i = start + 1
    while True:
        if budget is not None:
            budget.left -= 1
            if budget.left < 0:
                return -1
        match = stop.search(text, i, limit)
        if match is None:
            return -1
        k = match.start()
        if text[k] == "\\":
            i = k + 2
            continue
        if _AFTER_CLOSER_RE.match(text, k + 1, limit):
            return k + 1
        i = k + 1


def _opens_string(text: str, i: int) -> bool:
    # A quote starts a literal only where JSON expects a key or value; an apostrophe in
    # "A's answer" (or a stray inch mark) inside a brace does not. Look-back is bounded
    # because whitespace runs may be long.
    j = i - 1
    low = max(0, i - _OPENER_LOOKBACK)
    while j >= low and text[j] in " \t\r\n":
        j -= 1
    return j >= low and text[j] in _STRING_OPENERS_BEFORE


@dataclass
class _Spans:
    starts: list[int]
    ends: list[int]  # exclusive; len(text) for objects never closed
    closed: list[bool]
    plausible: list[bool]  # "{" followed by a key-like character: worth a parse


def _scan_objects(text: str) -> _Spans:
    """All {...} spans outside string literals (one pass; strings are skipped by regex).
    This loop runs once per brace and quote, so its lookups are bound to locals."""
    starts: list[int] = []
    ends: list[int] = []
    closed: list[bool] = []
    plausible: list[bool] = []
    stack: list[int] = []
    search = _SCAN_STOP_RE.search
    n = len(text)
    pos = 0
    while pos < n:
        if stack:
            match = search(text, pos)
            if match is None:
                break
            i = match.start()
        else:
            i = text.find("{", pos)
            if i < 0:
                break
        char = text[i]
        if char == "{":
            if text.startswith("{{", i):
                # A run of "{" is recorded with list operations, not one loop turn per
                # brace (runs are the costliest junk); only its last brace can open a key.
                run = _OPEN_RUN_RE.match(text, i)
                run_end = run.end() if run is not None else i + 1
                count = run_end - i
                first = len(starts)
                stack.extend(range(first, first + count))
                starts.extend(range(i, run_end))
                ends.extend([n] * count)
                closed.extend([False] * count)
                plausible.extend([False] * (count - 1))
            else:
                run_end = i + 1
                stack.append(len(starts))
                starts.append(i)
                ends.append(n)
                closed.append(False)
            after = text[run_end : run_end + 1]
            if after in _BLANKS and after:
                blank = _WS_RE.match(text, run_end)
                after = text[blank.end() : blank.end() + 1] if blank is not None else ""
            plausible.append(after.isalnum() or after in _KEY_QUOTES)
            pos = run_end
        elif char == "}":
            if stack:
                index = stack.pop()
                ends[index] = i + 1
                closed[index] = True
            pos = i + 1
        elif _opens_string(text, i):
            end = _string_end(text, i, n)
            if end < 0:
                break  # an unterminated string runs to the end: open objects are cut off
            pos = end
        else:
            pos = i + 1
    return _Spans(starts, ends, closed, plausible)


class _LenientParser:
    """Reads a JSON-like object: quotes of any kind, bare keys and values, missing or
    trailing commas, '=' for ':', and text cut off anywhere (keeping complete pairs)."""

    __slots__ = ("budget", "end", "halted", "keyed", "pos", "text")

    def __init__(self, text: str, start: int, end: int, budget: _StepBudget) -> None:
        self.text = text
        self.pos = start
        self.end = end
        self.budget = budget
        # Nesting too deep or work budget spent: stop everywhere, keep what is complete.
        self.halted = False
        # Whether a "key:" was seen: then the text is an object, even one cut off
        # before its first complete pair, and no other rule may read inside it.
        self.keyed = False

    def _skip_ws(self) -> None:
        match = _WS_RE.match(self.text, self.pos, self.end)
        if match is not None:
            self.pos = match.end()

    def _string(self) -> tuple[str, bool]:
        start = self.pos
        end = _string_end(self.text, start, self.end, self.budget)
        if end < 0:
            self.pos = self.end
            return "", False
        self.pos = end
        body = self.text[start + 1 : end - 1]
        if "\\" in body:
            body = _ESCAPE_RE.sub(_decode_escape, body)
        return body, True

    def parse_object(self, depth: int) -> tuple[Obj, bool]:
        obj = Obj([])
        self.pos += 1  # the "{"
        if depth > MAX_NESTING:
            self.halted = True
            obj.truncated = True
            return obj, False
        text, end, budget = self.text, self.end, self.budget
        while True:
            budget.left -= 1
            if budget.left < 0:
                self.halted = True
            self._skip_ws()
            if self.pos >= end or self.halted:
                obj.truncated = True
                return obj, False
            char = text[self.pos]
            if char in ",;":
                self.pos += 1
                continue
            if char == "}":
                self.pos += 1
                return obj, True
            if not obj.pairs and depth == 0 and char not in _STRING_STOPS and not char.isalnum():
                # An object opens with a key; "{{", "{ -" or "{[" is prose or a template.
                return obj, False
            if char in "]:=":
                self.pos += 1
                continue
            if char in "{[":
                self._value(depth)  # a stray structure in key position: read past it
                if self.halted:
                    obj.truncated = True
                    return obj, False
                continue
            if char in _STRING_STOPS:
                key, complete = self._string()
                if not complete:
                    obj.truncated = True
                    return obj, False
            else:
                match = _BARE_KEY_RE.match(text, self.pos, end)
                if match is None:  # unreachable: every other character starts a bare key
                    self.pos += 1
                    continue
                key = match.group().strip()
                self.pos = match.end()
            self._skip_ws()
            if self.pos >= end:
                obj.truncated = True
                return obj, False
            if text[self.pos] not in ":=":
                if not obj.pairs and depth == 0:
                    return obj, False  # "{like this": prose in braces, not an object
                continue  # a stray word between pairs: resynchronise at the next token
            self.pos += 1
            self.keyed = True
            value, complete = self._value(depth, in_array=False)
            if isinstance(value, Obj) and value.pairs:
                obj.pairs.append((key, value))  # a cut-off nested object keeps its pairs
            elif complete:
                obj.pairs.append((key, value))
            if not complete or self.halted:
                obj.truncated = True
                return obj, False

    def _array(self, depth: int) -> tuple[list[object], bool]:
        items: list[object] = []
        self.pos += 1  # the "["
        if depth > MAX_NESTING:
            self.halted = True
            return items, False
        budget = self.budget
        while True:
            budget.left -= 1
            if budget.left < 0:
                self.halted = True
            self._skip_ws()
            if self.pos >= self.end or self.halted:
                return items, False
            char = self.text[self.pos]
            if char in ",;":
                self.pos += 1
                continue
            if char in "]}":
                self.pos += 1
                return items, char == "]"
            value, complete = self._value(depth, in_array=True)
            if complete or (isinstance(value, Obj) and value.pairs):
                items.append(value)
            if not complete or self.halted:
                return items, False

    def _value(self, depth: int, in_array: bool = False) -> tuple[object, bool]:
        self._skip_ws()
        if self.pos >= self.end:
            return None, False
        char = self.text[self.pos]
        if char == "{":
            return self.parse_object(depth + 1)
        if char == "[":
            return self._array(depth + 1)
        if char in _STRING_STOPS:
            return self._string()
        pattern = _BARE_VALUE_ARR_RE if in_array else _BARE_VALUE_OBJ_RE
        match = pattern.match(self.text, self.pos, self.end)
        assert match is not None  # the pattern matches the empty string
        end = match.end()
        if not in_array:
            # "{accuracy: A relevance: B}": without commas, a bare value ends at the next key.
            following = _NEXT_KEY_RE.search(self.text, self.pos + 1, end)
            if following is not None:
                end = following.start()
        value = self.text[self.pos : end].strip()
        self.pos = end
        # A bare value ends at a delimiter or at the end of the text, like a final
        # "Overall: B" line: nothing marks it as cut off, unlike an unclosed quote.
        return value, bool(value) or self.pos < self.end


def _decode_escape(match: re.Match[str]) -> str:
    token = match.group(1)
    if token[0] == "u" and len(token) == 5:
        return chr(int(token[1:], 16))
    return _SIMPLE_ESCAPES.get(token, token)


def _json_pairs_hook(pairs: list[tuple[str, object]]) -> Obj:
    return Obj(list(pairs))


def _read_object(
    text: str, start: int, end: int, closed: bool, budget: _StepBudget
) -> tuple[tuple[Obj, str] | None, bool]:
    """(the object at text[start:end] and how it was read, or None if it has no complete
    pair; whether it is an object at all, i.e. it reached "key:")."""
    parser = _LenientParser(text, start, end, budget)
    obj, _ = parser.parse_object(0)
    if not obj.pairs:
        return None, parser.keyed
    if closed and not obj.truncated:
        # Strict JSON decides the method and, being exact, the values. It runs only on
        # objects the tolerant reader accepted, so stray braces never cost a decode.
        try:
            value = json.loads(text[start:end], object_pairs_hook=_json_pairs_hook)
        except (ValueError, RecursionError):
            value = None
        if isinstance(value, Obj) and value.pairs:
            return (value, METHOD_JSON), True
    return (obj, (METHOD_JSON_TRUNCATED if obj.truncated else METHOD_JSON_LENIENT)), True


def _in_reason_line(text: str, start: int) -> bool:
    """Whether the object at start sits in a "Reason: ..." line (then it is reason text)."""
    low = max(0, start - 200)
    line_start = text.rfind("\n", low, start) + 1 or low
    return _REASON_PREFIX_RE.match(text, line_start, start) is not None


def _line_start(text: str, pos: int) -> int:
    low = max(0, pos - _EXAMPLE_LOOKBACK)
    found = text.rfind("\n", low, pos)
    return found + 1 if found >= 0 else low


def _introduced_as_example(text: str, start: int) -> bool:
    """Whether the object at start is shown as an example of the format ("I will answer
    like this, for example: {...}", "Example output:" on the line above), not given as
    the verdict."""
    example_re = lexicon().example_re
    line_start = _line_start(text, start)
    prefix = text[line_start:start]
    if not _MARKUP_LINE_RE.fullmatch(prefix):
        tail = prefix[-_EXAMPLE_TAIL_CHARS:]
        ends = [found.end() for found in example_re.finditer(tail)]
        return bool(ends) and _EXAMPLE_GAP_RE.fullmatch(tail, ends[-1]) is not None
    end = line_start - 1
    for _ in range(_EXAMPLE_LINES_ABOVE):
        if end <= 0:
            return False
        above_start = _line_start(text, end)
        line = text[above_start:end]
        if _MARKUP_LINE_RE.fullmatch(line):
            end = above_start - 1
            continue
        line = line.strip().rstrip("*_` \t")
        return line.endswith((":", "：")) and example_re.search(line) is not None
    return False


def scan_json(text: str, base: int, context: Context) -> tuple[list[Candidate], list[tuple[int, int]], bool]:
    """Candidates from objects, the spans to hide from the line rules, and whether an
    object was cut off before its first complete pair."""
    spans = _scan_objects(text)
    candidates: list[Candidate] = []
    masked: list[tuple[int, int]] = []
    # Latest-ending first (the verdict is at the end; the parse budget goes there), and
    # of spans ending together (objects cut off at the end of the text) the outer first.
    # Spans nest, so every span processed after an accepted one either lies inside it
    # (a per-dimension object, a string's braces: skipped) or wholly before it.
    order = sorted(
        (index for index, plausible in enumerate(spans.plausible) if plausible),
        key=lambda index: (-spans.ends[index], spans.starts[index]),
    )
    budget = MAX_OBJECT_PARSES
    steps = _StepBudget(PARSE_STEP_BUDGET)
    accepted_start = -1
    cut_off = False
    items: list[tuple[int, int, Obj, str]] = []  # per-dimension objects of a bare JSON list
    for index in order:
        start, end = spans.starts[index], spans.ends[index]
        if accepted_start >= 0 and start >= accepted_start:
            continue
        if budget == 0:
            break
        budget -= 1
        read, keyed = _read_object(text, start, end, spans.closed[index], steps)
        if keyed:
            masked.append((start, end))
        if read is None:
            cut_off = cut_off or keyed
            continue  # objects inside it may still be verdicts (e.g. under a prose "{")
        accepted_start = start
        if _in_reason_line(text, start) or _introduced_as_example(text, start):
            continue
        obj, method = read
        if labelled_items_of([obj], context):
            items.append((start, end, obj, method))
            continue
        candidates.extend(object_candidates(obj, method=method, order=(base + end, 0), context=context))
    candidates.extend(_list_candidates(text, base, items, context))
    masked.sort()
    return candidates, masked, cut_off


def _list_candidates(text: str, base: int, items: list[tuple[int, int, Obj, str]], context: Context) -> list[Candidate]:
    """One candidate per run of per-dimension objects in a list ([{"dimension": "accuracy",
    "winner": "A"}, {"dimension": "relevance", ...}]): only commas and blanks between them."""
    items.sort(key=lambda item: item[0])
    runs: list[list[tuple[int, int, Obj, str]]] = []
    for item in items:
        if runs and not text[runs[-1][-1][1] : item[0]].strip(" \t\r\n,"):
            runs[-1].append(item)
        else:
            runs.append([item])
    found: list[Candidate] = []
    for run in runs:
        slots = labelled_items_of([obj for _, _, obj, _ in run], context)
        methods = {method for _, _, _, method in run}
        method = METHOD_JSON if methods == {METHOD_JSON} else METHOD_JSON_LENIENT
        if METHOD_JSON_TRUNCATED in methods:
            method = METHOD_JSON_TRUNCATED
        candidate = candidate_from_slots(
            slots, order=(base + run[-1][1], 0), method=method, reason=None, context=context
        )
        if candidate is not None:
            found.append(candidate)
    return found


def mask(text: str, spans: list[tuple[int, int]]) -> str:
    """text with each span blanked but its position kept; the span's edges become line
    breaks so text around an object never fuses into one line."""
    if not spans:
        return text
    pieces: list[str] = []
    last = 0
    for start, end in spans:
        if start < last:
            continue
        pieces.append(text[last:start])
        length = end - start
        pieces.append("\n" + " " * (length - 2) + "\n" if length >= 2 else "\n" * length)
        last = end
    pieces.append(text[last:])
    return "".join(pieces)
