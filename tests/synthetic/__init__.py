"""Synthetic Med-RewardBench cases in the exact on-disk layout of the real dataset.

The real benchmark (``Nandzy/Med-RewardBench``) cannot be shipped with this package, yet
the loading code, the lmms-eval task and the metrics all need data of the right shape to
be exercised. This package draws such data (it is test and build tooling, so the wheel does not
ship it, only the sample ``scripts/build_sample.py`` made with it, ``med_rewardbench_tasks/sample_data``):

* a schematic grayscale "scan" per case (an outline of the organ system with one seeded
  finding drawn into it, plus a little texture), PNG encoded;
* a question about that image and two candidate answers built from explicit quality
  traits, so that the six expert-style labels follow from how each answer was written;
* the real file layout: ``pair_gt_all/parquet/<organ>.parquet`` carrying the Hugging Face
  feature metadata, and ``pair_gt_all/<organ>.jsonl`` with the labels.

How the labels are derived (per case, answer 1 and answer 2 each get traits):

* ``accuracy``: the winner states the correct key fact for the question type (the drawn
  finding, its drawn location, the modality whose texture was rendered, abnormal rather
  than normal, the step that fits the drawn finding); the loser states a plausible but
  wrong one and keeps its supporting sentences consistent with that wrong belief.
* ``relevance``: the loser drifts into one or two off-topic sentences; the winner does not.
* ``comprehensiveness``: the winner covers strictly more supporting points (location,
  appearance, differential, next step, clinical correlation ...) than the loser.
* ``creativity``: the winner adds a non-obvious, practical insight; the loser does not.
* ``responsiveness``: the winner answers the question in its first sentence; the loser
  opens with a caveat and only states its answer at the end.
* ``overall``: a weighted vote of the five traits (accuracy 5, relevance 3,
  responsiveness 3, comprehensiveness 2, creativity 2). The weights sum to an odd number,
  so the vote never ties.

For each case one answer is drawn as the "stronger" one and wins each of the five base
dimensions with probability 0.7, so the dimensions usually but not always agree. Which
slot (answer1/"A" or answer2/"B") holds the stronger answer is a fair coin, so labels are
balanced. Traits that add text pull in opposite directions (more points and an insight
make the winner longer; a digression and a caveat make the loser longer), so answer
length predicts the winner only partially and differently per dimension.

Everything is deterministic in its arguments: an explicit :class:`random.Random` seeds
both the text and (through a derived seed) the image noise. Nothing here runs at import.

What the cases are made of (organ systems, findings, modalities, locations, insights,
digressions, preambles, question templates) is data, in ``cases.yaml`` (read by :mod:`.content`);
how they are drawn is code: :mod:`.images` (the picture), :mod:`.text` (the answers),
:mod:`.cases` (labels and the generator), :mod:`.layout` (the files).
"""

from __future__ import annotations

from .cases import (
    OVERALL_WEIGHTS,
    STRONGER_WIN_PROBABILITY,
    SYNTHETIC_DATASET_NAME,
    SyntheticCase,
    department_of,
    distribute_cases,
    make_cases,
)
from .content import QUESTION_TYPES, ContentError, QuestionType, load_content
from .layout import COLUMNS, write_layout, write_synthetic_benchmark

__all__ = [
    "COLUMNS",
    "OVERALL_WEIGHTS",
    "QUESTION_TYPES",
    "STRONGER_WIN_PROBABILITY",
    "SYNTHETIC_DATASET_NAME",
    "ContentError",
    "QuestionType",
    "SyntheticCase",
    "department_of",
    "distribute_cases",
    "load_content",
    "make_cases",
    "write_layout",
    "write_synthetic_benchmark",
]
