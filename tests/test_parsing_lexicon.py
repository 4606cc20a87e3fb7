"""The parser's vocabulary file (med_rewardbench_tasks/parsing/aliases.json): it is checked
when read (a bad field is an error naming the file and the field), and a language is added
as data only — a new block under "languages" makes the parser read it, with no code change."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from importlib import resources
from typing import Any

import pytest

from med_rewardbench_tasks.parsing import lexicon as lexicon_module
from med_rewardbench_tasks.parsing import parse_verdict
from med_rewardbench_tasks.parsing.lexicon import LexiconError, alternation, lexicon, trie_pattern


def shipped() -> dict[str, Any]:
    text = resources.files("med_rewardbench_tasks.parsing").joinpath("aliases.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def compile_error(data: dict[str, Any]) -> str:
    with pytest.raises(LexiconError) as raised:
        lexicon_module._compile(data, "aliases.json")
    return str(raised.value)


def test_the_shipped_vocabulary_compiles_and_names_every_dimension_in_each_language() -> None:
    data = shipped()
    assert set(data["languages"]) == {"en", "zh"}
    compiled = lexicon_module._compile(data, "aliases.json")
    assert compiled.key_names["accuracy"] == "accuracy"
    assert compiled.key_names["准确性"] == "accuracy"
    assert compiled.phrases["更优"].kind == "better"
    assert compiled.answer_phrases["第二个回答"] == ("B", False)
    assert compiled.answer_phrases["response 1"] == ("A", False)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d.pop("languages"), "aliases.json: 'languages': must be an object"),
        (lambda d: d["languages"]["zh"]["dimensions"].pop("creativity"), "languages.zh.dimensions: must name exactly"),
        (lambda d: d["languages"]["en"]["ties"].append(7), "languages.en.ties: must be a list of non-empty strings"),
        (lambda d: d["languages"]["en"]["choices"].append("more"), "'more' is also listed in en.relations.more"),
        (lambda d: d["languages"]["en"]["tie_templates"].append("alike"), "tie_templates: 'alike' has no {adjective}"),
        (lambda d: d["languages"]["en"]["answers"].pop("B"), "languages.en.answers: must describe exactly"),
        (
            lambda d: d["languages"]["en"]["relations"]["better_with_dimension"].update({"speed": ["faster"]}),
            "'speed' is not a dimension",
        ),
        (lambda d: d["marks"].update({"positive": "✓"}), "marks.positive: must be a list"),
    ],
)
def test_a_malformed_vocabulary_is_an_error_naming_the_field(edit: Any, message: str) -> None:
    data = copy.deepcopy(shipped())
    edit(data)
    assert message in compile_error(data)


def test_an_unreadable_vocabulary_names_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lexicon_module, "ALIASES_FILE", "missing-aliases.json")
    with pytest.raises(LexiconError, match=r"missing-aliases\.json"):
        lexicon_module._read_aliases()


def test_trie_and_plain_alternations_match_the_same_phrases() -> None:
    import re

    phrases = ["not", "not only", "no", "none", "on par", "更", "更好", "更优", "a", "and"]
    trie = re.compile(trie_pattern(phrases))
    for text, expected in [
        ("not only this", "not only"),
        ("nothing", None),  # whole words only
        ("none", "none"),
        ("on   par", "on   par"),  # any run of blanks
        ("更好的是", "更好"),  # the longest phrase at a position
        ("and", "and"),
    ]:
        match = trie.match(text)
        assert (match.group() if match else None) == expected, text
    assert re.compile(alternation(phrases)).match("not only").group() == "not only"


FRENCH: dict[str, Any] = {
    "dimensions": {
        "accuracy": {
            "key_names": ["exactitude"], "key_stems": ["exactitu"], "key_fuzzy": [], "nouns": ["exactitude"],
            "adjectives": ["exacte", "précise"], "praise": ["correctement"], "criticism": ["erroné", "erronée"],
        },
        "relevance": {
            "key_names": ["pertinence"], "key_stems": ["pertinen"], "key_fuzzy": [], "nouns": ["pertinence"],
            "adjectives": ["pertinente"], "praise": [], "criticism": ["hors sujet"],
        },
        "comprehensiveness": {
            "key_names": ["exhaustivité"], "key_stems": ["exhausti", "complétude"], "key_fuzzy": [],
            "nouns": ["exhaustivité"], "adjectives": ["complète", "détaillée"], "praise": [], "criticism": [],
        },
        "creativity": {
            "key_names": ["créativité"], "key_stems": ["créativ"], "key_fuzzy": [], "nouns": ["créativité"],
            "adjectives": ["créative", "originale"], "praise": [], "criticism": [],
        },
        "responsiveness": {
            "key_names": ["réactivité"], "key_stems": ["réactiv"], "key_fuzzy": [], "nouns": ["réactivité"],
            "adjectives": ["directe"], "praise": [], "criticism": [],
        },
        "overall": {
            "key_names": ["global"], "key_stems": ["global"], "key_fuzzy": [],
            "nouns": ["dans l'ensemble", "globalement"], "adjectives": [], "praise": [], "criticism": [],
        },
    },
    "answer_nouns": ["réponse"],
    "answers": {
        "A": {"letter": ["A"], "number": ["1"], "ordinal": ["première"]},
        "B": {"letter": ["B"], "number": ["2"], "ordinal": ["deuxième", "seconde"]},
    },
    "answer_patterns": ["{noun} {letter}", "la {ordinal} {noun}"],
    "former": [], "latter": [], "first": [], "second": [], "both": ["les deux"],
    "letter_not_after": [], "letter_not_before": [], "article_a_continuations": [],
    "verdict_keys": ["gagnant", "verdict final"], "reason_keys": ["raison", "justification"],
    "non_verdict_keys": ["note"], "score_keys": ["note"], "dimension_label_keys": ["critère"],
    "value_none_starts": ["égalité", "aucune"], "value_tie_words": ["égalité"], "value_negation_words": ["pas"],
    "value_pair_words": ["et", "ou"], "value_corrections": [], "better_than": ["meilleure que"],
    "worse_than": ["moins bonne que"], "legend_links": [],
    "relations": {
        "better": ["meilleure", "l'emporte"], "worse": ["moins bonne"], "more": ["plus"], "less": ["moins"],
        "better_with_dimension": {}, "worse_with_dimension": {},
    },
    "choices": ["je préfère"], "give": [], "to": [], "post_subject": [], "reporting": ["affirme que"],
    "relative": [], "reason_markers": ["parce que"], "than": ["que"], "than_after": [], "ties": ["équivalentes"],
    "tie_templates": ["aussi {adjective} que"], "better_templates": [],
    "negations": ["ne", "pas"], "neutral": [], "hypotheticals": ["si"], "question_ends": [],
    "contrasts": ["mais"], "conjunctions": ["et"], "all": [], "all_other": [], "all_except": [], "except": [],
    "corrections": [], "corrected_choices": [], "conclusions": ["en conclusion"], "hedges": ["peut-être"],
    "retractions": [],
    "reopenings": [],
    "example_markers": [],
    "evaluations": {"positive": [], "negative": []},
}  # fmt: skip


@pytest.fixture
def with_french(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    data = copy.deepcopy(shipped())
    data["languages"]["fr"] = FRENCH
    monkeypatch.setattr(lexicon_module, "_read_aliases", lambda: (data, "aliases.json (with fr)"))
    lexicon.cache_clear()
    yield
    monkeypatch.undo()
    lexicon.cache_clear()


@pytest.mark.usefixtures("with_french")
def test_a_language_added_as_data_is_read_without_code() -> None:
    keys = parse_verdict(
        '{"exactitude": "réponse B", "pertinence": "A", "exhaustivité": "B", "créativité": "égalité", '
        '"réactivité": "A", "global": "réponse B"}'
    )
    assert dict(keys.choices) == {
        "accuracy": "B", "relevance": "A", "comprehensiveness": "B", "creativity": None, "responsiveness": "A",
        "overall": "B",
    }  # fmt: skip
    prose = parse_verdict(
        "La réponse B est plus exacte et plus complète. La première réponse est plus créative. "
        "Dans l'ensemble, je préfère la deuxième réponse."
    )
    assert dict(prose.choices) == {
        "accuracy": "B", "relevance": None, "comprehensiveness": "B", "creativity": "A", "responsiveness": None,
        "overall": "B",
    }  # fmt: skip
    assert prose.method == "prose"
    hypothetical = parse_verdict("Si la réponse A mentionnait la fracture, elle serait plus exacte.")
    assert hypothetical.status == "unparseable"


def test_without_the_language_the_same_french_output_is_not_read() -> None:
    verdict = parse_verdict("La réponse B est plus exacte et plus complète.")
    assert verdict.status == "unparseable"
