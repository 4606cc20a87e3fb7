"""Read a judge's Med-RewardBench verdict out of free-form model output.

A judge is asked for one JSON object naming a winner (A or B) on six dimensions, but
models answer in every shape: fenced or bare JSON, Python dicts, truncated objects,
markdown tables, bold lists, ``key=value`` lines, scores, sentences, Chinese, a single
``[[A]]``. This package reads every verdict a careful human reader would read from such
text and refuses everything else: a tie, a refusal, an echoed template, a hypothetical,
an unresolved contradiction or prose that merely mentions both letters gives ``None`` for
that dimension, never a guess (a wrong letter is worse than None).

How a verdict is found (:func:`parse_verdict`), and where each stage lives:

1. ``text``: the output is NFKC-normalised and, when long, cut to a head and a tail
   window; it is split into what the judge said and what it thought (``<think>``
   blocks). Thinking is consulted only if nothing is found outside it.
2. ``json_scan`` / ``objects``: every ``{...}`` object (outside JSON string literals) is
   read, strictly as JSON when it is valid and otherwise with a tolerant parser; each
   object naming dimensions is a candidate — also score pairs (``{"A": 7, "B": 9}``), one
   score object per answer, lists of per-dimension objects. Text inside a read object is
   hidden from the line rules below.
3. ``lines`` / ``tables`` / ``lone`` / ``scores``: the remaining text is read line by line:
   ``Dimension: X`` lines and bold lists, ``key=value`` lists, markdown tables (winner
   columns, per-answer score or mark columns), dimension headings followed by a winner line
   or a paragraph, score blocks, and lone overall verdicts (``[[A]]``, ``\boxed{B}``,
   ``Final verdict: B``, a bare letter).
4. ``prose`` (with ``prose_words``, ``prose_clauses``, ``prose_links``): when no complete
   stated verdict was found, sentences are read per dimension ("Assistant A is less precise
   than B", "For creativity I lean towards A", "B wins everything but creativity",
   "在全面性上B胜出"), as are an inline "Overall: B." and a contrast over two adjacent
   sentences ("A gives the correct answer. B gives the wrong one.").
5. ``candidates`` / ``assemble``: the last complete candidate whose winners are stated as
   values wins; then the last complete one read from sentences; else the one with the most
   winners (stated before read, later first). A lone overall verdict counts only when no
   candidate names a dimension winner. Candidates are never merged, except that winners
   stated in the same text join the prose reading. Then what the judge wrote after its
   verdict, or in its reason, is applied: an explicit correction wins; a statement naming
   the other answer as better, or calling the dimension a tie, leaves it None, with a note.
6. ``keys`` / ``values``: which dimension a key names ("accuracy", "Overall Winner",
   "准确性（A/B）", misspellings) and which winner a value names ("B", "Assistant A -
   because ...", "回答B", "A > B", "A 6/10 vs B 8/10", "2" under a legend "1 = A, 2 = B").
7. ``lexicon``: every word list above is data, ``aliases.json`` (English and Chinese),
   read on first use and compiled into trie regular expressions. A language is added there,
   as data. ``methods`` holds the closed set of rule names (``Verdict.method``).

Decisions on ambiguous cases:

* A value counts when it *starts* with a winner ("B, because A misses the fracture");
  a second letter right after it ("A or B", "A/B", "A, B"), a tie ("A = B", "A ≈ B", "A is
  as good as B") or a negation ("not A") makes it None. "A > B", "B ≻ A" name the winner.
  A leading "A" followed by an ordinary word is the article ("A small nodule ...").
* A value that is a sentence is read as one, for its dimension ("Accuracy: Assistant A
  describes the mass, but Assistant B correctly identifies it as solid" is B); a sentence
  that says nothing either way falls back to the answer it starts with, unless it
  criticises that answer or names the other one. A winner line right after it ("- Winner:
  B") decides instead.
* In sentences: a comparison binds to the dimension words it modifies or the clause names
  ("Regarding accuracy, ..."); praise alone counts under such a frame or against criticism
  of the other answer in the same sentence; never a clause with a negation before its
  comparison, a hypothetical ("if", "would have", "如果"), a question, quoted text, what an
  answer is reported to say ("A says that ..."), a subject that is both answers, or "the
  former/the latter" without two answers named just before. Statements that disagree on a
  dimension give None unless the later one is marked as a correction or a conclusion.
* "B wins everything but creativity" gives B on five dimensions and leaves creativity None
  (the sentence does not say who wins it).
* Scores: the higher wins, equal scores are a tie (None, noted). An explicit winner beside
  scores beats them. Two total scores ("Assistant A: 6/10", "Assistant B: 8/10") are an
  overall verdict. Numbers are winners only under a legend naming both answers, or where
  the judge itself numbers them ("Assistant 2"); lists of two numbers are (A, B) scores
  only where the text says so ("scores are [A, B]").
* A value that is an ordinal names that answer ("second", "first answer"); one that opens
  a sentence with it ("First, the image ...") does not.
* Inside ``<think>`` a hedged sentence ("A is probably more accurate, but ...") is the judge
  deliberating, not deciding; outside it, it is read.
* "The former" / "the latter" refer to the last two answers named; after "the two answers"
  (or "both"), or used as names ("the former answer"), with no answer named before, to A
  and B in that order. "The first" / "the second" alone name A / B only where the judge
  also names them by ordinal ("the second answer"); elsewhere they are not answers.
* A retraction ("Hmm, I have this backwards.") withdraws the sentence verdicts before it;
  only what the judge states after it counts.
* A cut-off quoted value (``"overall": "B``) is dropped: it may have been "Both". A bare
  value at the end of the text (``overall: B``) is kept, as a final "Overall: B" line is.
* Generic verdict keys and lines ("Final verdict: A", "Winner: B", ``[[A]]``) fill only
  ``overall``. Next to per-dimension lines or beside a nested verdict they supply its
  missing ``overall`` (an explicit one beats them); alone they are a lone verdict.
* "Overall: A" alone is a one-dimension structured verdict (key_value_lines), not a
  lone verdict, so lone_verdict="all_dimensions" does not spread it; "Overall, A is
  better." alone (a sentence) is a lone verdict, as "A is better." is.
* A bare letter is a verdict when it is all the judge said apart from a labelled reason,
  or when it opens the output and a paragraph explains it ("B\n\nAssistant B identifies
  ..."; that paragraph is its reason, not a verdict per dimension). A letter line
  elsewhere beside free prose is a fragment, never a guess.
* ``[[C]]`` (MT-Bench's tie) and "Final verdict: tie" are noted as ties.
* Think tags are recognised anywhere, even inside a JSON string (models emit them as raw
  text). A ``</think>`` with no ``<think>`` before it ends a thinking prefix (chat
  templates often open the block inside the prompt).
* A {...} in a "Reason: ..." line, or inside any JSON string, is never a candidate.
* A {...} shown as an example of the format ("for example: {...}", "something like {...}",
  a line "Example output:" above it) is no candidate either.
* "Let me reconsider accuracy." / "not sure anymore" reopen the dimensions named: earlier
  verdicts on them no longer count, and a verdict restated after (or after "Wait, no.")
  is a correction. Left unsettled, the dimension is None.
* "I prefer B because it is more accurate" also gives B accuracy (the reason names no other
  answer); a comma or colon after "B is better" starts its reason.
* An output that lists multiple-choice options A-D and never names an answer ("Answer: B.
  Effusion") answers the medical question: its lone letter is no verdict.
* Scores listed under a header naming the dimensions ("Scores (accuracy, relevance, ...):",
  then "Assistant A: 5, 6, 5, ...") follow the header's order; "Overall score: A = 6, B = 8"
  compares the answers on that dimension.

Inputs are untrusted: nothing is evaluated, every regular expression is free of nested
unbounded repetition and matches at a position in time bounded by the longest phrase,
and the work on any input is linear in its length and bounded for long outputs (see
``FULL_SCAN_CHARS``, and the per-stage limits on objects, lines, sentences and tokens).
"""

from __future__ import annotations

from .lexicon import LexiconError
from .methods import (
    METHOD_JSON,
    METHOD_JSON_LENIENT,
    METHOD_JSON_TRUNCATED,
    METHOD_KEY_VALUE_LINES,
    METHOD_KEY_VALUE_LIST,
    METHOD_LONE_VERDICT,
    METHOD_MARKDOWN_TABLE,
    METHOD_MARKS,
    METHOD_NONE,
    METHOD_PROSE,
    METHOD_SCORES,
    METHODS,
    THINK_SUFFIX,
    VerdictMethod,
)
from .text import FULL_SCAN_CHARS
from .verdict import (
    DEFAULT_LONE_VERDICT,
    LONE_VERDICT_POLICIES,
    REQUEST_FAILED_PREFIX,
    LoneVerdictPolicy,
    ParseStatus,
    Verdict,
    parse_verdict,
    unreadable_verdict,
    verdict_status,
)

__all__ = [
    "DEFAULT_LONE_VERDICT",
    "FULL_SCAN_CHARS",
    "LONE_VERDICT_POLICIES",
    "METHODS",
    "METHOD_JSON",
    "METHOD_JSON_LENIENT",
    "METHOD_JSON_TRUNCATED",
    "METHOD_KEY_VALUE_LINES",
    "METHOD_KEY_VALUE_LIST",
    "METHOD_LONE_VERDICT",
    "METHOD_MARKDOWN_TABLE",
    "METHOD_MARKS",
    "METHOD_NONE",
    "METHOD_PROSE",
    "METHOD_SCORES",
    "REQUEST_FAILED_PREFIX",
    "THINK_SUFFIX",
    "LexiconError",
    "LoneVerdictPolicy",
    "ParseStatus",
    "Verdict",
    "VerdictMethod",
    "parse_verdict",
    "unreadable_verdict",
    "verdict_status",
]
