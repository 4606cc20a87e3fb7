"""The dataset class VLMEvalKit builds (its ``ImageBaseDataset`` protocol), and its registration."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Final

from med_rewardbench_tasks.parsing import DEFAULT_LONE_VERDICT, LONE_VERDICT_POLICIES

from .names import CLASS_NAME, DATASET_NAME, DATASET_NAMES, DATASET_TYPE, DatasetNames, base_dataset, dataset_name_rule
from .scoring import ALL_CASES_ROW, PRIMARY_METRIC, evaluate_predictions, primary_metric
from .tsv import QUESTION_COLUMN, ensure_tsv, read_tsv

if TYPE_CHECKING:
    import pandas as pd

# The flag VLMEvalKit's inference reads before asking a model for its own prompt.
FORCE_PROMPT_FLAG: Final = "force_use_dataset_prompt"
_REGISTERED_MARK: Final = "__med_rewardbench_registered__"
# Where the registered class lives: instances pickle by reference to this module's attribute, and the
# package's __getattr__ registers on first access, so a worker process that unpickles one finds it.
CLASS_MODULE: Final = __name__.rpartition(".")[0]


def judge_prompt(line: Mapping[str, Any], *, think_step_by_step: bool = False) -> str:
    """The judge prompt of one TSV row: the lmms-eval tasks' prompt, answer 1 shown as A."""
    from med_rewardbench_tasks.prompts import build_judge_prompt

    return build_judge_prompt(
        str(line[QUESTION_COLUMN]),
        str(line["answer1_text"]),
        str(line["answer2_text"]),
        think_step_by_step=think_step_by_step,
    )


def judge_message(
    line: Mapping[str, Any], image_paths: str | Sequence[str], *, think_step_by_step: bool = False
) -> list[dict[str, str]]:
    """A VLMEvalKit multimodal message: the image(s), then the judge prompt."""
    paths = [image_paths] if isinstance(image_paths, str) else list(image_paths)
    message = [{"type": "image", "value": str(path)} for path in paths]
    message.append({"type": "text", "value": judge_prompt(line, think_step_by_step=think_step_by_step)})
    return message


class MedRewardBenchDataset:
    """VLMEvalKit dataset logic; :func:`register` mixes it with ``vlmeval``'s ``ImageBaseDataset``.

    Options (pass them with VLMEvalKit's ``--data-config``): ``think_step_by_step`` adds the
    paper's optional thinking clause to the prompt; ``lone_verdict`` (``overall_only`` or
    ``all_dimensions``) is the parser's policy for an output naming only an overall winner.
    """

    TYPE = DATASET_TYPE
    MODALITY = "IMAGE"
    # The TSV is written locally from the validated cases (see load_data), never downloaded.
    DATASET_URL: ClassVar[dict[str, str]] = dict.fromkeys(DATASET_NAMES, "")
    DATASET_MD5: ClassVar[dict[str, str]] = {}
    force_use_dataset_prompt = True

    def __init__(
        self,
        dataset: str = DATASET_NAME,
        skip_noimg: bool = True,
        think_step_by_step: bool = False,
        lone_verdict: str = DEFAULT_LONE_VERDICT,
    ) -> None:
        if base_dataset(dataset) is None:
            raise ValueError(dataset_name_rule(dataset))
        if lone_verdict not in LONE_VERDICT_POLICIES:
            raise ValueError(f"lone_verdict must be one of {', '.join(LONE_VERDICT_POLICIES)}, not {lone_verdict!r}")
        self.think_step_by_step = bool(think_step_by_step)
        self.lone_verdict = lone_verdict
        super().__init__(dataset=dataset, skip_noimg=skip_noimg)  # type: ignore[call-arg]

    @classmethod
    def supported_datasets(cls) -> list[str]:
        return DatasetNames(DATASET_NAMES)

    def load_data(self, dataset: str) -> pd.DataFrame:
        """``<LMUData>/<dataset>.tsv`` (written from the validated cases on first use, or by ``export-vlmevalkit``)."""
        path = ensure_tsv(dataset)
        self.data_path = str(path)
        # Variants share their base's images too (ImageBaseDataset named the folder after the variant).
        image_root = getattr(self, "img_root", None)
        if isinstance(image_root, str):
            self.img_root = os.path.join(os.path.dirname(image_root), path.stem)
        return read_tsv(path)

    def build_prompt(self, line: Any) -> list[dict[str, str]]:
        if isinstance(line, int):
            line = self.data.iloc[line]  # type: ignore[attr-defined]
        if getattr(self, "meta_only", False):
            from vlmeval.smp import toliststr

            image_paths = toliststr(line["image_path"])
        else:
            image_paths = self.dump_image(line)  # type: ignore[attr-defined]
        return judge_message(line, image_paths, think_step_by_step=self.think_step_by_step)

    def evaluate(self, eval_file: str, **judge_kwargs: Any) -> pd.DataFrame:
        """Rule-based: the verdict parser and the metrics; judge settings (``--judge``) are ignored."""
        return evaluate_predictions(eval_file, lone_verdict=self.lone_verdict)  # type: ignore[arg-type]

    @classmethod
    def report_primary_metric(cls, metrics: Any) -> dict[str, float]:
        import pandas as pd

        if isinstance(metrics, pd.DataFrame) and "organ" in metrics.columns:
            return primary_metric(metrics)
        key = f"organ={ALL_CASES_ROW}|{PRIMARY_METRIC}"
        if isinstance(metrics, Mapping) and key in metrics:
            return {key: float(metrics[key])}
        return {}


def _inference_honours_dataset_prompt() -> bool | None:
    """Whether VLMEvalKit's inference checks ``force_use_dataset_prompt`` (read from its source, not imported)."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("vlmeval.inference")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin or not os.path.isfile(spec.origin):
        return None
    return FORCE_PROMPT_FLAG in Path(spec.origin).read_text(encoding="utf-8", errors="replace")


def register() -> type:
    """Add Med-RewardBench to VLMEvalKit's dataset registry in this process; returns the dataset class.

    Afterwards ``build_dataset('MedRewardBench')`` (and so ``run.py --data MedRewardBench``,
    ``MedRewardBench_sample`` or a variant such as ``MedRewardBench_think``) builds it,
    ``DATASET_TYPE``/``DATASET_MODALITY`` know it, ``--data-config`` entries with
    ``"class": "MedRewardBench"`` find the class, and ``run.py --api-mode`` gives models the
    judge prompt too. Idempotent. Our class is put first in ``DATASET_CLASSES``, so it wins
    if VLMEvalKit ever ships a dataset of the same name.
    """
    import vlmeval.dataset as registry
    from vlmeval.dataset.image_base import ImageBaseDataset

    existing = getattr(registry, CLASS_NAME, None)
    if isinstance(existing, type) and getattr(existing, _REGISTERED_MARK, False):
        return existing

    cls = type(ImageBaseDataset)(  # ImageBaseDataset's metaclass (ABCMeta)
        CLASS_NAME,
        (MedRewardBenchDataset, ImageBaseDataset),
        {"__module__": CLASS_MODULE, "__qualname__": CLASS_NAME, _REGISTERED_MARK: True},
    )
    others = [c for c in registry.DATASET_CLASSES if set(DATASET_NAMES) & set(c.supported_datasets())]
    if others:
        print(
            f"med-rewardbench-tasks: VLMEvalKit already has {', '.join(c.__name__ for c in others)} for "
            f"{'/'.join(DATASET_NAMES)}; this package's class takes precedence",
            file=sys.stderr,
        )
    registry.DATASET_CLASSES.insert(0, cls)
    image_datasets = getattr(registry, "IMAGE_DATASET", None)
    if isinstance(image_datasets, list):
        image_datasets.insert(0, cls)
    supported = getattr(registry, "SUPPORTED_DATASETS", None)
    if isinstance(supported, list):
        supported.extend(name for name in DATASET_NAMES if name not in supported)
    setattr(registry, CLASS_NAME, cls)
    exported = getattr(registry, "__all__", None)
    if isinstance(exported, list) and CLASS_NAME not in exported:
        exported.append(CLASS_NAME)
    setattr(sys.modules[CLASS_MODULE], CLASS_NAME, cls)

    if _inference_honours_dataset_prompt() is False:
        print(
            "med-rewardbench-tasks: this VLMEvalKit's inference does not check "
            f"`{FORCE_PROMPT_FLAG}`, so models with their own prompts will not see the judge prompt; "
            "update VLMEvalKit",
            file=sys.stderr,
        )
    from .launcher import keep_dataset_prompt_in_api_pipeline

    keep_dataset_prompt_in_api_pipeline()
    return cls
