"""``med-rewardbench build-dataset OUT``: the benchmark in the Hugging Face Hub's own dataset form.

Reads what the tasks read — the Hub dataset, the copy named by ``$MED_REWARDBENCH_DATA_DIR``,
or with ``--sample`` the synthetic sample shipped with the package — through the package's
loader, so every case is validated (labels, ids, images) before anything is written, and
writes::

    OUT/README.md                                  dataset card: configs, paper, columns
    OUT/<organ>/test-00000-of-0000N.parquet        one folder per organ system

with one config per organ system plus ``all`` (whose files are every organ's: the images are
stored once) and the split ``test``. ``datasets.load_dataset(OUT, "brain", split="test")``
loads it, and it is what the upstream lmms-eval task folder reads with plain
``dataset_path`` / ``dataset_name``: the form a harness maintainer can host as a mirror.

Every organ's files have the same columns (an optional column present in any case is
written for all, empty where a case lacks it), so ``all`` reads as one table.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Final

from med_rewardbench_tasks.constants import DIMENSIONS, HF_DATASET_ID

if TYPE_CHECKING:
    import datasets

    from med_rewardbench_tasks.data import Case

SPLIT: Final = "test"
ALL_CONFIG: Final = "all"
DEFAULT_MAX_SHARD_BYTES: Final = 500 * 1024 * 1024  # what `datasets` uses when it pushes to the Hub
PAPER: Final = "https://arxiv.org/abs/2508.21430"

# Column -> meaning, in the order the files hold them (the card lists them so).
COLUMNS: Final[Mapping[str, str]] = {
    "question_id": "the case's identifier (text), unique over the whole benchmark",
    "modality_type": "the organ system, also the config name (`brain`, `chest`, ...)",
    "question": "the user instruction the two answers respond to",
    "answer1_text": "the first candidate answer (shown to the judge as A in the original order)",
    "answer2_text": "the second candidate answer (shown as B in the original order)",
    "image": "the medical image (`datasets.Image`)",
    "human_answer": f"the experts' winner, `A` (answer1) or `B` (answer2), on each of: {', '.join(DIMENSIONS)}",
}
OPTIONAL_COLUMNS: Final[Mapping[str, str]] = {
    "body_part": "the body part shown (when the release has it)",
    "dataset": "the source dataset of the image and question",
    "question_type": "the kind of question",
    "image_id": "the image's identifier in its source dataset",
    "department": "the clinical department (the report's per-department table reads it)",
}


class BuildError(RuntimeError):
    """The dataset cannot be built as asked; the message says why and what to do."""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("out", metavar="OUT", type=Path, help="the folder to write (created; must be new or empty)")
    parser.add_argument(
        "--sample",
        action="store_true",
        help="convert the synthetic 30-case sample shipped with the package (not benchmark data)",
    )
    parser.add_argument(
        "--max-shard-mb",
        type=int,
        default=DEFAULT_MAX_SHARD_BYTES // (1024 * 1024),
        metavar="MB",
        help="largest parquet shard, in MiB (default: %(default)s, as the Hub's own uploads)",
    )


def run(args: argparse.Namespace) -> int:
    import datasets

    from med_rewardbench_tasks import data

    datasets.disable_progress_bars()  # one line per shard is noise in a command's output
    try:
        built = build_dataset(args.out, sample=args.sample, max_shard_bytes=args.max_shard_mb * 1024 * 1024)
    except (BuildError, data.DataValidationError, data.DataUnavailableError) as error:
        print(f"med-rewardbench build-dataset: error: {error}", file=sys.stderr)
        return 2
    organs = ", ".join(f"{organ} {count}" for organ, count in built.items())
    print(f"wrote {sum(built.values())} cases to {args.out.resolve()} ({organs})")
    print(f'load it with datasets.load_dataset("{args.out}", "<organ or all>", split="{SPLIT}")')
    return 0


def _check_out(out: Path) -> None:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise BuildError(f"{out} exists and is not an empty folder; give a new folder (nothing is overwritten)")


def _cases(sample: bool) -> tuple[str, dict[str, list[Case]]]:
    from med_rewardbench_tasks import data

    source = data.sample_source() if sample else data.resolve_source()
    local = isinstance(source, data.LocalDirectory)
    # The loader also refuses a question_id found in two organs, so the `all` config holds each case once.
    organs = data.available_organs(source)
    if not organs:
        raise BuildError(f"{source.describe()}: no organ system found")
    # The card names a Hub source exactly; a local folder only by its name (no private paths).
    if sample:
        described = "the synthetic sample shipped with med-rewardbench-tasks"
    elif local:
        described = f"a local copy (a folder named {source.path.name!r})"
    else:
        described = source.describe()
    return described, {organ: data.load_organ(organ, source) for organ in organs}


def features(optional: Sequence[str]) -> datasets.Features:
    import datasets

    text = datasets.Value("string")
    return datasets.Features(
        {
            "question_id": text,
            "modality_type": text,
            "question": text,
            "answer1_text": text,
            "answer2_text": text,
            "image": datasets.Image(),
            "human_answer": {dimension: text for dimension in DIMENSIONS},
            **dict.fromkeys(optional, text),
        }
    )


def organ_table(cases: Sequence[Case], optional: Sequence[str]) -> datasets.Dataset:
    import datasets

    columns = {
        "question_id": [case.question_id for case in cases],
        "modality_type": [case.organ for case in cases],
        "question": [case.question for case in cases],
        "answer1_text": [case.answer1_text for case in cases],
        "answer2_text": [case.answer2_text for case in cases],
        "image": [{"bytes": case.image, "path": None} for case in cases],
        "human_answer": [{dimension: case.labels[dimension] for dimension in DIMENSIONS} for case in cases],
        **{column: [case.metadata.get(column) for case in cases] for column in optional},
    }
    return datasets.Dataset.from_dict(columns, features=features(optional))


def _shard_count(cases: Sequence[Case], max_shard_bytes: int) -> int:
    size = sum(len(case.image) + len(case.question) + len(case.answer1_text) + len(case.answer2_text) for case in cases)
    return min(len(cases), max(1, math.ceil(size / max_shard_bytes)))  # never an empty shard


def build_dataset(out: Path, *, sample: bool = False, max_shard_bytes: int = DEFAULT_MAX_SHARD_BYTES) -> dict[str, int]:
    """Write the dataset to ``out``; returns the number of cases per organ system written."""
    out = Path(out)
    _check_out(out)
    if max_shard_bytes <= 0:
        raise BuildError("--max-shard-mb must be positive")
    described, by_organ = _cases(sample)
    optional = [
        column for column in OPTIONAL_COLUMNS if any(column in c.metadata for cs in by_organ.values() for c in cs)
    ]
    for organ, cases in by_organ.items():
        table = organ_table(cases, optional)
        shards = _shard_count(cases, max_shard_bytes)
        (out / organ).mkdir(parents=True, exist_ok=True)
        for index in range(shards):
            part = table.shard(num_shards=shards, index=index, contiguous=True)
            part.to_parquet(str(out / organ / f"{SPLIT}-{index:05d}-of-{shards:05d}.parquet"))
    (out / "README.md").write_text(dataset_card(list(by_organ), optional, described, sample), encoding="utf-8")
    return {organ: len(cases) for organ, cases in by_organ.items()}


def dataset_card(organs: Sequence[str], optional: Sequence[str], source: str, sample: bool) -> str:
    from med_rewardbench_tasks import __version__

    configs = [(ALL_CONFIG, f"*/{SPLIT}-*.parquet"), *((organ, f"{organ}/{SPLIT}-*.parquet") for organ in organs)]
    header = [
        "---",
        "license: unknown  # for the dataset owners to set",
        "pretty_name: Med-RewardBench",
        "configs:",
    ]
    for name, pattern in configs:
        header += [f"- config_name: {name}", "  data_files:", f"  - split: {SPLIT}", f'    path: "{pattern}"']
    header.append("---")
    columns = "\n".join(
        f"| `{name}` | {meaning} |"
        for name, meaning in [*COLUMNS.items(), *((c, OPTIONAL_COLUMNS[c]) for c in optional)]
    )
    what = (
        "**The synthetic sample** shipped with med-rewardbench-tasks (drawn images, invented answers and labels): a "
        "pipeline smoke test, not benchmark data."
        if sample
        else f"Med-RewardBench, {len(organs)} organ systems."
    )
    return f"""{chr(10).join(header)}

# Med-RewardBench

{what}

Med-RewardBench measures a multimodal model **as a medical judge**: the judge sees a medical
image, a question and two candidate answers and picks the better one on six dimensions
({", ".join(DIMENSIONS)}); its picks are scored against expert labels.

- Paper: [Med-RewardBench: Benchmarking Reward Models and Judges for Medical Multimodal Large
  Language Models]({PAPER})
- Original release: [{HF_DATASET_ID}](https://huggingface.co/datasets/{HF_DATASET_ID})
- License: set by the dataset's owners (the `license` field above).

## Configs and split

One config per organ system ({", ".join(f"`{organ}`" for organ in organs)}) and `{ALL_CONFIG}`
(every organ system; the same files, so nothing is stored twice); one split, `{SPLIT}`.

```python
import datasets

brain = datasets.load_dataset("<this repository or folder>", "brain", split="{SPLIT}")
```

## Columns

| column | meaning |
| --- | --- |
{columns}

Every case was validated before it was written (an A/B label on all six dimensions, a unique
`question_id`, non-empty texts, an image that decodes).

## Provenance

Converted by `med-rewardbench build-dataset` (med-rewardbench-tasks {__version__}) from
`{source}`.
"""


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="med-rewardbench build-dataset")
    configure(parser)
    sys.exit(run(parser.parse_args()))
