"""Med-RewardBench for VLMEvalKit: a dataset class for its image-dataset protocol, its registration, a launcher.

VLMEvalKit (``vlmeval``) is never imported at module level: the logic lives in
:class:`MedRewardBenchDataset`, a plain class, and :func:`register` builds the real dataset
class by mixing it with VLMEvalKit's ``ImageBaseDataset`` and adds it to VLMEvalKit's
dataset registry, so that ``run.py --data MedRewardBench`` finds it. VLMEvalKit has no
plugin mechanism, so registration must happen in the process that runs ``run.py``; the
launcher (:mod:`.launcher`) does that, leaving VLMEvalKit unmodified::

    python -m med_rewardbench_tasks.vlmevalkit /path/to/VLMEvalKit/run.py --data MedRewardBench --model ...

What the adapter guarantees:

* **The judge prompt is ours, for every model.** ``build_prompt`` returns the image, then
  the text of :func:`med_rewardbench_tasks.prompts.build_judge_prompt`, and the class sets
  ``force_use_dataset_prompt``, the flag VLMEvalKit's inference checks before letting a
  model replace a dataset's prompt with its own (``model.use_custom_prompt``); :func:`register`
  makes ``run.py --api-mode``, whose pipeline ignores that flag, do the same.
* **Scoring is ours.** ``evaluate`` reads VLMEvalKit's prediction file (the dataset's TSV
  columns plus ``prediction``), parses every prediction with
  :func:`med_rewardbench_tasks.parsing.parse_verdict` and computes the metrics with
  :mod:`med_rewardbench_tasks.metrics`: the six per-dimension accuracies, their mean and
  the parse-failure rate, for all cases and per organ system. No judge model is called.
* **The data are ours.** The TSV is written from the validated cases
  (:mod:`med_rewardbench_tasks.data`): from the Hub, from ``$MED_REWARDBENCH_DATA_DIR``, or
  the synthetic sample for ``MedRewardBench_sample``.

One module per concern, every public name importable from this package:
:mod:`.names` (the dataset names and their variants), :mod:`.tsv` (cases -> VLMEvalKit's TSV and
back, and where it lives), :mod:`.scoring` (a prediction file -> verdicts and metric tables),
:mod:`.dataset` (the dataset class and :func:`register`), :mod:`.launcher` (``python -m``: checks
run.py's arguments, registers, runs run.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .dataset import FORCE_PROMPT_FLAG, MedRewardBenchDataset, judge_message, judge_prompt, register
from .launcher import keep_dataset_prompt_in_api_pipeline, run_argument_problems, stale_tsv_problems
from .names import (
    CLASS_NAME,
    DATASET_NAME,
    DATASET_NAMES,
    DATASET_TYPE,
    SAMPLE_DATASET_NAME,
    VARIANT_SEPARATOR,
    DatasetNames,
    base_dataset,
    dataset_name_rule,
)
from .scoring import (
    ALL_CASES_ROW,
    PICKLE_FILE_TYPES,
    PREDICTION_COLUMN,
    PREDICTION_FILE_COLUMNS,
    PREDICTION_FILE_TYPES,
    PRIMARY_METRIC,
    SCORE_COLUMNS,
    SCORE_SUFFIX,
    VERDICTS_SUFFIX,
    PredictionFileError,
    evaluate_predictions,
    judgments_from_predictions,
    primary_metric,
    read_prediction_file,
    result_file,
    score_table,
    verdict_table,
)
from .tsv import (
    LABEL_COLUMN,
    QUESTION_COLUMN,
    TSV_COLUMNS,
    FileFormatError,
    cases_for,
    cases_to_frame,
    default_data_root,
    ensure_tsv,
    read_tsv,
    tsv_layout_problem,
    write_tsv,
)

__all__ = [
    "ALL_CASES_ROW",
    "CLASS_NAME",
    "DATASET_NAME",
    "DATASET_NAMES",
    "DATASET_TYPE",
    "FORCE_PROMPT_FLAG",
    "LABEL_COLUMN",
    "PICKLE_FILE_TYPES",
    "PREDICTION_COLUMN",
    "PREDICTION_FILE_COLUMNS",
    "PREDICTION_FILE_TYPES",
    "PRIMARY_METRIC",
    "QUESTION_COLUMN",
    "SAMPLE_DATASET_NAME",
    "SCORE_COLUMNS",
    "SCORE_SUFFIX",
    "TSV_COLUMNS",
    "VARIANT_SEPARATOR",
    "VERDICTS_SUFFIX",
    "DatasetNames",
    "FileFormatError",
    "MedRewardBenchDataset",
    "PredictionFileError",
    "base_dataset",
    "cases_for",
    "cases_to_frame",
    "dataset_name_rule",
    "default_data_root",
    "ensure_tsv",
    "evaluate_predictions",
    "judge_message",
    "judge_prompt",
    "judgments_from_predictions",
    "keep_dataset_prompt_in_api_pipeline",
    "main",
    "primary_metric",
    "read_prediction_file",
    "read_tsv",
    "register",
    "result_file",
    "run_argument_problems",
    "score_table",
    "stale_tsv_problems",
    "tsv_layout_problem",
    "verdict_table",
    "write_tsv",
]


def __getattr__(name: str) -> Any:
    # A process that unpickles a dataset (e.g. a worker) finds the class without calling register() first.
    if name == CLASS_NAME:
        return register()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main(argv: Sequence[str] | None = None) -> int:
    """The launcher (``python -m med_rewardbench_tasks.vlmevalkit RUN_PY ...``): see :mod:`.launcher`."""
    from .launcher import main as launch

    return launch(argv)
