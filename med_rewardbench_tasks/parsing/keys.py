"""Stage 4a: reading keys — which dimension (or generic verdict, or reason) a key names,
through exact names, stems and a bounded edit distance for misspellings."""

from __future__ import annotations

import re
import types
from collections.abc import Mapping
from typing import Final

from ..constants import DIMENSIONS, Dimension
from .model import RANK_EXACT, RANK_FUZZY, RANK_STEM, KeyClass

# Dimension names and wrapper keys are short; a longer "key" is prose.
_MAX_KEY_CHARS: Final = 48
_MAX_KEY_WORDS: Final = 5
# Ways a judge names one of the two answers ("Assistant A", "Response B", ...).
WORDING: Final = r"(?:assistant|answer|response|model|output|candidate|option|resp\.?)"

# Exact canonical spellings (also used for the "exact key beats fuzzy key" rule).
_CANONICAL: Final[Mapping[str, Dimension]] = types.MappingProxyType({d: d for d in DIMENSIONS})
# Prefixes of the compacted key (lower case, letters and digits only). They cover
# adjective forms and suffixes: accurate, relevancy, comprehensive, creative,
# responsive, overall_winner, Overall Preference.
_STEMS: Final[tuple[tuple[str, Dimension], ...]] = (
    ("accura", "accuracy"),
    ("acura", "accuracy"),
    ("relev", "relevance"),
    ("relav", "relevance"),
    ("comprehen", "comprehensiveness"),
    ("comprehan", "comprehensiveness"),
    ("creativ", "creativity"),
    ("responsiv", "responsiveness"),
    ("overal", "overall"),
)
# Targets of the edit-distance match, for misspellings the stems miss
# ("creativty" is caught by a stem, "reponsiveness" and "acuracy" by distance).
_FUZZY_TARGETS: Final[tuple[tuple[str, Dimension], ...]] = (
    ("accuracy", "accuracy"),
    ("accurate", "accuracy"),
    ("relevance", "relevance"),
    ("relevancy", "relevance"),
    ("relevant", "relevance"),
    ("comprehensiveness", "comprehensiveness"),
    ("comprehensive", "comprehensiveness"),
    ("creativity", "creativity"),
    ("creative", "creativity"),
    ("responsiveness", "responsiveness"),
    ("responsive", "responsiveness"),
    ("overall", "overall"),
)
_FUZZY_MIN_LEN: Final = 6
_FUZZY_MAX_DISTANCE: Final = 2

# Keys holding a winner without naming a dimension. At top level they are a lone overall
# verdict; inside a per-dimension object ({"accuracy": {"winner": "A"}}) they hold that
# dimension's winner. Compared in compact form.
VERDICT_KEYS: Final = frozenset(
    {
        "winner", "choice", "better", "preferred", "preference", "answer", "verdict",
        "result", "decision", "pick", "selected", "selection", "judgment", "judgement",
        "conclusion", "finalanswer", "finalverdict", "finaldecision", "finalchoice",
        "finaljudgment", "finaljudgement", "finalwinner", "finalresult", "finalpick",
        "betteranswer", "betterresponse", "betterassistant", "betterone",
        "preferredanswer", "preferredresponse", "preferredassistant",
        "winninganswer", "winningresponse", "bestanswer", "bestresponse",
        "chosen", "chosenanswer", "chosenresponse",
    }
)  # fmt: skip
# Keys whose value is the judge's own explanation (first word of the key).
_REASON_WORDS: Final = frozenset(
    {"reason", "reasons", "reasoning", "explanation", "explanations", "rationale",
     "justification", "justifications"}
)  # fmt: skip
# Words that make a key something other than a winner slot: per-dimension reasons,
# scores ("accuracy_score": 8), notes.
_NON_VERDICT_WORDS: Final = _REASON_WORDS | frozenset(
    {"score", "scores", "rating", "ratings", "points", "grade", "comment", "comments",
     "note", "notes", "analysis", "summary", "confidence", "feedback", "critique"}
)  # fmt: skip

_CAMEL_RE: Final = re.compile(r"([a-z])([A-Z])")
_NON_ALNUM_RE: Final = re.compile(r"[^0-9a-z]+")


def _key_words(key: str) -> list[str]:
    spaced = _CAMEL_RE.sub(r"\1 \2", key)
    return [word for word in _NON_ALNUM_RE.split(spaced.lower()) if word]


def compact(key: str) -> str:
    """The key in lower case with only its letters and digits ("Overall Winner" -> "overallwinner")."""
    return "".join(_key_words(key))


def _edit_distance_at_most(a: str, b: str, limit: int) -> int | None:
    """Levenshtein distance of a and b if it is <= limit, else None (banded, O(len * limit))."""
    if abs(len(a) - len(b)) > limit:
        return None
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i] + [limit + 1] * len(b)
        low = max(1, i - limit)
        high = min(len(b), i + limit)
        for j in range(low, high + 1):
            cost = 0 if char_a == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
        if min(current[max(0, low - 1) : high + 1]) > limit:
            return None
        previous = current
    return previous[len(b)] if previous[len(b)] <= limit else None


def classify_key(key: str, cache: dict[str, KeyClass]) -> KeyClass:
    """What a key names (cached per parse: the same keys recur in every block)."""
    known = cache.get(key)
    if known is not None:
        return known
    result = _classify_key_uncached(key)
    cache[key] = result
    return result


def _classify_key_uncached(key: str) -> KeyClass:
    if len(key) > _MAX_KEY_CHARS:
        return KeyClass("other")
    words = _key_words(key)
    if not words or len(words) > _MAX_KEY_WORDS:
        return KeyClass("other")
    joined = "".join(words)
    exact = _CANONICAL.get(joined)
    if exact is not None:
        return KeyClass("dim", exact, RANK_EXACT)
    if words[0] in _REASON_WORDS:
        return KeyClass("reason")
    if any(word in _NON_VERDICT_WORDS or word in ("a", "b") for word in words):
        # "accuracy_reason", "accuracy_score", "Answer A": about a dimension or an
        # answer, but not a winner slot.
        return KeyClass("other")
    if joined in VERDICT_KEYS:
        return KeyClass("verdict")
    for stem, dim in _STEMS:
        if joined.startswith(stem):
            return KeyClass("dim", dim, RANK_STEM)
    first = words[0]
    if len(first) >= _FUZZY_MIN_LEN:
        best: dict[Dimension, int] = {}
        for target, dim in _FUZZY_TARGETS:
            distance = _edit_distance_at_most(first, target, _FUZZY_MAX_DISTANCE)
            if distance is not None and distance < best.get(dim, _FUZZY_MAX_DISTANCE + 1):
                best[dim] = distance
        if best:
            closest = min(best.values())
            winners = [dim for dim, distance in best.items() if distance == closest]
            if len(winners) == 1:  # equally close to two names: not a guess we make
                return KeyClass("dim", winners[0], RANK_FUZZY)
    return KeyClass("other")
