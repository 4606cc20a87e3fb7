"""Stage 3c: lone verdicts — a single overall winner (``[[A]]``, "Final verdict: B",
"Assistant A is better." as a concluding sentence, a bare letter) and refusals."""

from __future__ import annotations

import functools
import re
from typing import Final

from .lexicon import Lexicon, lexicon, scanners
from .values import read_winner

# A line holding only a winner: "A", "**B**", "Assistant A", "[[B]]", "(A)", "B.".
# Only markdown, quote and bracket wrappers: '{"a' is the start of an object, not "A".
_BARE_LINE_MAX: Final = 40
_QUALIFIER_LOOKBACK: Final = 200
_SENTENCE_END_RE: Final = re.compile(r"[.!?;。！？；]")
_CLAUSE_END_RE: Final = re.compile(r"[,:，：、]")
# Lone overall verdicts inside a line. MT-Bench style; [[C]] is that format's tie.
_DOUBLE_BRACKET_RE: Final = re.compile(r"\[\[[ \t]*([abc])[ \t]*\]\]", re.IGNORECASE)
_FINAL_PHRASE_RE: Final = re.compile(
    r"\bfinal(?:[ \t]+(?:answer|verdict|decision|choice|judge?ment|pick|winner|result|preference)\b|(?=[ \t*]*:))"
    r"[ \t*:]*(?:(?:is\b|=|-)[ \t*:]*)?(?P<value>.{0,80})",
    re.IGNORECASE,
)
_WINNER_PHRASE_RE: Final = re.compile(
    r"\b(?:the[ \t]+)?(?:winner|better[ \t]+(?:answer|response|one|assistant)|"
    r"preferred[ \t]+(?:answer|response|one|assistant)|stronger[ \t]+(?:answer|response))"
    r"[ \t]+is[ \t*:]*(?P<value>.{0,80})",
    re.IGNORECASE,
)
# A multiple-choice list ("A. Pneumothorax B. Effusion C. ... D. ..."): the output answers
# the medical question, and a letter in it ("Answer: B") names an option, not an answer.
_OPTION_RE: Final = re.compile(r"(?<![A-Za-z0-9])\(?([A-D])[.)][ \t]+(?=[^\W\d_])")
_OPTION_GAP: Final = 300
_MAX_OPTION_MARKS: Final = 2_000


def lists_options(text: str) -> bool:
    """Whether text lists options A, B, C and D in order, each close after the one before,
    and never names an answer ("Assistant A": then it is a judge quoting the question)."""
    if "C" not in text or "D" not in text:
        return False
    if _patterns(lexicon())["named"].search(text) is not None:
        return False
    expected, last = "A", -1
    for seen, match in enumerate(_OPTION_RE.finditer(text)):
        if seen >= _MAX_OPTION_MARKS:
            return False
        letter = match.group(1)
        if letter == "A":
            expected, last = "B", match.start()
        elif letter == expected and match.start() - last <= _OPTION_GAP:
            if letter == "D":
                return True
            expected, last = chr(ord(letter) + 1), match.start()
    return False


REFUSAL_RE: Final = re.compile(
    r"\bI[ \t]*(?:cannot|can't|can[ \t]not|am[ \t]+unable[ \t]+to|am[ \t]+not[ \t]+able[ \t]+to|"
    r"won't|will[ \t]+not|must[ \t]+decline|'m[ \t]+(?:unable|not[ \t]+able))|"
    r"\b(?:unable|not[ \t]+possible)[ \t]+to[ \t]+(?:evaluate|assess|determine|judge|compare)",
    re.IGNORECASE,
)


@functools.lru_cache(maxsize=2)
def _patterns(lex: Lexicon) -> dict[str, re.Pattern[str]]:
    """The patterns that name answers, built from the lexicon on first use."""
    wording = lex.wording
    return {
        "bare": re.compile(
            r"[ \t>]*(?:\*{1,2}|_{1,2}|`)?[\"'“”‘’]?(?:\[\[|[\[(])?[ \t]*"
            rf"(?:(?P<wording>{wording})[ \t_-]*)?(?:(?P<letter>[ab])|(?<=[ \t_-])(?P<number>[12]))"
            r"[ \t]*(?:\]\]|[\])])?[\"'“”‘’]?(?:\*{1,2}|_{1,2}|`)?[.!。]?[ \t]*",
            re.IGNORECASE,
        ),
        "boxed": re.compile(
            rf"\\boxed\{{[ \t]*(?:\\text(?:bf)?\{{)?[ \t]*(?:{wording}[ \t_-]*)?(?P<letter>[ABC])[ \t]*\}}",
            re.IGNORECASE,
        ),
        "concluding": re.compile(
            rf"(?:\b{wording}[ \t_-]*(?P<l1>[ab])|(?<![\w'’])(?P<l2>(?-i:[AB])))(?![a-z0-9])"
            rf"(?:'s[ \t]+(?:answer|response))?[ \t]+(?:is|was)[ \t]+"
            r"(?:(?:clearly|overall|slightly|much|marginally|definitely|the)[ \t]+){0,3}"
            r"(?:better|superior|preferred|stronger|preferable|the[ \t]+winner|winner)"
            r"(?:[ \t]+(?:answer|response|one|choice|option|overall))?[ \t]*(?:[.!]|$)",
            re.IGNORECASE,
        ),
        # "I prefer Assistant A." as a concluding sentence.
        "prefer": re.compile(
            rf"\bI(?:[ \t]+would)?[ \t]+(?:prefer|choose|pick|select|favou?r)[ \t]+(?:{wording}[ \t_-]*)?(?P<l1>[ab])"
            r"(?![a-z0-9])(?:'s[ \t]+(?:answer|response))?(?:[ \t]+overall)?[ \t]*(?:[.!]|$)",
            re.IGNORECASE,
        ),
        "named": re.compile(rf"(?<![A-Za-z])(?:{wording})[ \t_-]*(?:[AB12]|#[12])(?![A-Za-z0-9])", re.IGNORECASE),
        # A concluding sentence about one named dimension ("In terms of relevance, Assistant A
        # is better.") is not an overall verdict.
    }


@functools.lru_cache(maxsize=2)
def _dimension_names(lex: Lexicon) -> tuple[re.Pattern[str], ...]:
    """Trie scanners (over lower-cased text) for the names of the dimensions other than overall."""
    return scanners(
        [phrase for phrase, meaning in lex.phrases.items() if meaning.dim not in (None, "overall")]
        + [stem for stem, dim in lex.key_stems if dim != "overall"]
    )


def _denies(clause: str) -> bool:
    """Whether a clause holds a negation or a hypothetical (the lexicon's phrases)."""
    lex = lexicon()
    for scanner in lex.phrase_res:
        for found in scanner.finditer(clause):
            phrase = lex.phrases.get(" ".join(found.group().split()))
            if phrase is not None and phrase.kind in ("negation", "hypothetical"):
                return True
    return False


def bare_winner(line: str, *, any_case: bool) -> str | None:
    """The winner if the line is only a winner ("A", "**B**", "Assistant A", "[[B]]").
    A lone lower-case letter counts only where context makes it a verdict (any_case)."""
    if len(line) > _BARE_LINE_MAX:
        return None
    match = _patterns(lexicon())["bare"].fullmatch(line)
    if match is None:
        return None
    if match.group("number") is not None:
        return "A" if match.group("number") == "1" else "B"  # "Response 2"
    letter = match.group("letter")
    if letter.islower() and match.group("wording") is None and not any_case:
        return None
    return letter.upper()


def lone_in_line(line: str, *, concluding: bool) -> str | None:
    """A lone overall verdict stated in this line, as a value to read, if any."""
    patterns = _patterns(lexicon())
    found: list[tuple[int, str]] = []
    for bracket in (_DOUBLE_BRACKET_RE, patterns["boxed"]):
        for match in bracket.finditer(line):
            letter = match.group(1).upper()
            found.append((match.start(), "tie" if letter == "C" else letter))
    for pattern in (_FINAL_PHRASE_RE, _WINNER_PHRASE_RE):
        for match in pattern.finditer(line):
            value = match.group("value")
            if read_winner(value).winner is not None:
                found.append((match.start(), value))
    if concluding:
        # The patterns end at the end of a sentence, so "A is better at naming the
        # lesion" (a per-aspect remark) never matches.
        for pattern in (patterns["concluding"], patterns["prefer"]):
            for match in pattern.finditer(line):
                # The qualifier sits in the same sentence, just before; looking back a
                # bounded distance keeps a long line of such sentences linear.
                sentence = line[max(0, match.start() - _QUALIFIER_LOOKBACK) : match.start()]
                sentence = _SENTENCE_END_RE.split(sentence)[-1]
                lowered = sentence.lower()
                if any(scanner.search(lowered) for scanner in _dimension_names(lexicon())):
                    continue
                if _denies(_CLAUSE_END_RE.split(lowered)[-1]):
                    continue  # "nor would I say B is better.", "if B is better."
                found.append((match.start(), match.group("l1") or match.groupdict().get("l2") or ""))
    if not found:
        return None
    return max(found, key=lambda item: item[0])[1]
