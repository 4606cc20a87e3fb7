"""lmms-eval's own model classes run the benchmark, with no adapter code, on tiny random checkpoints.

One test per tested row of docs/model_classes.yaml. Session fixtures build each tiny checkpoint
once (``tests/tiny_models.py``, ``tests/tiny_vlms.py``, ``tests/tiny_qwen3.py``); the test runs the real ``lmms-eval``
CLI with ``--model_args pretrained=<dir>``, the path a user takes with a real checkpoint, and a
start-up hook that records what reached ``generate``. Random weights write garbage, so the
checks are about plumbing: every case reached the model class the row names with its image
(the image tokens counted in the token ids, pixel tensors present) and its full judge prompt;
the decoded new tokens are exactly what the samples log holds; every output went through the
verdict filter; and the metrics equal what the logged outputs and the label files give.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import os
from pathlib import Path

import pytest

from med_rewardbench_tasks.lmms_eval_tasks import VERDICT_RECORD_KEY, encode_verdict
from med_rewardbench_tasks.parsing import parse_verdict
from med_rewardbench_tasks.prompts import build_judge_prompt
from tests import model_matrix, tiny_models, tiny_vlms
from tests.conftest import DIMENSIONS, LmmsEvalRun, TruthCase, require_modules, run_lmms_eval
from tests.model_matrix import ModelClassRow

pytestmark = [pytest.mark.integration, pytest.mark.tiny_model]

TASK = "med_rewardbench_sample"
LIMIT = 4
# Random weights never emit the end-of-turn token on purpose: the cap ends every answer.
MAX_NEW_TOKENS = 16
STATUSES = frozenset({"ok", "partial", "unparseable"})

MATRIX = model_matrix.load_matrix()
TESTED_ROWS = [pytest.param(row, id=row.id) for row in MATRIX.rows if row.status in model_matrix.TESTED]

# Checkpoints the shared conftest fixtures already build for other tests: reuse them.
SHARED_FIXTURES = {
    "build_tiny_qwen2_5_vl": "tiny_qwen2_5_vl",
    "build_tiny_qwen2_vl": "tiny_qwen2_vl",
    "build_tiny_llava": "tiny_llava",
}
# The image placeholder of each checkpoint family, as its tokenizer spells it.
IMAGE_TOKEN = {
    "build_tiny_qwen2_5_vl": "<|image_pad|>",
    "build_tiny_qwen2_vl": "<|image_pad|>",
    "build_tiny_llava": "<image>",
    **tiny_vlms.IMAGE_TOKENS,
}


@pytest.fixture(scope="session")
def tiny_checkpoint(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """``tiny_checkpoint("build_tiny_gemma3")``: the checkpoint's directory, built once per session."""
    built: dict[str, Path] = {}

    def get(builder: str) -> Path:
        if builder in SHARED_FIXTURES:
            return request.getfixturevalue(SHARED_FIXTURES[builder])
        if builder not in built:
            require_modules("transformers", "tokenizers")
            built[builder] = tiny_vlms.BUILDERS[builder](tmp_path_factory.mktemp(builder.removeprefix("build_")))
        return built[builder]

    return get


@pytest.fixture(scope="session")
def truth_by_id(sample_truth: list[TruthCase]) -> dict[str, TruthCase]:
    return {case.question_id: case for case in sample_truth}


def torchvision_imports() -> bool:
    # A broken install (a CUDA build on a CPU machine) counts as missing, as it does for transformers.
    if importlib.util.find_spec("torchvision") is None:
        return False
    import subprocess
    import sys

    return (
        subprocess.run([sys.executable, "-c", "import torchvision"], capture_output=True, check=False).returncode == 0
    )


def run_row(row: ModelClassRow, checkpoint: Path, tmp_path: Path, *, lmms_eval_root: Path | None = None) -> LmmsEvalRun:
    """The row's command line on the tiny checkpoint, with the generate recorder on."""
    env = tiny_models.shim_env(tmp_path)
    env[model_matrix.GENERATE_LOG_VARIABLE] = str(tmp_path / "generate.jsonl")
    if lmms_eval_root is not None:
        env["PYTHONPATH"] = os.pathsep.join([env["PYTHONPATH"], str(lmms_eval_root)])
    args = [
        "--model", row.model,
        "--model_args", f"pretrained={checkpoint},{row.test_args}",
        "--tasks", TASK,
        "--limit", str(LIMIT),
        "--gen_kwargs", f"max_new_tokens={MAX_NEW_TOKENS}",
        *(["--force_simple"] if row.force_simple else []),
    ]  # fmt: skip
    return run_lmms_eval(args, tmp_path, env=env, timeout=300)


def logged_question_id(sample: dict, prompts: dict[str, str]) -> str:
    """The case a logged sample is: the question id in its target, else the one whose prompt it logged."""
    try:
        return str(json.loads(sample["target"])["question_id"])
    except (KeyError, TypeError, ValueError):
        (question_id,) = [question_id for question_id, prompt in prompts.items() if prompt in str(sample.get("input"))]
        return question_id


def check_row_run(
    row: ModelClassRow, checkpoint: Path, run: LmmsEvalRun, generate_log: Path, truth_by_id: dict[str, TruthCase]
) -> None:
    from transformers import AutoTokenizer

    failures = model_matrix.failure_lines(run.output)
    assert not failures, "\n".join(failures[:20])
    assert run.results["n-samples"][TASK]["effective"] == LIMIT
    logged = run.samples[TASK]
    assert sorted(sample["doc_id"] for sample in logged) == list(range(LIMIT))
    every_prompt = {
        case.question_id: build_judge_prompt(case.question, case.answer1_text, case.answer2_text)
        for case in truth_by_id.values()
    }
    cases = [truth_by_id[logged_question_id(sample, every_prompt)] for sample in logged]

    # Every case reached the model, with its image and its whole judge prompt.
    prompts = {case.question_id: every_prompt[case.question_id] for case in cases}
    tokenizer = AutoTokenizer.from_pretrained(checkpoint)
    calls = model_matrix.read_generate_log(generate_log)
    assert len(calls) == LIMIT, f"{len(calls)} generate calls for {LIMIT} cases"
    by_case = model_matrix.check_inputs_reached_the_model(row, calls, tokenizer, IMAGE_TOKEN[row.checkpoint], prompts)

    verdicts, failed = [], 0
    for sample, case in zip(logged, cases, strict=True):
        (raw,) = sample["resps"]
        # The model's new tokens, decoded, are the logged output.
        new_tokens = by_case[case.question_id].new_tokens
        assert 0 < len(new_tokens) <= MAX_NEW_TOKENS
        decoded = tokenizer.decode(new_tokens, skip_special_tokens=True)
        assert raw == model_matrix.expected_output(row, decoded)
        assert raw, "an empty output: nothing reached the verdict filter"
        # The filter's record is its reading of this very output.
        (filtered,) = sample["filtered_resps"]
        record = json.loads(filtered)
        assert record[VERDICT_RECORD_KEY] is True
        assert record["status"] in STATUSES
        verdict = parse_verdict(raw, lone_verdict="overall_only")
        assert filtered == encode_verdict(verdict, "overall_only")
        verdicts.append(dict(verdict.choices))
        failed += verdict.status != "ok"
        counts = sample.get("token_counts") or [None]
        if row.path == "chat" and counts[0] is not None:
            assert counts[0]["output_tokens"] == len(new_tokens)

    # The metrics are what the logged outputs and the label files give.
    expected = model_matrix.independent_metrics(verdicts, cases, failed)
    metrics = run.metrics(TASK)
    for name, value in expected.items():
        assert isinstance(metrics[name], float), name
        assert metrics[name] == pytest.approx(value, abs=1e-12), name
    assert set(expected) == {*(f"{dimension}_acc" for dimension in DIMENSIONS), "mean_acc", "parse_failure_rate"}


@pytest.mark.parametrize("row", TESTED_ROWS)
def test_lmms_eval_model_class_runs_the_benchmark(
    row: ModelClassRow, tiny_checkpoint, truth_by_id: dict[str, TruthCase], tmp_path: Path
) -> None:
    require_modules("lmms_eval", "decord", "qwen_vl_utils")
    from lmms_eval.models import MODEL_REGISTRY_V2

    # The class this row names, as lmms-eval resolves it (nothing in the run logs it).
    assert MODEL_REGISTRY_V2.resolve(row.model, force_simple=row.force_simple).model_type == row.path
    checkpoint = tiny_checkpoint(row.checkpoint)

    if row.status == "needs_torchvision" and not torchvision_imports():
        # Where torchvision is missing, the class must stop for exactly the documented reason.
        from transformers import AutoProcessor

        with pytest.raises(ImportError, match="requires the Torchvision library"):
            AutoProcessor.from_pretrained(checkpoint)
        return

    lmms_eval_root = None
    if row.status == "works_with_patch":
        lmms_eval_root = model_matrix.patched_lmms_eval(tmp_path / "patched", row.patches)
    run = run_row(row, checkpoint, tmp_path / "run", lmms_eval_root=lmms_eval_root)
    check_row_run(row, checkpoint, run, tmp_path / "run" / "generate.jsonl", truth_by_id)


def test_qwen3_vl_simple_with_interleave_visuals_drops_the_image(tiny_checkpoint, tmp_path: Path) -> None:
    """The README's warning: with interleave_visuals on, qwen3_vl's simple class places images only at
    ``<image N>`` markers, and the judge prompt has none, so the model never sees the image."""
    require_modules("lmms_eval", "decord", "qwen_vl_utils")
    (row,) = [row for row in MATRIX.rows if row.id == "qwen3_vl-simple"]
    interleaved = dataclasses.replace(row, test_args=f"{row.test_args},interleave_visuals=True")
    run = run_row(interleaved, tiny_checkpoint(row.checkpoint), tmp_path)
    assert run.results["n-samples"][TASK]["effective"] == LIMIT
    calls = model_matrix.read_generate_log(tmp_path / "generate.jsonl")
    assert len(calls) == LIMIT
    from transformers import AutoTokenizer

    image_token_id = AutoTokenizer.from_pretrained(tiny_checkpoint(row.checkpoint)).convert_tokens_to_ids(
        "<|image_pad|>"
    )
    for call in calls:
        assert image_token_id not in call.input_ids
        assert not any(name.startswith("pixel_values") for name in call.tensors)
