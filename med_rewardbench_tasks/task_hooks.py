"""What the Med-RewardBench task YAMLs call: prompt, scoring and aggregation hooks for lmms-eval.

The package's task folder and the upstream lmms-eval task folder both alias these functions
in a thin ``utils.py`` (with ``med_rewardbench_`` names); this module itself imports
neither lmms-eval nor torch. Docs are rows of the Hub dataset (see :mod:`.records`).

Both of lmms-eval's model paths get the same judge input: chat models receive
``doc_to_messages`` (the image, then the prompt text), simple models ``doc_to_visual`` and
``doc_to_text``. Scoring is split the way lmms-eval splits answer extraction from metrics:
the verdict filter (:mod:`.verdict_filter`) parses each output once into a verdict record
(:func:`verdict_records`), ``process_results`` scores that record.

Swap tasks show every case twice, as two docs (:func:`with_both_orders`). lmms-eval shards
docs across ranks and calls ``process_results`` one doc at a time, so nothing here keeps
state across docs: a metric that needs both orders of a case gets the doc's judgment
record as its per-doc value, and its aggregation (on rank 0, after lmms-eval gathered every
rank's values) pairs them. Which swap metrics those are is in :mod:`.metric_names`.

Per-model prompt needs go through lmms-eval's ``lmms_eval_specific_kwargs``:
``pre_prompt`` / ``post_prompt`` wrap the judge prompt, ``think_step_by_step`` adds the
paper's optional thinking clause.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from .constants import DIMENSIONS, ORGANS, WINNERS
from .images import judge_image
from .metrics import paired_value, presentation_values, swap_values
from .parsing import LoneVerdictPolicy, parse_verdict
from .prompts import build_judge_prompt
from .records import (
    ORGAN_COLUMN,
    SWAPPED_COLUMN,
    Judgment,
    decode_verdict,
    doc_target,
    encode_verdict,
    presentation_of,
    question_id,
    shown_answers,
    writable_text,
)

if TYPE_CHECKING:
    import datasets
    from PIL.Image import Image

_TRUE_WORDS: Final = frozenset({"1", "true", "yes", "on"})
TEXT_COLUMNS: Final = ("question", "answer1_text", "answer2_text")
REQUIRED_COLUMNS: Final = ("question_id", ORGAN_COLUMN, *TEXT_COLUMNS, "image", "human_answer")


def flag(value: Any) -> bool:
    # YAML gives booleans, but values arriving through strings ("True") must not flip to truthy-by-accident.
    return value.lower() in _TRUE_WORDS if isinstance(value, str) else bool(value)


# ---------------------------------------------------------------------------------------
# The judge's input
# ---------------------------------------------------------------------------------------
def doc_to_visual(doc: Mapping[str, Any], lmms_eval_specific_kwargs: Mapping[str, Any] | None = None) -> list[Image]:
    # A PIL image (datasets decoded a Hub dataset) or encoded bytes (the package's loader), as 8-bit RGB.
    return [judge_image(doc["image"])]


def doc_to_text(doc: Mapping[str, Any], lmms_eval_specific_kwargs: Mapping[str, Any] | None = None) -> str:
    options = lmms_eval_specific_kwargs or {}
    answer_a, answer_b = shown_answers(doc)
    prompt = build_judge_prompt(
        doc["question"],
        answer_a,
        answer_b,
        think_step_by_step=flag(options.get("think_step_by_step", False)),
    )
    return f"{options.get('pre_prompt') or ''}{prompt}{options.get('post_prompt') or ''}"


def doc_to_messages(
    doc: Mapping[str, Any], lmms_eval_specific_kwargs: Mapping[str, Any] | None = None
) -> list[dict[str, Any]]:
    content: list[dict[str, Any]] = [{"type": "image", "url": image} for image in doc_to_visual(doc)]
    content.append({"type": "text", "text": doc_to_text(doc, lmms_eval_specific_kwargs)})
    return [{"role": "user", "content": content}]


def doc_to_target(doc: Mapping[str, Any]) -> str:
    """The presentation record: the case's identity and its expert winners in the letters shown.

    lmms-eval's samples log keeps ``target`` but drops the doc, so this is what ties a
    logged output back to its case (``med-rewardbench rescore`` and ``report`` rely on it).
    """
    return doc_target(doc)


# ---------------------------------------------------------------------------------------
# Verdicts and scores
# ---------------------------------------------------------------------------------------
def verdict_records(resps: list[list[Any]], policy: LoneVerdictPolicy) -> list[list[str]]:
    """The verdict filter's work: each raw output parsed once, as a verdict record.

    The raw outputs are lmms-eval's own lists, which it later writes to the samples log as
    ``resps``: a text UTF-8 cannot carry (a lone surrogate) is escaped in place there, after
    parsing, so one odd character cannot stop that writer (see records.writable_text).
    """
    filtered = []
    for outputs in resps:
        filtered.append([encode_verdict(parse_verdict(output, lone_verdict=policy), policy) for output in outputs])
        if isinstance(outputs, list):
            outputs[:] = [writable_text(output) if isinstance(output, str) else output for output in outputs]
    return filtered


def judgment(doc: Mapping[str, Any], results: Sequence[str]) -> Judgment:
    return Judgment.from_verdict(presentation_of(doc), decode_verdict(results[0] if results else ""))


def process_results(doc: Mapping[str, Any], results: Sequence[str]) -> dict[str, float]:
    """A plain task's per-doc values: the six accuracies, their mean and whether the verdict was unreadable."""
    return presentation_values(judgment(doc, results))


def process_results_swap(doc: Mapping[str, Any], results: Sequence[str]) -> dict[str, object]:
    """A swap task's per-doc values (metrics.swap_values)."""
    return swap_values(judgment(doc, results))


def aggregate_mean_strict_acc(items: Sequence[Sequence[object]]) -> float:
    return paired_value("mean_strict_acc", items)


def aggregate_mean_consistency(items: Sequence[Sequence[object]]) -> float:
    return paired_value("mean_consistency", items)


def aggregate_mean_first_position_bias(items: Sequence[Sequence[object]]) -> float:
    return paired_value("mean_first_position_bias", items)


def aggregate_mean_second_position_bias(items: Sequence[Sequence[object]]) -> float:
    return paired_value("mean_second_position_bias", items)


# ---------------------------------------------------------------------------------------
# Docs
# ---------------------------------------------------------------------------------------
def checked_docs(docs: datasets.Dataset) -> datasets.Dataset:
    """The docs, after checking every row can be scored honestly; a bad row raises naming it.

    Reads every column but the image (decoding images is left to the judge's turn).
    """
    where = f"dataset config {docs.info.config_name!r}"
    missing = [column for column in REQUIRED_COLUMNS if column not in docs.column_names]
    if missing:
        raise ValueError(f"{where}: missing column(s) {', '.join(missing)}")
    seen: dict[tuple[str, str], int] = {}
    rows = docs.select_columns(["question_id", ORGAN_COLUMN, *TEXT_COLUMNS, "human_answer"])
    for index, row in enumerate(rows):
        qid = question_id(row["question_id"])
        at = f"{where} row {index} (question_id {qid})"
        if not qid:
            raise ValueError(f"{where} row {index}: question_id is empty")
        if row[ORGAN_COLUMN] not in ORGANS:
            raise ValueError(f"{at}: {ORGAN_COLUMN} {row[ORGAN_COLUMN]!r} is not one of {', '.join(ORGANS)}")
        key = (row[ORGAN_COLUMN], qid)
        if key in seen:
            raise ValueError(f"{at}: duplicate question_id (first at row {seen[key]})")
        seen[key] = index
        for column in TEXT_COLUMNS:
            if not isinstance(row[column], str) or not row[column].strip():
                raise ValueError(f"{at}: {column} must be a non-empty string, got {row[column]!r}")
        labels = row["human_answer"] or {}
        bad = [d for d in DIMENSIONS if labels.get(d) not in WINNERS]
        if bad:
            raise ValueError(f"{at}: human_answer must be 'A' or 'B' on {', '.join(bad)}, got {labels!r}")
    return docs


def with_both_orders(docs: datasets.Dataset) -> datasets.Dataset:
    """Every doc twice, original order then answers exchanged (``swapped``), without copying any image."""
    import datasets

    if SWAPPED_COLUMN in docs.column_names:
        docs = docs.remove_columns(SWAPPED_COLUMN)
    orders = [docs.add_column(SWAPPED_COLUMN, [swapped] * len(docs)) for swapped in (False, True)]
    # Interleaving adds an index over the two tables, so both orders share one copy of the images.
    return datasets.interleave_datasets(orders)


def checked_docs_both_orders(docs: datasets.Dataset) -> datasets.Dataset:
    return with_both_orders(checked_docs(docs))
