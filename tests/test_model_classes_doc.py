"""docs/model_classes.md is docs/model_classes.yaml rendered, and every claim of that file is one the tests check.

The tested rows are run by tests/test_real_model_classes.py (parametrised from the same file);
this module checks everything else a row says: the document is current, the versions are the
installed (and locked) ones, the builders, patches and test files it names exist, and a row
"not tested here" really cannot be tested here.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
from types import ModuleType

import pytest

from tests import model_matrix, tiny_models, tiny_vlms
from tests.conftest import REPO_ROOT

RENDER_SCRIPT = REPO_ROOT / "scripts" / "render_model_classes.py"
DOCUMENT = REPO_ROOT / "docs" / "model_classes.md"
MATRIX = model_matrix.load_matrix()
# Issue 16: these classes (Idefics2 or an Idefics3 class; Llama 3.2 Vision or Mistral 3) must run.
REQUIRED = ("huggingface", "qwen3_vl", "internvl_hf", "gemma3", "idefics2", "llama_vision")


def render_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("render_model_classes", RENDER_SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_document_is_the_rendered_matrix() -> None:
    render = render_module()
    assert DOCUMENT.read_text(encoding="utf-8") == render.render(render.load()), (
        "docs/model_classes.md is out of date: run .venv/bin/python scripts/render_model_classes.py"
    )


def test_the_readme_links_the_matrix() -> None:
    assert "(docs/model_classes.md)" in (REPO_ROOT / "README.md").read_text(encoding="utf-8")


def test_the_matrix_names_the_installed_and_locked_versions() -> None:
    locked = dict(
        line.strip().split("==", 1)
        for line in (REPO_ROOT / "requirements" / "lock.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    )
    for package, claimed in (("transformers", MATRIX.transformers), ("lmms-eval", MATRIX.lmms_eval)):
        assert importlib.metadata.version(package) == claimed, package
        assert locked[package] == claimed, package


def test_the_required_classes_run() -> None:
    running = {row.model for row in MATRIX.rows if row.status in ("works", "works_with_patch")}
    assert set(REQUIRED) <= running, sorted(set(REQUIRED) - running)
    assert len(running - {"qwen2_5_vl", "qwen2_vl", "llava_hf"}) >= 6


def test_chat_and_simple_models_are_lmms_eval_s() -> None:
    # The document adds --force_simple for these; the tests compute it from the registry.
    import yaml

    listed = set(yaml.safe_load(model_matrix.MATRIX_FILE.read_text())["chat_and_simple"])
    assert listed == {row.model for row in MATRIX.rows if row.force_simple}
    for row in MATRIX.rows:
        if row.model in listed:
            from lmms_eval.models import MODEL_REGISTRY_V2

            assert MODEL_REGISTRY_V2.resolve(row.model, force_simple=True).model_type == "simple"


@pytest.mark.parametrize(
    "row", [row for row in MATRIX.rows if row.status in model_matrix.TESTED], ids=lambda row: row.id
)
def test_a_tested_row_names_what_exists(row: model_matrix.ModelClassRow) -> None:
    assert row.checkpoint in tiny_vlms.BUILDERS or hasattr(tiny_models, row.checkpoint), row.checkpoint
    import transformers

    assert hasattr(transformers, row.hf_class), row.hf_class
    for patch in row.patches:
        assert (model_matrix.UPSTREAM / patch).is_file(), patch


def test_rows_tested_elsewhere_name_a_test_file() -> None:
    for row in MATRIX.rows:
        if row.status == "tested_elsewhere":
            assert (REPO_ROOT / row.test_file).is_file(), row.test_file


@pytest.mark.parametrize("row", [row for row in MATRIX.rows if row.status == "not_testable"], ids=lambda row: row.id)
def test_a_row_not_tested_here_cannot_be_tested_here(row: model_matrix.ModelClassRow) -> None:
    missing = [name for name in row.requires_modules if importlib.util.find_spec(name) is None]
    no_gpu = False
    if row.requires_gpu:
        import torch

        no_gpu = not torch.cuda.is_available()
    assert missing or no_gpu, f"{row.model} can be tested here now: add a tiny-checkpoint test and update the matrix"
