"""lmms-eval models of this package.

``model_manifests`` is the ``lmms_eval.models`` entry point; ``AVAILABLE_MODELS`` serves
lmms-eval's older ``LMMS_EVAL_PLUGINS=med_rewardbench_tasks`` route, which reads it by name.
"""

from __future__ import annotations

from typing import Any

AVAILABLE_MODELS = {"med_rewardbench_baseline": "BaselineJudge"}


def model_manifests() -> list[Any]:
    from lmms_eval.models.registry_v2 import ModelManifest

    return [
        ModelManifest(model_id=name, simple_class_path=f"{__name__}.{name}.{class_name}")
        for name, class_name in AVAILABLE_MODELS.items()
    ]
