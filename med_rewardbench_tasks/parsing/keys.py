"""Stage 4a: reading keys — which dimension (or generic verdict, reason, answer, score) a key
names, through the names, stems and misspellings of ``aliases.json``.

Keys are compared in *compact* form: lower case, letters and digits only ("Overall Winner"
-> "overallwinner", "准确性（A/B）" -> "准确性"). Latin keys are also read word by word;
keys in scripts without spaces (Chinese) are read by what they contain.
"""

from __future__ import annotations

import functools
import re
from typing import Final

from ..constants import Dimension
from .lexicon import Lexicon, lexicon
from .model import RANK_EXACT, RANK_FUZZY, RANK_STEM, Context, KeyClass

__all__ = ["classify_key", "compact", "scored_dimension"]

# Dimension names and wrapper keys are short; a longer "key" is prose.
_MAX_KEY_CHARS: Final = 48
_MAX_KEY_WORDS: Final = 5
_FUZZY_MIN_LEN: Final = 6
_FUZZY_MAX_DISTANCE: Final = 2
# A parenthesis in a key says what the value holds ("Accuracy (A/B)"), not what it is.
_PARENTHESIS_RE: Final = re.compile(r"[(（\[][^()（）\[\]]{0,40}[)）\]]")
_CAMEL_RE: Final = re.compile(r"([a-z])([A-Z])")
_NON_WORD_RE: Final = re.compile(r"[\W_]+")
# Words around a dimension in a key that still make it that dimension's winner slot
# ("winner_accuracy", "best_in_relevance", "more_accurate").
_SLOT_FILLERS: Final = frozenset({"for", "in", "on", "of", "the", "more", "most", "dimension", "by", "per", "at"})
# A list number before a key ("1. accuracy", "6) overall") numbers the list, not the key.
_LIST_NUMBER_RE: Final = re.compile(r"[ \t]*\d{1,2}[.)][ \t]*(?=[^\W\d_])")
# Words that may qualify a dimension's name in a key ("Medical Accuracy", "Clinical Relevance").
_MAX_QUALIFIERS: Final = 2
_NEGATIVE_QUALIFIERS: Final = frozenset(
    {"negation", "less", "worse", "criticism", "eval_negative", "tie", "hypothetical"}
)


def _key_words(key: str) -> list[str]:
    spaced = _CAMEL_RE.sub(r"\1 \2", key)
    return [word for word in _NON_WORD_RE.split(spaced.lower()) if word]


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


def classify_key(key: str, context: Context) -> KeyClass:
    """What a key names. Cached per parse (the same keys recur in every block) and, for
    short keys, per process (judges use few distinct keys)."""
    known = context.keys.get(key)
    if known is None:
        known = _classify(key, lexicon()) if len(key) <= _MAX_KEY_CHARS else KeyClass("other")
        context.keys[key] = known
    return known


@functools.lru_cache(maxsize=4096)
def _classify(key: str, lex: Lexicon) -> KeyClass:
    words = _key_words(_PARENTHESIS_RE.sub(" ", _LIST_NUMBER_RE.sub("", key, count=1)))
    if not words or len(words) > _MAX_KEY_WORDS:
        return KeyClass("other")
    joined = "".join(words)
    exact = lex.key_names.get(joined)
    if exact is not None:
        return KeyClass("dim", exact, RANK_EXACT)
    latin = joined.isascii()
    if words[0] in lex.reason_keys or (not latin and _is_cjk_reason(joined, lex)):
        return KeyClass("reason")
    answer = _answer_of(words, lex)
    if answer is not None:
        return KeyClass("answer", answer=answer)
    score = _score_of(words, lex)
    if score is not None:
        return score
    if any(word in lex.non_verdict_keys or word in lex.reason_keys for word in words) or (
        not latin and _contains_any(joined, lex.non_verdict_keys | lex.reason_keys)
    ):
        # "accuracy_reason", "accuracy_score", "准确性评分": about a dimension, not a winner
        # slot, unless a winner word says it is one ("Accuracy Score Winner").
        if any(word in lex.verdict_keys for word in words):
            slot = _slot_of([word for word in words if word not in lex.non_verdict_keys], lex)
            if slot is not None:
                return KeyClass("dim", slot, RANK_STEM)
        return KeyClass("other")
    if joined in lex.verdict_keys:
        return KeyClass("verdict")
    if joined in lex.dimension_label_keys:
        return KeyClass("label")
    stem = _stem_of(joined, lex)
    if stem is not None:
        return KeyClass("dim", stem, RANK_STEM)
    slot = _slot_of(words, lex) or _qualified_of(words, lex)
    if slot is not None:
        return KeyClass("dim", slot, RANK_STEM)
    fuzzy = _fuzzy_of(words[0], lex)
    if fuzzy is not None:
        return KeyClass("dim", fuzzy, RANK_FUZZY)
    return KeyClass("other")


def scored_dimension(key: str) -> Dimension | None:
    """The dimension of a key that names its score ("Overall score", "accuracy_scores",
    "准确性评分"): its value may compare the two answers ("A = 6, B = 8")."""
    if len(key) > _MAX_KEY_CHARS:
        return None
    lex = lexicon()
    words = _key_words(_PARENTHESIS_RE.sub(" ", key))
    rest = [word for word in words if word not in lex.score_keys]
    joined = "".join(rest)
    if not rest or len(rest) == len(words):
        if not joined or joined.isascii():
            return None
        for score_word in lex.score_keys:  # scripts without blanks: "准确性评分"
            if not score_word.isascii() and joined.endswith(score_word) and len(joined) > len(score_word):
                joined = joined[: -len(score_word)]
                break
        else:
            return None
    return lex.key_names.get(joined) or _stem_of(joined, lex)


def _contains_any(joined: str, words: frozenset[str]) -> bool:
    return any(word in joined for word in words if not word.isascii())


def _is_cjk_reason(joined: str, lex: Lexicon) -> bool:
    """ "理由", "评价理由" are reasons; "准确性理由" is a dimension's reason, not the judge's."""
    return _contains_any(joined, lex.reason_keys) and _stem_of(joined, lex) is None


def _stem_of(joined: str, lex: Lexicon) -> Dimension | None:
    for stem, dim in lex.key_stems:
        if joined.startswith(stem):
            return dim
    return None


def _answer_of(words: list[str], lex: Lexicon) -> str | None:
    """The answer a key names: "Assistant A", "assistant_a_scores", "回答1", "A"."""
    kept = [word for word in words if word not in lex.score_keys and word not in _SLOT_FILLERS]
    winner = lex.answer_keys.get("".join(kept)) if kept else None
    return winner


def _score_of(words: list[str], lex: Lexicon) -> KeyClass | None:
    """A dimension's score for one answer: "accuracy_a", "accuracy_score_B", "A_accuracy"."""
    if len(words) < 2:
        return None
    for size in (1, 2):
        for answer_words, rest in ((words[-size:], words[:-size]), (words[:size], words[size:])):
            winner = lex.answer_keys.get("".join(answer_words))
            if winner is None or not rest:
                continue
            rest = [word for word in rest if word not in lex.score_keys]
            joined = "".join(rest)
            dim = lex.key_names.get(joined) or (_stem_of(joined, lex) if joined else None)
            if dim is not None:
                return KeyClass("score", dim, RANK_STEM, answer=winner)
    return None


def _slot_of(words: list[str], lex: Lexicon) -> Dimension | None:
    """ "winner_accuracy", "best_in_relevance": one dimension among winner-slot words."""
    if len(words) < 2:
        return None
    found: list[Dimension] = []
    for word in words:
        if word in lex.verdict_keys or word in _SLOT_FILLERS or word in ("best", "winning"):
            continue
        dim = lex.key_names.get(word) or _stem_of(word, lex)
        if dim is None:
            return None
        found.append(dim)
    return found[0] if len(found) == 1 else None


def _qualified_of(words: list[str], lex: Lexicon) -> Dimension | None:
    """ "Medical Accuracy", "Clinical Relevance": a dimension's name after a word or two
    that qualify it (and name no other dimension)."""
    if not 2 <= len(words) <= _MAX_QUALIFIERS + 1 or not all(word.isascii() and word.isalpha() for word in words):
        return None
    dim = lex.key_names.get(words[-1]) or _stem_of(words[-1], lex)
    if dim is None:
        return None
    for word in words[:-1]:
        phrase = lex.phrases.get(word)
        if word in _SLOT_FILLERS or lex.key_names.get(word) or _stem_of(word, lex):
            return None  # "Level of Accuracy", "Accuracy Relevance": not one dimension's slot
        if phrase is not None and phrase.kind in _NEGATIVE_QUALIFIERS:
            return None  # "Less Accuracy", "No Accuracy"
    return dim


def _fuzzy_of(first: str, lex: Lexicon) -> Dimension | None:
    if len(first) < _FUZZY_MIN_LEN:
        return None
    best: dict[Dimension, int] = {}
    for target, dim in lex.key_fuzzy:
        distance = _edit_distance_at_most(first, target, _FUZZY_MAX_DISTANCE)
        if distance is not None and distance < best.get(dim, _FUZZY_MAX_DISTANCE + 1):
            best[dim] = distance
    if not best:
        return None
    closest = min(best.values())
    winners = [dim for dim, distance in best.items() if distance == closest]
    return winners[0] if len(winners) == 1 else None  # equally close to two names: not a guess we make
