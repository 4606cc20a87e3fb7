"""Running VLMEvalKit's own ``run.py`` with Med-RewardBench: the launcher, and what it guards against.

``python -m med_rewardbench_tasks.vlmevalkit RUN_PY [run.py arguments ...]`` registers the dataset
(:func:`med_rewardbench_tasks.vlmevalkit.register`) in this process, then runs the unmodified
``run.py`` as ``__main__``. Before that it refuses, with one line each, the run.py arguments
that would lose a run while VLMEvalKit exits 0:

* a ``--data-config``/``--config`` entry whose key differs from the ``dataset`` it builds: run.py
  looks for the predictions under the key, while VLMEvalKit's image inference saves them under the
  dataset's own name, so every judge call is made and then the run ends in ``FileNotFoundError``;
* a ``--data`` name that reads like Med-RewardBench's but is none of its names: VLMEvalKit would
  skip it as an unknown dataset.

:func:`keep_dataset_prompt_in_api_pipeline` closes the gap of ``run.py --api-mode``: VLMEvalKit's
async pipeline asks the model ``use_custom_prompt`` and never reads the dataset's
``force_use_dataset_prompt``, so a model with prompts of its own (InternVL-style adapters,
``JTVLChatAPI``, ...) would be sent its own template instead of the judge prompt.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Final

from .dataset import MedRewardBenchDataset, register
from .names import CLASS_NAME, DATASET_NAME, base_dataset, dataset_name_rule
from .tsv import default_data_root, tsv_layout_problem

PREFIX: Final = "med-rewardbench-tasks"
_HOOK_MARK: Final = "__med_rewardbench_keeps_dataset_prompt__"

USAGE: Final = """\
usage: python -m med_rewardbench_tasks.vlmevalkit RUN_PY [run.py arguments ...]

Registers Med-RewardBench with VLMEvalKit in this process, then runs VLMEvalKit's run.py
(unmodified) with the remaining arguments, e.g.

  python -m med_rewardbench_tasks.vlmevalkit VLMEvalKit/run.py --data MedRewardBench --model Qwen2.5-VL-7B-Instruct

Datasets: MedRewardBench (the benchmark: the Hub, or $MED_REWARDBENCH_DATA_DIR),
MedRewardBench_sample (the synthetic 30-case sample shipped with the package), and variants
MedRewardBench_<tag> / MedRewardBench_sample_<tag> (the same cases under their own result files,
for runs with other options: --data-config '{"MedRewardBench_think": {"class": "MedRewardBench",
"dataset": "MedRewardBench_think", "think_step_by_step": true}}').
With torchrun: torchrun --nproc-per-node=N -m med_rewardbench_tasks.vlmevalkit VLMEvalKit/run.py ...
"""


# ---------------------------------------------------------------------------------------
# run.py arguments that would lose a run
# ---------------------------------------------------------------------------------------
def _run_options(argv: Sequence[str]) -> argparse.Namespace:
    """The run.py options that name datasets; the others are left to run.py."""
    parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    parser.add_argument("--data", nargs="+", default=[])
    parser.add_argument("--data-config")
    parser.add_argument("--config")
    options, _ = parser.parse_known_args(list(argv))
    return options


def _config_entries(options: argparse.Namespace) -> Iterator[tuple[str, str, Any]]:
    """(where, key, value) of every dataset entry of ``--data-config`` and of a JSON ``--config`` file.

    What run.py itself rejects (bad JSON, an unreadable file) is left to it.
    """
    if options.data_config:
        try:
            entries = json.loads(options.data_config)
        except json.JSONDecodeError:
            entries = None
        if isinstance(entries, dict):
            yield from (("--data-config", key, value) for key, value in entries.items())
    if options.config and Path(options.config).suffix.lower() == ".json":
        try:
            config = json.loads(Path(options.config).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            config = None
        data = config.get("data") if isinstance(config, dict) else None
        if isinstance(data, dict):
            yield from ((f"--config {options.config}", key, value) for key, value in data.items())


def _name_for(key: str, dataset: Any) -> str:
    """A name for a ``--data-config`` entry that is both its key and its dataset: the key, on the dataset's data."""
    base = base_dataset(dataset) if isinstance(dataset, str) else None
    key_base = base_dataset(key)
    if base is None or base == key_base or key_base is None:
        return key
    tag = key[len(key_base) + 1 :]
    return f"{base}_{tag}" if tag else base


def run_argument_problems(argv: Sequence[str]) -> list[str]:
    """What in run.py's arguments would make a Med-RewardBench run lose its results (one message each)."""
    options = _run_options(argv)
    problems = []
    configured = set()
    for where, key, value in _config_entries(options):
        configured.add(key)
        if not isinstance(value, dict) or value.get("class") != CLASS_NAME:
            continue
        # The class's default, as VLMEvalKit builds it when the entry names no dataset.
        dataset = value.get("dataset", DATASET_NAME)
        if base_dataset(key) is None:
            problems.append(f"{where}: {dataset_name_rule(key)}")
        elif dataset != key:
            name = _name_for(key, dataset) if "dataset" in value else key  # no dataset given: the key was meant
            fixed = json.dumps({name: {**value, "dataset": name}})
            how = f"--data {name} --data-config '{fixed}'" if where == "--data-config" else f'"data": {fixed}'
            problems.append(
                f"{where}: entry {key!r} builds dataset {dataset!r}; VLMEvalKit would save its predictions under "
                f"{dataset!r} and then look for them under {key!r}, so the run would be lost. Name the entry after "
                f"the dataset it builds: {how}"
            )
    for name in options.data:
        if name.startswith(DATASET_NAME) and name not in configured and base_dataset(name) is None:
            problems.append(f"--data: {dataset_name_rule(name)}")
    return problems


def stale_tsv_problems(argv: Sequence[str]) -> list[str]:
    """A ``<LMUData>/<dataset>.tsv`` for a dataset of this run that is in an earlier layout (read from its header)."""
    options = _run_options(argv)
    names = [*options.data, *(key for _, key, _ in _config_entries(options))]
    bases = {base_dataset(name) for name in names} - {None}
    problems = []
    for base in sorted(base for base in bases if base is not None):
        path = default_data_root() / f"{base}.tsv"
        try:
            with path.open(encoding="utf-8", errors="replace") as handle:
                header = [column.strip().strip('"') for column in handle.readline().split("\t")]
        except OSError:
            continue  # not written yet: the dataset writes it
        problem = tsv_layout_problem(path, header)
        if problem:
            problems.append(problem)
    return problems


# ---------------------------------------------------------------------------------------
# run.py --api-mode: the judge prompt for every model
# ---------------------------------------------------------------------------------------
def _dataset_prompt_only(*args: Any, **kwargs: Any) -> bool:
    return False


def _pipeline_configs(pipeline: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Sequence[Any] | None:
    configs = getattr(pipeline, "dataset_configs", None)
    if configs is None:
        configs = kwargs.get("dataset_configs", args[0] if args else None)
    return configs if isinstance(configs, (list, tuple)) else None


def keep_dataset_prompt_in_api_pipeline() -> bool:
    """Make VLMEvalKit's API pipeline (``run.py --api-mode``) send Med-RewardBench's judge prompt to every model.

    The pipeline builds each model's prompts with ``model.build_prompt`` whenever
    ``model.use_custom_prompt(dataset)`` is true; VLMEvalKit's other inference paths first check
    the dataset's ``force_use_dataset_prompt``, which the pipeline ignores. This wraps the
    pipeline's constructor so that, for a Med-RewardBench dataset only, its model instance (built
    for that dataset alone) answers ``use_custom_prompt`` with False. Returns whether there is an
    API pipeline to wrap (an older VLMEvalKit has none). Idempotent.
    """
    try:
        from vlmeval import inference_api
    except ImportError:
        return False
    pipeline_class = getattr(inference_api, "APIEvalPipeline", None)
    if not isinstance(pipeline_class, type):
        return False
    original_init = pipeline_class.__init__
    if getattr(original_init, _HOOK_MARK, False):
        return True

    @functools.wraps(original_init)
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        configs = _pipeline_configs(self, args, kwargs)
        if configs is None:
            print(
                f"{PREFIX}: this VLMEvalKit's API pipeline does not list its datasets as the adapter expects, so "
                "a model with prompts of its own may not see the judge prompt; run without --api-mode",
                file=sys.stderr,
            )
            return
        for config in configs:
            model = getattr(config, "model_obj", None)
            if not isinstance(getattr(config, "dataset_obj", None), MedRewardBenchDataset):
                continue
            if model is None or not hasattr(model, "use_custom_prompt"):
                continue  # the pipeline uses the dataset's prompt
            try:
                model.use_custom_prompt = _dataset_prompt_only
            except (AttributeError, TypeError) as error:
                raise RuntimeError(
                    f"{PREFIX}: cannot make {type(model).__name__} take the judge prompt in --api-mode ({error}); "
                    "run without --api-mode, where VLMEvalKit honours the dataset's prompt"
                ) from None

    setattr(__init__, _HOOK_MARK, True)
    pipeline_class.__init__ = __init__
    return True


# ---------------------------------------------------------------------------------------
# The launcher
# ---------------------------------------------------------------------------------------
def main(argv: Sequence[str] | None = None) -> int:
    """Check run.py's arguments, register, then run VLMEvalKit's ``run.py`` as ``__main__``."""
    import runpy

    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help"}:
        print(USAGE, file=sys.stdout if args else sys.stderr)
        return 0 if args else 2
    script = Path(args[0]).resolve()
    if not script.is_file():
        print(f"{PREFIX}: {args[0]} is not a file (pass the path of VLMEvalKit's run.py)", file=sys.stderr)
        return 2
    problems = run_argument_problems(args[1:])
    for problem in problems:
        print(f"{PREFIX}: error: {problem}", file=sys.stderr)
    if problems:
        return 2
    register()
    problems = stale_tsv_problems(args[1:])
    for problem in problems:
        print(f"{PREFIX}: error: {problem}", file=sys.stderr)
    if problems:
        return 2
    sys.argv = [str(script), *args[1:]]
    sys.path.insert(0, str(script.parent))
    try:
        runpy.run_path(str(script), run_name="__main__")
    except SystemExit as stop:
        return stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    return 0
