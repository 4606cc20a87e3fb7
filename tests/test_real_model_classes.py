"""lmms-eval's own local-model classes run the benchmark, with no adapter code, on tiny random checkpoints.

Each test builds nothing itself: session fixtures write a tiny Qwen2.5-VL, Qwen2-VL and
LLaVA checkpoint once (``tests/tiny_models.py``), and the test runs the real ``lmms-eval``
CLI with ``--model_args pretrained=<dir>``, the path a user takes with a real checkpoint.
Random weights write garbage, so the checks are about plumbing, not quality: the model
really generated (token counts, no swallowed errors), every output went through the
verdict filter, and failures to parse are counted in ``parse_failure_rate``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from med_rewardbench_tasks.lmms_eval_tasks import VERDICT_RECORD_KEY, encode_verdict
from med_rewardbench_tasks.parsing import parse_verdict
from tests import tiny_models
from tests.conftest import DIMENSIONS, LmmsEvalRun, require_modules, run_lmms_eval

pytestmark = [pytest.mark.integration, pytest.mark.tiny_model]

TASK = "med_rewardbench_sample"
LIMIT = 4
# Random weights never emit the end-of-turn token on purpose: the cap ends every answer.
MAX_NEW_TOKENS = 16
METRICS = (*(f"{dimension}_acc" for dimension in DIMENSIONS), "mean_acc", "parse_failure_rate")
STATUSES = frozenset({"ok", "partial", "unparseable"})

# The defaults ("auto"/"cuda"/"") all try to use a GPU; the Qwen classes also take the image
# size bounds, which keep an image at 56 x 56 pixels = 4 tokens (see tiny_models).
CPU = "device=cpu,device_map=cpu"
QWEN_PIXELS = f"min_pixels={tiny_models.QWEN_IMAGE_PIXELS},max_pixels={tiny_models.QWEN_IMAGE_PIXELS}"

ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")
# What a swallowed failure leaves behind: loguru ERROR lines (llava_hf logs "Error ... in
# generating" and scores ""), Python tracebacks, and lmms-eval's "Failed to import" warnings.
FAILURE_SIGNS = re.compile(r"\|\s*ERROR\s*\||Traceback \(most recent call last\)|Failed to import", re.IGNORECASE)


@dataclass(frozen=True)
class ModelCase:
    model: str  # the --model name
    force_simple: bool  # pass --force_simple
    kind: str  # the class lmms-eval must resolve to: "chat" or "simple"
    checkpoint: str  # the session fixture that builds the checkpoint
    model_args: str  # after pretrained=<dir>
    needs_shim: bool  # Qwen classes need the torchvision shim where torchvision is missing


def _case(model: str, force_simple: bool, kind: str, checkpoint: str, model_args: str, needs_shim: bool) -> object:
    return pytest.param(
        ModelCase(model, force_simple, kind, checkpoint, model_args, needs_shim),
        id=f"{model}-force_simple" if force_simple else f"{model}-{kind}",
    )


QWEN_ARGS = f"{CPU},{QWEN_PIXELS}"
CASES = [
    # The plain name resolves to the chat class where one exists; --force_simple to the simple one.
    _case("qwen2_5_vl", False, "chat", "tiny_qwen2_5_vl", QWEN_ARGS, needs_shim=True),
    _case("qwen2_5_vl", True, "simple", "tiny_qwen2_5_vl", QWEN_ARGS, needs_shim=True),
    # qwen2_vl has only a simple class, which the plain name resolves to.
    _case("qwen2_vl", False, "simple", "tiny_qwen2_vl", QWEN_ARGS, needs_shim=True),
    _case("llava_hf", False, "chat", "tiny_llava", CPU, needs_shim=False),
    _case("llava_hf", True, "simple", "tiny_llava", CPU, needs_shim=False),
]


def _resolved_kind(model: str, force_simple: bool) -> str:
    from lmms_eval.models import MODEL_REGISTRY_V2

    return MODEL_REGISTRY_V2.resolve(model, force_simple=force_simple).model_type


def _run(case: ModelCase, checkpoint: Path, tmp_path: Path) -> LmmsEvalRun:
    args = [
        "--model", case.model,
        "--model_args", f"pretrained={checkpoint},{case.model_args}",
        "--tasks", TASK,
        "--limit", str(LIMIT),
        "--gen_kwargs", f"max_new_tokens={MAX_NEW_TOKENS}",
        *(["--force_simple"] if case.force_simple else []),
    ]  # fmt: skip
    env = tiny_models.shim_env(tmp_path) if case.needs_shim else None
    return run_lmms_eval(args, tmp_path, env=env, timeout=300)


def _output_tokens(sample: dict) -> list[int] | None:
    """Output-token counts lmms-eval logged for a sample, or None where the class logs none."""
    counts = sample.get("token_counts")
    if not counts or any(count is None for count in counts):
        return None
    return [count["output_tokens"] for count in counts]


@pytest.mark.parametrize("case", CASES)
def test_lmms_eval_model_class_runs_the_benchmark(
    case: ModelCase, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    require_modules("lmms_eval", "decord", *(["qwen_vl_utils"] if case.needs_shim else []))
    # The class this case exercises, as lmms-eval resolves it (nothing in the run logs it).
    assert _resolved_kind(case.model, case.force_simple) == case.kind
    checkpoint = request.getfixturevalue(case.checkpoint)

    run = _run(case, checkpoint, tmp_path)

    output = ANSI_ESCAPE.sub("", run.output)
    failures = [line for line in output.splitlines() if FAILURE_SIGNS.search(line)]
    assert not failures, "\n".join(failures[:20])
    assert run.results["n-samples"][TASK]["effective"] == LIMIT

    logged = run.samples[TASK]
    assert sorted(sample["doc_id"] for sample in logged) == list(range(LIMIT))
    statuses = []
    for sample in logged:
        (raw,) = sample["resps"]
        assert isinstance(raw, str)
        (filtered,) = sample["filtered_resps"]
        record = json.loads(filtered)
        assert record[VERDICT_RECORD_KEY] is True
        assert record["status"] in STATUSES
        # The record is the filter's reading of this very output.
        assert filtered == encode_verdict(parse_verdict(raw, lone_verdict="overall_only"), "overall_only")
        statuses.append(record["status"])

        tokens = _output_tokens(sample)
        if case.kind == "chat":
            # Chat classes return token counts with each output; llava_hf's chat class logs
            # none (and scores "") when generation raised, which this catches.
            assert tokens is not None, f"no token counts logged: {sample.get('token_counts')}"
        if tokens is not None:
            assert all(count > 0 for count in tokens), tokens
            assert all(count <= MAX_NEW_TOKENS for count in tokens), tokens
    # Simple classes log no token counts: the text shows the model generated. (Greedy decoding
    # of fixed weights is deterministic; these checkpoints never start with end-of-turn.)
    assert all(sample["resps"][0] for sample in logged), [sample["resps"] for sample in logged]
    if case.kind == "chat":
        efficiency = run.results["efficiency"]["by_task"][TASK]
        assert efficiency["docs_with_token_counts"] == LIMIT
        assert efficiency["total_output_tokens"] > 0

    metrics = run.metrics(TASK)
    for name in METRICS:
        assert isinstance(metrics[name], float), name
        assert 0.0 <= metrics[name] <= 1.0, (name, metrics[name])
        # lmms-eval's mean over the cases it logged.
        assert metrics[name] == pytest.approx(sum(sample[name] for sample in logged) / LIMIT), name
    assert metrics["parse_failure_rate"] == pytest.approx(sum(status != "ok" for status in statuses) / LIMIT)
