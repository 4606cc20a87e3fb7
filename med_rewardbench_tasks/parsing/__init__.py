"""Read a judge's Med-RewardBench verdict out of free-form model output.

A judge is asked for one JSON object naming a winner (A or B) on six dimensions, but
models answer in every shape: fenced or bare JSON, Python dicts, truncated objects,
markdown tables, bold lists, ``key=value`` lines, a single ``[[A]]``. This module reads
every verdict a careful human reader would read from such text and refuses everything
else: a tie, a refusal, an echoed template or prose that merely mentions both letters
gives ``None`` for that dimension, never a guess.

How a verdict is found (see :func:`parse_verdict`):

1. The output is split into what the judge said and what it thought (``<think>``
   blocks). Thinking is consulted only if nothing is found outside it.
2. Every ``{...}`` object (outside JSON string literals) is read, strictly as JSON when
   it is valid and otherwise with a tolerant parser; each object naming dimensions is a
   candidate. Text inside a read object is hidden from the line rules below, so a
   ``reason`` string can never contribute a verdict.
3. The remaining text is read line by line: ``Dimension: X`` lines and bold lists,
   ``key=value`` lists, markdown tables, dimension headings followed by a winner line,
   and lone overall verdicts (``[[A]]``, ``Final verdict: B``, ...).
4. Of all candidates, the last complete one (six winners) wins; failing that, the one with
   the most winners (later wins ties). Candidates are never merged. A lone overall verdict
   counts only when no candidate names a dimension winner.

Decisions on ambiguous cases:

* Text is NFKC-normalised first, so full-width ``Ａ``/``Ｂ`` and full-width keys and
  braces read as their ASCII forms.
* A value counts when it *starts* with a winner ("B, because A misses the fracture");
  a second letter right after it ("A or B", "A/B", "A=B", "A, B"), a tie word in its
  first clause ("A is as good as B") or a negation ("not A") makes it None. "A > B" is A
  and "A < B" is B. A leading "A" followed by an ordinary word is the article ("A small
  nodule ...") and is None.
* A cut-off quoted value (``"overall": "B``) is dropped: it may have been "Both". A bare
  value at the end of the text (``overall: B``) is kept, as a final "Overall: B" line is.
* Generic verdict keys and lines ("Final verdict: A", "Winner: B", ``[[A]]``) fill only
  ``overall``. Next to per-dimension lines they supply that list's missing ``overall``
  (an explicit ``Overall:`` beats them); alone they are a lone verdict.
* "Overall: A" alone is a one-dimension structured verdict (key_value_lines), not a
  lone verdict, so lone_verdict="all_dimensions" does not spread it.
* "X is better." is a lone verdict only as a sentence ending within the last three lines,
  and not when that sentence names another dimension ("In terms of relevance, A is
  better."). A bare letter ("A", "**B**", "[[A]]" on its own) is a verdict only when it is
  all the judge said apart from a labelled reason ("A\n\nReason: ..."); beside free prose
  it is a fragment, never a guess. A lower-case bare "a" counts only as the whole output.
* ``[[C]]`` (MT-Bench's tie) and "Final verdict: tie" are noted as ties.
* Think tags are recognised anywhere, even inside a JSON string (models emit them as raw
  text). A ``</think>`` with no ``<think>`` before it ends a thinking prefix (chat
  templates often open the block inside the prompt).
* A {...} in a "Reason: ..." line, or inside any JSON string, is never a candidate.

Inputs are untrusted: nothing is evaluated, every regular expression is free of nested
unbounded repetition and the work on any input is linear in its length (and bounded for
very long outputs, see ``FULL_SCAN_CHARS``).
"""

from __future__ import annotations

from .methods import (
    METHOD_JSON,
    METHOD_JSON_LENIENT,
    METHOD_JSON_TRUNCATED,
    METHOD_KEY_VALUE_LINES,
    METHOD_KEY_VALUE_LIST,
    METHOD_LONE_VERDICT,
    METHOD_MARKDOWN_TABLE,
    METHOD_NONE,
    METHODS,
    THINK_SUFFIX,
)
from .text import FULL_SCAN_CHARS
from .verdict import REQUEST_FAILED_PREFIX, LoneVerdictPolicy, ParseStatus, Verdict, parse_verdict

__all__ = [
    "FULL_SCAN_CHARS",
    "METHODS",
    "METHOD_JSON",
    "METHOD_JSON_LENIENT",
    "METHOD_JSON_TRUNCATED",
    "METHOD_KEY_VALUE_LINES",
    "METHOD_KEY_VALUE_LIST",
    "METHOD_LONE_VERDICT",
    "METHOD_MARKDOWN_TABLE",
    "METHOD_NONE",
    "REQUEST_FAILED_PREFIX",
    "THINK_SUFFIX",
    "LoneVerdictPolicy",
    "ParseStatus",
    "Verdict",
    "parse_verdict",
]
