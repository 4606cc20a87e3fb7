"""The parser's vocabulary, read from ``aliases.json`` on first use (never at import time).

``aliases.json`` holds every word list the rules read: dimension names and synonyms, the
names of the two answers, tie words, comparison words, table marks — per language, so a
language is added as data (see the file's ``_about``). This module checks the file (a
bad field is an error naming the file and the field) and compiles it once:

* key and value vocabularies as sets and small regular expressions;
* the prose vocabulary as one *trie* regular expression: an alternation that shares its
  prefixes, so matching at a position costs at most the length of the longest phrase
  (never a scan over hundreds of alternatives, never backtracking beyond one phrase),
  and the longest phrase at a position wins ("not only" over "not");
* the names of the answers ("Assistant A", "Response 2", "the second answer", "助手A",
  "第二个回答") as another trie, from the templates of each language.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Final, Literal

from ..constants import DIMENSIONS, Dimension, Winner

__all__ = ["Lexicon", "LexiconError", "Phrase", "lexicon"]

ALIASES_FILE: Final = "aliases.json"

TokenKind = Literal[
    "dim",  # a dimension named as a noun ("accuracy", "相关性")
    "adjective",  # a dimension's adjective, meaningful after "more"/"less" ("more detailed")
    "praise",  # a dimension's praise word ("correctly", "准确")
    "criticism",  # a dimension's criticism word ("incorrectly", "错误")
    "better",  # a generic (or dimension-bound) "better" ("superior", "胜出", "better answer")
    "worse",
    "more",  # comparative modifiers, bound to an adjacent dimension word
    "less",
    "choice",  # the answer named next is the winner ("I prefer", "goes to", "选择")
    "give",  # "give ... to X"
    "to",
    "post_subject",  # "the more accurate one is X": the answer named next is the subject
    "reporting",  # "A says that ...": what follows is the answer's content, not the judge's verdict
    "relative",  # "..., which is more accurate": about the noun before, not necessarily an answer
    "because",  # the verdict's reason follows ("B is better because ...")
    "than",  # the answer named next is the one compared against
    "than_after",  # the answer named just before is the one compared against ("与A相比")
    "tie",
    "negation",
    "neutral",  # phrases that shadow a shorter entry ("not only" is no negation)
    "hypothetical",
    "contrast",  # clause boundary ("but", "whereas", "但是")
    "conjunction",
    "all",
    "all_other",
    "all_except",
    "except",
    "correction",
    "correction_choice",  # a correction naming the winner next ("should go to", "应为")
    "conclusion",
    "eval_positive",  # praise with no dimension ("gets it right")
    "eval_negative",  # criticism with no dimension ("misses", "遗漏")
    "former",
    "latter",
    "first",  # "the first": the first answer, where the judge names answers by ordinal
    "second",
    "both",
    "hedge",  # "probably", "perhaps": a judge still thinking has not decided
    "retraction",  # "I have this backwards": what came before is withdrawn
    "reopen",  # "Let me reconsider accuracy": the verdicts before on the dimensions named are withdrawn
]

_LATIN_WORD_CHAR: Final = re.compile(r"[A-Za-z0-9]")
_BLANKS_RE: Final = re.compile(r"[ \t]+")
_LANGUAGE_LISTS: Final = (
    "answer_nouns", "answer_patterns", "former", "latter", "first", "second", "both", "letter_not_after",
    "letter_not_before",
    "article_a_continuations", "verdict_keys", "reason_keys", "non_verdict_keys", "score_keys",
    "dimension_label_keys", "value_none_starts", "value_tie_words", "value_negation_words", "value_pair_words",
    "value_corrections", "better_than", "worse_than", "legend_links", "choices", "give", "to", "post_subject",
    "corrected_choices", "reporting", "relative", "reason_markers",
    "than", "than_after", "ties", "tie_templates", "negations", "neutral", "hypotheticals", "question_ends",
    "contrasts", "conjunctions", "all", "all_other", "all_except", "except", "corrections", "conclusions", "hedges",
    "retractions", "reopenings", "example_markers",
)  # fmt: skip
_DIMENSION_LISTS: Final = ("key_names", "key_stems", "key_fuzzy", "nouns", "adjectives", "praise", "criticism")
# Prose fields and the token kind their phrases become.
_PROSE_FIELDS: Final[Mapping[str, TokenKind]] = {
    "choices": "choice", "give": "give", "to": "to", "post_subject": "post_subject", "than": "than",
    "than_after": "than_after", "ties": "tie", "negations": "negation", "neutral": "neutral",
    "hypotheticals": "hypothetical", "contrasts": "contrast", "conjunctions": "conjunction", "all": "all",
    "all_other": "all_other", "all_except": "all_except", "except": "except", "corrections": "correction",
    "conclusions": "conclusion", "corrected_choices": "correction_choice", "reporting": "reporting",
    "relative": "relative", "reason_markers": "because", "former": "former", "latter": "latter", "first": "first",
    "second": "second", "both": "both",
    "hedges": "hedge", "retractions": "retraction", "reopenings": "reopen",
}  # fmt: skip


class LexiconError(RuntimeError):
    """``aliases.json`` is missing or malformed; the message names the file and the field."""


@dataclass(frozen=True)
class Phrase:
    """What a prose phrase means."""

    kind: TokenKind
    dim: Dimension | None = None


@dataclass(frozen=True, eq=False)
class Lexicon:
    """Everything compiled from aliases.json (one instance per process). Compared and hashed
    by identity: what other modules derive from it is cached per instance."""

    # Keys (compact forms: lower case, letters and digits only; other scripts kept as they are).
    key_names: Mapping[str, Dimension]
    key_stems: tuple[tuple[str, Dimension], ...]
    key_fuzzy: tuple[tuple[str, Dimension], ...]
    verdict_keys: frozenset[str]
    reason_keys: frozenset[str]
    non_verdict_keys: frozenset[str]
    score_keys: frozenset[str]
    dimension_label_keys: frozenset[str]
    answer_keys: Mapping[str, Winner]  # compact names of an answer used as a key: "assistanta", "回答1", "a"
    # Values.
    answer_noun_words: frozenset[str]  # "assistant", "answer", "回答", ...
    wording: str  # regex alternation of the nouns naming an answer ("assistant", "助手"); no word boundaries
    answer_numbers: Mapping[str, Winner]  # "1", "one", "一" after such a noun
    answer_ordinals: Mapping[str, Winner]  # "first", "2nd": a value that is only an ordinal names that answer
    article_continuations: frozenset[str]
    value_none_start_re: re.Pattern[str]
    value_tie_re: re.Pattern[str]
    value_negation_re: re.Pattern[str]
    value_pair_re: str  # regex alternation of connectors naming two answers at once ("A or B")
    better_than_re: str
    worse_than_re: str
    value_correction_re: re.Pattern[str]
    tie_operators: frozenset[str]
    marks_positive: frozenset[str]
    marks_negative: frozenset[str]
    legend_re: re.Pattern[str]
    # Prose.
    phrase_res: tuple[re.Pattern[str], ...]  # matched against lower-cased text; see scanners()
    phrases: Mapping[str, Phrase]
    answer_res: tuple[re.Pattern[str], ...]
    # "the former", "neither", "equally": a sentence that refers to an answer, or ties the
    # two, without naming them; trie scanners over lower-cased text.
    reference_res: tuple[re.Pattern[str], ...]
    answer_phrases: Mapping[str, tuple[Winner, bool]]  # phrase -> (answer, whether its letter must be upper case)
    letter_not_after: frozenset[str]
    letter_not_before: frozenset[str]
    question_ends: tuple[str, ...]
    # "for example: {...}", "Example output:" on the line above: the object is no verdict.
    example_re: re.Pattern[str]


@functools.lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The compiled vocabulary (read and checked on the first call, then cached)."""
    raw, where = _read_aliases()
    return _compile(raw, where)


def _read_aliases() -> tuple[dict[str, Any], str]:
    package = __name__.rpartition(".")[0]
    try:
        if not package:
            raise FileNotFoundError(ALIASES_FILE)  # loaded as a lone module (flattened into a task folder's file)
        source = resources.files(package).joinpath(ALIASES_FILE)
        where = str(source)
        text = source.read_text(encoding="utf-8")
    except (ModuleNotFoundError, TypeError, ValueError, FileNotFoundError, NotADirectoryError):
        # Copied outside its package (e.g. into a task folder): the file sits beside this one.
        path = Path(__file__).with_name(ALIASES_FILE)
        where = str(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise LexiconError(
                f"{where}: cannot read the parser's vocabulary ({error}); reinstall the package"
            ) from None
    try:
        data = json.loads(text)
    except ValueError as error:
        raise LexiconError(f"{where}: not valid JSON ({error})") from None
    if not isinstance(data, dict):
        raise LexiconError(f"{where}: the top level must be an object")
    return data, where


def _strings(value: object, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise LexiconError(f"{where}: must be a list of non-empty strings")
    return [" ".join(item.split()) for item in value]


def _object(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise LexiconError(f"{where}: must be an object")
    return value


def _is_latin(char: str) -> bool:
    return _LATIN_WORD_CHAR.fullmatch(char) is not None


def normalise_phrase(text: str) -> str:
    """The form phrases are stored and looked up in: lower case, single blanks."""
    return " ".join(text.lower().split())


def phrase_pattern(phrase: str) -> str:
    """A regex for one phrase: blanks match any run of blanks, Latin words match whole."""
    body = _BLANKS_RE.sub(" ", phrase)
    pattern = "[ \\t]+".join(re.escape(part) for part in body.split(" "))
    if _is_latin(body[0]):
        pattern = r"(?<![A-Za-z0-9])" + pattern
    if _is_latin(body[-1]):
        pattern += r"(?![A-Za-z0-9])"
    return pattern


def alternation(phrases: Iterable[str]) -> str:
    """A plain alternation (longest first) of a short list of phrases, for small regexes."""
    unique = sorted({normalise_phrase(p) for p in phrases}, key=lambda p: (-len(p), p))
    return "(?:" + "|".join(phrase_pattern(p) for p in unique) + ")" if unique else "(?!)"


def trie_pattern(phrases: Iterable[str]) -> str:
    """One regex matching any of the phrases, longest first, built as a trie.

    Each trie node is a group whose alternatives are its children (then, if a phrase ends
    there, the end of the phrase), so a match attempt walks one path of the trie: its cost
    is bounded by the longest phrase whatever the number of phrases. Word boundaries at the
    start of Latin phrases are checked by the caller (see :func:`starts_word`); keeping the
    pattern free of a leading look-behind lets the regex engine skip impossible positions.
    """
    root: dict[str, Any] = {}
    for phrase in {normalise_phrase(p) for p in phrases}:
        node = root
        for char in phrase:
            node = node.setdefault(char, {})
        node[""] = _is_latin(phrase[-1])
    if not root:
        return "(?!)"

    def emit(node: dict[str, Any]) -> str:
        alternatives = []
        for char in sorted(key for key in node if key):
            step = "[ \\t]+" if char == " " else re.escape(char)
            alternatives.append(step + emit(node[char]))
        if "" in node:
            alternatives.append(r"(?![A-Za-z0-9])" if node[""] else "")
        if len(alternatives) == 1:
            return alternatives[0]
        return "(?:" + "|".join(alternatives) + ")"

    return emit(root)


def scanners(phrases: Iterable[str]) -> tuple[re.Pattern[str], ...]:
    """Trie regexes for the phrases, to run over lower-cased text: one for phrases that
    start with a Latin letter or digit (at word starts only), one for the others.

    Two tries, not one: the regex engine skips impossible positions quickly only when an
    alternation's first characters are few, so one trie over both scripts is many times
    slower than the two together (measured: ~180 us against ~14 us on 460 characters)."""
    latin = [p for p in phrases if _is_latin(p[0])]
    others = [p for p in phrases if not _is_latin(p[0])]
    found = []
    if latin:
        found.append(re.compile(r"(?<![a-z0-9])(?:" + trie_pattern(latin) + ")"))
    if others:
        found.append(re.compile(trie_pattern(others)))
    return tuple(found)


def compact_key(key: str) -> str:
    """A key's compact form: lower case, without blanks, punctuation or underscores."""
    return "".join(char for char in key.lower() if char.isalnum())


def _compile(raw: dict[str, Any], where: str) -> Lexicon:
    languages = _object(raw.get("languages"), f"{where}: 'languages'")
    if not languages:
        raise LexiconError(f"{where}: 'languages' names no language")
    marks = _object(raw.get("marks"), f"{where}: 'marks'")
    operators = _object(raw.get("comparison_operators"), f"{where}: 'comparison_operators'")
    better_ops = _strings(operators.get("better"), f"{where}: comparison_operators.better")
    worse_ops = _strings(operators.get("worse"), f"{where}: comparison_operators.worse")
    tie_ops = _strings(operators.get("tie"), f"{where}: comparison_operators.tie")

    lists: dict[str, list[str]] = {name: [] for name in _LANGUAGE_LISTS}
    key_names: dict[str, Dimension] = {}
    key_stems: list[tuple[str, Dimension]] = []
    key_fuzzy: list[tuple[str, Dimension]] = []
    phrases: dict[str, Phrase] = {}
    owners: dict[str, str] = {}
    answer_phrases: dict[str, tuple[Winner, bool]] = {}
    answer_numbers: dict[str, Winner] = {}
    answer_ordinals: dict[str, Winner] = {}
    answer_keys: dict[str, Winner] = {"a": "A", "b": "B"}

    def add_phrase(phrase: str, meaning: Phrase, field: str) -> None:
        key = normalise_phrase(phrase)
        if key in phrases and phrases[key] != meaning:
            raise LexiconError(
                f"{where}: {field}: {phrase!r} is also listed in {owners[key]}; a phrase has one meaning"
            )
        phrases[key] = meaning
        owners[key] = field

    for code, block in languages.items():
        lang = _object(block, f"{where}: languages.{code}")
        here = f"{where}: languages.{code}"
        for name in _LANGUAGE_LISTS:
            lists[name].extend(_strings(lang.get(name), f"{here}.{name}"))
        dims = _object(lang.get("dimensions"), f"{here}.dimensions")
        if set(dims) != set(DIMENSIONS):
            raise LexiconError(f"{here}.dimensions: must name exactly the six dimensions {list(DIMENSIONS)}")
        adjectives: list[tuple[str, Dimension]] = []
        for dim in DIMENSIONS:
            entry = _object(dims[dim], f"{here}.dimensions.{dim}")
            got = {field: _strings(entry.get(field), f"{here}.dimensions.{dim}.{field}") for field in _DIMENSION_LISTS}
            for name in got["key_names"]:
                key_names[compact_key(name)] = dim
            key_stems.extend((compact_key(stem), dim) for stem in got["key_stems"])
            key_fuzzy.extend((compact_key(target), dim) for target in got["key_fuzzy"])
            field = f"{code}.dimensions.{dim}"
            for phrase in got["nouns"]:
                add_phrase(phrase, Phrase("dim", dim), f"{field}.nouns")
            for phrase in got["adjectives"]:
                add_phrase(phrase, Phrase("adjective", dim), f"{field}.adjectives")
                adjectives.append((phrase, dim))
            for phrase in got["praise"]:
                add_phrase(phrase, Phrase("praise", dim), f"{field}.praise")
                adjectives.append((phrase, dim))
            for phrase in got["criticism"]:
                add_phrase(phrase, Phrase("criticism", dim), f"{field}.criticism")
        relations = _object(lang.get("relations"), f"{here}.relations")
        for name, kind in (("better", "better"), ("worse", "worse"), ("more", "more"), ("less", "less")):
            for phrase in _strings(relations.get(name), f"{here}.relations.{name}"):
                add_phrase(phrase, Phrase(kind), f"{code}.relations.{name}")
        for name, kind in (("better_with_dimension", "better"), ("worse_with_dimension", "worse")):
            bound = _object(relations.get(name), f"{here}.relations.{name}")
            for dim_name, entries in bound.items():
                if dim_name not in DIMENSIONS:
                    raise LexiconError(f"{here}.relations.{name}: {dim_name!r} is not a dimension")
                for phrase in _strings(entries, f"{here}.relations.{name}.{dim_name}"):
                    add_phrase(phrase, Phrase(kind, dim_name), f"{code}.relations.{name}.{dim_name}")
        evaluations = _object(lang.get("evaluations"), f"{here}.evaluations")
        for name, kind in (("positive", "eval_positive"), ("negative", "eval_negative")):
            for phrase in _strings(evaluations.get(name), f"{here}.evaluations.{name}"):
                add_phrase(phrase, Phrase(kind), f"{code}.evaluations.{name}")
        for field, kind in _PROSE_FIELDS.items():
            for phrase in _strings(lang.get(field), f"{here}.{field}"):
                add_phrase(phrase, Phrase(kind), f"{code}.{field}")
        for field, kind in (("tie_templates", "tie"), ("better_templates", "better")):
            for template in _strings(lang.get(field), f"{here}.{field}"):
                if "{adjective}" not in template:
                    raise LexiconError(f"{here}.{field}: {template!r} has no {{adjective}}")
                for adjective, dim in adjectives:
                    add_phrase(template.replace("{adjective}", adjective), Phrase(kind, dim), f"{code}.{field}")
        _add_answers(lang, here, answer_phrases, answer_numbers, answer_keys, answer_ordinals)

    if not answer_numbers:
        raise LexiconError(f"{where}: no language defines the numbers of the answers ('answers')")
    # Plain (no look-arounds): the patterns using it bound words themselves, and stay fast.
    wording = (
        "(?:" + "|".join(re.escape(noun) for noun in sorted(set(lists["answer_nouns"]), key=len, reverse=True)) + ")"
    )
    legend_links = alternation(lists["legend_links"])
    positive_marks = frozenset(_strings(marks.get("positive"), f"{where}: marks.positive"))
    negative_marks = frozenset(_strings(marks.get("negative"), f"{where}: marks.negative"))
    return Lexicon(
        key_names=key_names,
        key_stems=tuple(key_stems),
        key_fuzzy=tuple(key_fuzzy),
        verdict_keys=frozenset(compact_key(key) for key in lists["verdict_keys"]),
        reason_keys=frozenset(compact_key(key) for key in lists["reason_keys"]),
        non_verdict_keys=frozenset(compact_key(key) for key in lists["non_verdict_keys"]),
        score_keys=frozenset(compact_key(key) for key in lists["score_keys"]),
        dimension_label_keys=frozenset(compact_key(key) for key in lists["dimension_label_keys"]),
        answer_keys=answer_keys,
        answer_noun_words=frozenset(normalise_phrase(noun) for noun in lists["answer_nouns"]),
        wording=wording,
        answer_numbers=answer_numbers,
        answer_ordinals=answer_ordinals,
        article_continuations=frozenset(word.lower() for word in lists["article_a_continuations"]),
        value_none_start_re=re.compile(alternation(lists["value_none_starts"]), re.IGNORECASE),
        value_tie_re=re.compile(alternation(lists["value_tie_words"]), re.IGNORECASE),
        value_negation_re=re.compile(alternation(lists["value_negation_words"]), re.IGNORECASE),
        value_pair_re=alternation([*lists["value_pair_words"], *tie_ops]),
        better_than_re=alternation([*lists["better_than"], *better_ops]),
        worse_than_re=alternation([*lists["worse_than"], *worse_ops]),
        value_correction_re=re.compile(
            alternation(lists["value_corrections"])
            + rf"[ \t,:;.!—–\-，：；。、！]{{0,4}}(?:{wording}[ \t_-]*)?(?P<letter>[AB])"
            r"(?![A-Za-z0-9]|['’]s\b)",  # "no, B's answer ..." names B as a subject, not the correction
            re.IGNORECASE,
        ),
        tie_operators=frozenset(tie_ops),
        marks_positive=positive_marks,
        marks_negative=negative_marks,
        # The digit comes first (then a look-behind checks what precedes it) so that the
        # regex engine only tries positions holding a digit.
        legend_re=re.compile(
            rf"(?P<digit>[0-2])(?<![\w.].)[ \t]*{legend_links}[ \t]*(?:(?i:{wording})[ \t_-]*)?(?P<letter>[AB])"
            r"(?![A-Za-z0-9])"
        ),
        phrase_res=scanners(phrases),
        phrases=phrases,
        answer_res=scanners(answer_phrases),
        reference_res=scanners(
            {
                normalise_phrase(word)
                for field in ("former", "latter", "first", "second", "ties", "retractions", "reopenings")
                for word in lists[field]
            }
        ),
        answer_phrases=answer_phrases,
        letter_not_after=frozenset(normalise_phrase(word) for word in lists["letter_not_after"]),
        letter_not_before=frozenset(normalise_phrase(word) for word in lists["letter_not_before"]),
        question_ends=tuple(lists["question_ends"]),
        example_re=re.compile(alternation(lists["example_markers"]), re.IGNORECASE),
    )


def _add_answers(
    lang: dict[str, Any],
    here: str,
    answer_phrases: dict[str, tuple[Winner, bool]],
    answer_numbers: dict[str, Winner],
    answer_keys: dict[str, Winner],
    answer_ordinals: dict[str, Winner],
) -> None:
    """Expand a language's answer templates ("{noun} {letter}", "the {ordinal} {noun}")."""
    nouns = _strings(lang.get("answer_nouns"), f"{here}.answer_nouns")
    answers = _object(lang.get("answers"), f"{here}.answers")
    if set(answers) != {"A", "B"}:
        raise LexiconError(f"{here}.answers: must describe exactly the answers 'A' and 'B'")
    templates = _strings(lang.get("answer_patterns"), f"{here}.answer_patterns")
    for letter in ("A", "B"):
        winner: Winner = "A" if letter == "A" else "B"
        forms = _object(answers[letter], f"{here}.answers.{letter}")
        slots = {
            slot: _strings(forms.get(slot), f"{here}.answers.{letter}.{slot}")
            for slot in ("letter", "number", "ordinal")
        }
        for number in slots["number"]:
            answer_numbers[normalise_phrase(number)] = winner
        for ordinal in slots["ordinal"]:
            answer_ordinals[normalise_phrase(ordinal)] = winner
        for noun in nouns:
            for value in (*slots["letter"], *slots["number"]):
                answer_keys[compact_key(noun + value)] = winner
                answer_keys[compact_key(value + noun)] = winner
        for template in templates:
            uses_noun = "{noun}" in template
            for slot, values in slots.items():
                if "{" + slot + "}" not in template:
                    continue
                for value in values:
                    for noun in nouns if uses_noun else [""]:
                        phrase = template.replace("{noun}", noun).replace("{" + slot + "}", value)
                        if "{" in phrase:
                            raise LexiconError(f"{here}.answer_patterns: {template!r} uses an unknown placeholder")
                        answer_phrases[normalise_phrase(phrase)] = (winner, slot == "letter")
