"""The fixes in ``upstream/`` for lmms-eval's own model classes: each applies to lmms-eval 0.7.3, and each is needed.

The patches are applied to a *copy* of the installed ``lmms_eval`` (its benchmark task folders
left out), put first on the ``PYTHONPATH`` of an ``lmms-eval`` subprocess. With both
``huggingface`` patches the class passes the full model-class test
(``tests/test_real_model_classes.py``, row ``huggingface-chat``); here, the same run fails
without them, and the model-class lookup is shown to miss on the installed transformers.
"""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

import pytest

from tests import model_matrix, tiny_models
from tests.conftest import run_lmms_eval
from tests.lmms_eval_tree import apply_patch, copy_lmms_eval

PATCHED_FOR = "0.7.3"
MODEL_CLASS = "lmms-eval-huggingface-model-class.patch"
AUDIO_KWARG = "lmms-eval-huggingface-audio-kwarg.patch"
MODEL_PATCHES = sorted(path.name for path in model_matrix.UPSTREAM.glob("lmms-eval-huggingface-*.patch"))


@pytest.fixture(scope="module", autouse=True)
def lmms_eval_0_7_3() -> None:
    version = importlib.metadata.version("lmms-eval")
    if version != PATCHED_FOR:
        pytest.skip(f"the patches are written against lmms-eval {PATCHED_FOR}; {version} is installed")


def test_the_matrix_names_every_model_patch() -> None:
    named = {patch for row in model_matrix.load_matrix().rows for patch in row.patches}
    assert named == set(MODEL_PATCHES) == {MODEL_CLASS, AUDIO_KWARG}


@pytest.mark.parametrize("patch", MODEL_PATCHES)
def test_each_patch_applies_on_its_own(patch: str, tmp_path: Path) -> None:
    root = copy_lmms_eval(tmp_path)
    applied = apply_patch(root, model_matrix.UPSTREAM / patch)
    assert applied.returncode == 0, applied.stdout + applied.stderr


def test_a_model_type_is_never_among_the_auto_mappings_keys(tiny_qwen2_5_vl: Path) -> None:
    """The lookup lmms-eval 0.7.3 does, on the installed transformers, next to the one the patch does."""
    from transformers import AutoConfig, AutoModel, AutoModelForCausalLM, AutoModelForImageTextToText

    config = AutoConfig.from_pretrained(tiny_qwen2_5_vl)
    image_text = AutoModelForImageTextToText._model_mapping
    # lmms-eval 0.7.3 writes exactly this, keys() and all.
    assert config.model_type not in image_text.keys()  # noqa: SIM118
    assert config.model_type not in AutoModelForCausalLM._model_mapping.keys()  # noqa: SIM118
    # So lmms-eval falls back to AutoModel: a backbone that cannot generate.
    assert not hasattr(AutoModel.from_config(config), "generate")
    assert type(config) in image_text
    assert image_text[type(config)].__name__ == "Qwen2_5_VLForConditionalGeneration"


def _run_huggingface(checkpoint: Path, tmp_path: Path, patches: list[str]) -> str:
    env = tiny_models.shim_env(tmp_path)
    if patches:
        root = model_matrix.patched_lmms_eval(tmp_path / "lmms-eval", patches)
        env["PYTHONPATH"] = f"{env['PYTHONPATH']}:{root}"
    args = [
        "--model", "huggingface",
        "--model_args", f"pretrained={checkpoint},device=cpu,device_map=cpu",
        "--tasks", "med_rewardbench_sample",
        "--limit", "1",
        "--gen_kwargs", "max_new_tokens=4",
    ]  # fmt: skip
    run = run_lmms_eval(args, tmp_path / "run", env=env, timeout=300, expect_results=False)
    assert not run.results, "the class was expected to fail, and lmms-eval wrote results"
    return run.output


@pytest.mark.integration
@pytest.mark.tiny_model
@pytest.mark.parametrize(
    ("patches", "failure"),
    [
        pytest.param([], "You passed keyword argument `audios`", id="unpatched"),
    ],
)
def test_without_both_fixes_the_huggingface_class_fails(
    patches: list[str], failure: str, tiny_qwen2_5_vl: Path, tmp_path: Path
) -> None:
    output = _run_huggingface(tiny_qwen2_5_vl, tmp_path, patches)
    assert failure in output, output[-4000:]
