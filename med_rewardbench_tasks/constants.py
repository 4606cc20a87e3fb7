"""Closed vocabularies of Med-RewardBench: judged dimensions, winners and organ systems.

Everything here is plain data so that the parser, the metrics and the data validation
agree on one spelling of every name.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

Dimension = Literal[
    "accuracy",
    "relevance",
    "comprehensiveness",
    "creativity",
    "responsiveness",
    "overall",
]
Winner = Literal["A", "B"]
Organ = Literal[
    "abdomen",
    "brain",
    "breast",
    "chest",
    "eye",
    "foot",
    "gastrointestinal_tract",
    "heart",
    "lower_limb",
    "lung",
    "oral_cavity",
    "pelvic_cavity",
    "upper_limb",
]

# Order matters: it is the order of the paper's JSON template and of every report column.
DIMENSIONS: Final[tuple[Dimension, ...]] = get_args(Dimension)
WINNERS: Final[tuple[Winner, ...]] = get_args(Winner)
ORGANS: Final[tuple[Organ, ...]] = get_args(Organ)

HF_DATASET_ID: Final = "Nandzy/Med-RewardBench"
# Paths inside the dataset repository (and inside a local copy of it).
LABELS_DIR: Final = "pair_gt_all"
PARQUET_DIR: Final = "pair_gt_all/parquet"

BENCHMARK_CASES: Final = 1026
