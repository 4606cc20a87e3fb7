"""The functions lmms-eval task YAMLs call (``!function utils.<name>`` re-exports them).

Both of lmms-eval's model paths get the same judge input: chat models receive
``doc_to_messages`` (the image, then the prompt text), simple models receive
``doc_to_visual`` and ``doc_to_text`` — built here from the same two helpers.

Scoring is split the way lmms-eval splits answer extraction from metrics: the
:class:`VerdictFilter` parses each output once, ``process_results`` scores the result.

Per-model prompt needs go through lmms-eval's ``lmms_eval_specific_kwargs``:
``pre_prompt`` / ``post_prompt`` wrap the judge prompt, ``think_step_by_step`` adds the
paper's optional thinking clause.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final, get_args

from med_rewardbench_tasks.constants import (
    DIMENSIONS,
    HEADLINE_METRICS,
    ORGANS,
    PARSE_FAILURE_METRIC,
    Dimension,
    Winner,
)
from med_rewardbench_tasks.metrics import (
    INTERVAL_METRICS,
    SWAP_METRICS,
    Judgment,
    MetricTable,
    Presentation,
    decode_judgment,
    encode_judgment,
    interval_names,
    metric_table,
    presentation_record,
    presentation_values,
    swap_winner,
)
from med_rewardbench_tasks.parsing import LoneVerdictPolicy, Verdict, parse_verdict
from med_rewardbench_tasks.prompts import build_judge_prompt

if TYPE_CHECKING:
    import datasets
    from PIL.Image import Image

    from med_rewardbench_tasks.data import Case, DataSource

SAMPLE_SUBSET: Final = "sample"
# Marks a filtered output as a verdict record, so it is never mistaken for a judge's own JSON.
VERDICT_RECORD_KEY: Final = "med_rewardbench_verdict"
LONE_VERDICT_POLICIES: Final[tuple[LoneVerdictPolicy, ...]] = get_args(LoneVerdictPolicy)

_TRUE_WORDS: Final = frozenset({"1", "true", "yes", "on"})


def _flag(value: Any) -> bool:
    # YAML gives booleans, but values arriving through strings ("True") must not flip to truthy-by-accident.
    return value.lower() in _TRUE_WORDS if isinstance(value, str) else bool(value)


_failed_subsets: dict[tuple[str, object], Exception] = {}


def subset_cases(subset: str) -> tuple[Case, ...]:
    """Validated cases of one task subset: an organ system of the benchmark, or the shipped sample."""
    from med_rewardbench_tasks import data

    source = data.sample_source() if subset == SAMPLE_SUBSET else data.resolve_source()
    # lmms-eval retries a failed dataset load five times; the data do not change within a
    # run, so the first error is repeated instead of re-reading (and re-downloading) it.
    failure = _failed_subsets.get((subset, source))
    if failure is not None:
        raise failure
    try:
        return _load_subset_cases(subset, source)
    except (data.DataValidationError, data.DataUnavailableError, ValueError) as error:
        _failed_subsets[(subset, source)] = error
        raise


@functools.lru_cache(maxsize=32)
def _load_subset_cases(subset: str, source: DataSource) -> tuple[Case, ...]:
    from med_rewardbench_tasks import data

    if subset == SAMPLE_SUBSET:
        assert isinstance(source, data.LocalDirectory)
        return tuple(data.load_cases(data.available_organs(source), source))
    if subset in ORGANS:
        return tuple(data.load_organ(subset, source))
    raise ValueError(f"dataset_name {subset!r} is neither an organ system ({', '.join(ORGANS)}) nor {SAMPLE_SUBSET!r}")


def process_docs(docs: datasets.Dataset) -> datasets.Dataset:
    """Replace the placeholder rows lmms-eval loaded with the validated cases of the task's subset.

    lmms-eval always calls ``datasets.load_dataset`` itself, which can neither join the
    label files with the cases nor say how to work offline. The templates therefore point
    it at a one-line local file and name the subset in ``dataset_name``; the real loading
    (Hub or ``$MED_REWARDBENCH_DATA_DIR``, label join, validation) happens here.
    """
    from med_rewardbench_tasks.data import cases_to_dataset

    return cases_to_dataset(subset_cases(docs.info.config_name))


def process_docs_both_orders(docs: datasets.Dataset) -> datasets.Dataset:
    """As :func:`process_docs`, with every case presented twice: original order, then swapped."""
    from med_rewardbench_tasks.data import cases_to_dataset

    return cases_to_dataset(subset_cases(docs.info.config_name), both_orders=True)


def shown_answers(doc: Mapping[str, Any]) -> tuple[str, str]:
    """The answers in the order the judge sees them (A, B)."""
    if doc.get("swapped"):
        return doc["answer2_text"], doc["answer1_text"]
    return doc["answer1_text"], doc["answer2_text"]


def shown_labels(doc: Mapping[str, Any]) -> dict[Dimension, Winner]:
    """Expert winners expressed as the letters the judge saw."""
    labels: dict[Dimension, Winner] = {dimension: doc["human_answer"][dimension] for dimension in DIMENSIONS}
    if doc.get("swapped"):
        return {dimension: swap_winner(winner) for dimension, winner in labels.items()}  # type: ignore[misc]
    return labels


def doc_to_visual(doc: Mapping[str, Any], lmms_eval_specific_kwargs: Mapping[str, Any] | None = None) -> list[Image]:
    from med_rewardbench_tasks.data_images import judge_image

    return [judge_image(doc["image"])]


def doc_to_text(doc: Mapping[str, Any], lmms_eval_specific_kwargs: Mapping[str, Any] | None = None) -> str:
    options = lmms_eval_specific_kwargs or {}
    answer_a, answer_b = shown_answers(doc)
    prompt = build_judge_prompt(
        doc["question"],
        answer_a,
        answer_b,
        think_step_by_step=_flag(options.get("think_step_by_step", False)),
    )
    return f"{options.get('pre_prompt') or ''}{prompt}{options.get('post_prompt') or ''}"


def doc_to_messages(
    doc: Mapping[str, Any], lmms_eval_specific_kwargs: Mapping[str, Any] | None = None
) -> list[dict[str, Any]]:
    content: list[dict[str, Any]] = [{"type": "image", "url": image} for image in doc_to_visual(doc)]
    content.append({"type": "text", "text": doc_to_text(doc, lmms_eval_specific_kwargs)})
    return [{"role": "user", "content": content}]


def presentation(doc: Mapping[str, Any]) -> Presentation:
    """The case as this doc shows it to the judge."""
    answer_a, answer_b = (len(answer.strip()) for answer in shown_answers(doc))
    return Presentation(
        question_id=doc["question_id"],
        organ=doc["organ"],
        order="swapped" if doc.get("swapped") else "original",
        expert=shown_labels(doc),
        longer=None if answer_a == answer_b else ("A" if answer_a > answer_b else "B"),
        department=doc.get("department"),
    )


def doc_to_target(doc: Mapping[str, Any]) -> str:
    """The expert verdict in the letters the judge saw, with the case's identity.

    lmms-eval's samples log keeps ``target`` but drops the doc, so this is what ties a
    logged output back to its case (``med-rewardbench rescore`` and ``report`` rely on it).
    """
    record = presentation_record(presentation(doc))
    if doc.get("source"):  # the data version read (med_rewardbench_tasks.data.provenance expands it)
        record["source"] = doc["source"]
    return json.dumps(record)


class VerdictFilter:
    """lmms-eval filter: each raw judge output becomes its parsed verdict, as a JSON string.

    The samples log then shows the raw output (``resps``) beside what the parser read from
    it (``filtered_resps``: choices, status, method, the judge's reason, the parser's note),
    and ``process_results`` scores that record. ``lone_verdict`` is the policy for an
    output that only names an overall winner (see ``med_rewardbench_tasks.parsing``).
    It follows lmms-eval's filter protocol (``apply(resps, docs)``) without importing
    lmms-eval, so this module stays importable on its own.
    """

    def __init__(self, lone_verdict: str = "overall_only") -> None:
        if lone_verdict not in LONE_VERDICT_POLICIES:
            raise ValueError(f"lone_verdict must be one of {', '.join(LONE_VERDICT_POLICIES)}, not {lone_verdict!r}")
        self.lone_verdict: LoneVerdictPolicy = lone_verdict  # type: ignore[assignment]

    def apply(self, resps: list[list[Any]], docs: Any) -> list[list[str]]:
        return [
            [
                encode_verdict(parse_verdict(output, lone_verdict=self.lone_verdict), self.lone_verdict)
                for output in outputs
            ]
            for outputs in resps
        ]


def encode_verdict(verdict: Verdict, policy: LoneVerdictPolicy) -> str:
    return json.dumps({VERDICT_RECORD_KEY: True, **verdict.to_dict(), "lone_verdict_policy": policy})


def verdict_record(filtered_output: str) -> dict[str, Any] | None:
    """The record a :class:`VerdictFilter` wrote, or None when the output is raw judge text."""
    try:
        record = json.loads(filtered_output)
    except (TypeError, ValueError):
        return None
    return record if isinstance(record, dict) and record.get(VERDICT_RECORD_KEY) is True else None


def decode_verdict(filtered_output: str) -> Verdict:
    """The verdict a :class:`VerdictFilter` recorded; raw text (a YAML without the filter) is parsed here."""
    record = verdict_record(filtered_output)
    if record is None:
        return parse_verdict(filtered_output)
    return Verdict(
        choices=record["choices"],
        status=record["status"],
        method=record["method"],
        reason=record["reason"],
        note=record["note"],
    )


def judgment(doc: Mapping[str, Any], results: list[str]) -> Judgment:
    return Judgment.from_verdict(presentation(doc), decode_verdict(results[0] if results else ""))


def _aggregation_inputs(names: tuple[str, ...], judged: Judgment) -> dict[str, list[object]]:
    # lmms-eval hands each metric's aggregation only that metric's per-doc values, so every
    # value carries the metric's name and the whole (compact) judgment.
    code = list(encode_judgment(judged))
    return {name: [name, *code] for name in names}


def process_results(doc: Mapping[str, Any], results: list[str]) -> dict[str, Any]:
    """Per-doc values: the headline metrics (lmms-eval averages them) and the inputs of their intervals."""
    judged = judgment(doc, results)
    return {**presentation_values(judged), **_aggregation_inputs(INTERVAL_METRICS, judged)}


def process_results_both_orders(doc: Mapping[str, Any], results: list[str]) -> dict[str, Any]:
    """Per-doc values of the swap tasks: all but the parse-failure rate need both orders of a case."""
    judged = judgment(doc, results)
    return {
        PARSE_FAILURE_METRIC: presentation_values(judged)[PARSE_FAILURE_METRIC],
        **_aggregation_inputs(BOTH_ORDERS_AGGREGATED, judged),
    }


_INTERVAL_BOUNDS: Final = {
    bound_name: (metric, position)
    for metric in HEADLINE_METRICS
    for position, bound_name in enumerate(interval_names(metric))
}
BOTH_ORDERS_AGGREGATED: Final = (
    *(name for name in HEADLINE_METRICS if name != PARSE_FAILURE_METRIC),
    *SWAP_METRICS,
    *INTERVAL_METRICS,
)


@functools.lru_cache(maxsize=8)
def _task_table(codes: tuple[tuple[object, ...], ...]) -> MetricTable:
    # Each metric of a task is aggregated separately; build the table (and its bootstrap) once.
    return metric_table([decode_judgment(code) for code in codes], intervals_for=HEADLINE_METRICS)


def aggregate_judgments(items: list[list[object]]) -> float:
    """lmms-eval aggregation for every metric computed from whole judgments (see metrics.py)."""
    metric = str(items[0][0])
    table = _task_table(tuple(tuple(item[1:]) for item in items))
    if metric in _INTERVAL_BOUNDS:
        base, position = _INTERVAL_BOUNDS[metric]
        return table.intervals[base][position] if base in table.intervals else math.nan
    return table.value(metric)
