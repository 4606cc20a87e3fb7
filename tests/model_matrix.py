"""The model-class compatibility matrix (docs/model_classes.yaml) as typed rows, and what a tested row must show.

A row's claim is checked from three records of one real ``lmms-eval`` run: what reached
``generate`` (``GENERATE_LOG_VARIABLE`` in ``tests/shims/sitecustomize.py`` records the token ids
and tensor shapes of every call), the samples log, and the results file. Nothing here changes
lmms-eval's model classes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

import yaml

from tests.conftest import DIMENSIONS, REPO_ROOT, TruthCase
from tests.lmms_eval_tree import apply_patch, copy_lmms_eval

MATRIX_FILE = REPO_ROOT / "docs" / "model_classes.yaml"
# Read by tests/shims/sitecustomize.py: the file its generate recorder appends to.
GENERATE_LOG_VARIABLE = "MED_REWARDBENCH_GENERATE_LOG"
UPSTREAM = REPO_ROOT / "upstream"

Status = Literal["works", "works_with_patch", "needs_torchvision", "tested_elsewhere", "not_testable"]
Path_ = Literal["chat", "simple"]
Output = Literal["verbatim", "stripped"]
TESTED: frozenset[str] = frozenset({"works", "works_with_patch", "needs_torchvision"})


@dataclass(frozen=True)
class ModelClassRow:
    model: str
    path: Path_
    family: str
    example: str
    status: Status
    note: str = ""
    checkpoint: str | None = None
    hf_class: str | None = None
    image_tokens: int | None = None
    output: Output = "verbatim"
    user_args: str = ""
    model_args: str = ""
    test_args: str = ""
    patches: tuple[str, ...] = ()
    test_file: str | None = None
    requires_modules: tuple[str, ...] = ()
    requires_gpu: bool = False

    @property
    def id(self) -> str:
        return f"{self.model}-{self.path}"

    @property
    def force_simple(self) -> bool:
        """Whether the CLI needs --force_simple for this path (a plain name resolves to chat where one exists)."""
        from lmms_eval.models import MODEL_REGISTRY_V2

        return self.path == "simple" and MODEL_REGISTRY_V2.resolve(self.model).model_type == "chat"


@dataclass(frozen=True)
class Matrix:
    transformers: str
    lmms_eval: str
    gpu: str
    rows: tuple[ModelClassRow, ...] = field(default_factory=tuple)


def _row(raw: Mapping[str, Any], index: int) -> ModelClassRow:
    where = f"{MATRIX_FILE.name}: classes[{index}] ({raw.get('model')!r})"
    known = set(ModelClassRow.__dataclass_fields__)
    unknown = set(raw) - known
    assert not unknown, f"{where}: unknown keys {sorted(unknown)}"
    values = {key: tuple(value) if isinstance(value, list) else value for key, value in raw.items()}
    row = ModelClassRow(**values)
    assert row.status in get_args(Status), f"{where}: status {row.status!r} not in {get_args(Status)}"
    assert row.path in get_args(Path_), f"{where}: path {row.path!r}"
    assert row.output in get_args(Output), f"{where}: output {row.output!r}"
    if row.status in TESTED:
        missing = [name for name in ("checkpoint", "hf_class", "image_tokens", "test_args") if not getattr(row, name)]
        assert not missing, f"{where}: a tested row needs {missing}"
    assert (row.status == "works_with_patch") == bool(row.patches), f"{where}: patches go with works_with_patch"
    assert (row.status == "tested_elsewhere") == bool(row.test_file), f"{where}: test_file goes with tested_elsewhere"
    return row


def load_matrix(path: Path = MATRIX_FILE) -> Matrix:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    rows = tuple(_row(entry, index) for index, entry in enumerate(raw["classes"]))
    ids = [row.id for row in rows]
    assert len(ids) == len(set(ids)), f"{path.name}: a model/path pair is listed twice"
    return Matrix(str(raw["transformers"]), str(raw["lmms_eval"]), str(raw["gpu"]).strip(), rows)


# --- what a tested row must show ----------------------------------------------------------------

ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")
# What a swallowed failure leaves behind: loguru ERROR lines (llava_hf logs "Error ... in
# generating" and scores ""), Python tracebacks, and lmms-eval's "Failed to import" warnings.
FAILURE_SIGNS = re.compile(r"\|\s*ERROR\s*\||Traceback \(most recent call last\)|Failed to import", re.IGNORECASE)


@dataclass(frozen=True)
class GenerateCall:
    """One ``generate`` call as the recorder saw it (batch size 1: one row)."""

    model_class: str
    input_ids: list[int]
    new_tokens: list[int]
    tensors: dict[str, list[int]]


def read_generate_log(path: Path) -> list[GenerateCall]:
    calls = []
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        (input_ids,) = record["input_ids"]
        (sequence,) = record["sequences"]
        # generate() returns the prompt followed by the new tokens (decoder-only models).
        assert sequence[: len(input_ids)] == input_ids, "generate's output does not start with its input"
        calls.append(
            GenerateCall(
                model_class=record["model_class"],
                input_ids=input_ids,
                new_tokens=sequence[len(input_ids) :],
                tensors={name: spec["shape"] for name, spec in record["tensors"].items()},
            )
        )
    return calls


def failure_lines(output: str) -> list[str]:
    return [line for line in ANSI_ESCAPE.sub("", output).splitlines() if FAILURE_SIGNS.search(line)]


def check_inputs_reached_the_model(
    row: ModelClassRow,
    calls: Sequence[GenerateCall],
    tokenizer: Any,
    image_token: str,
    prompts: Mapping[str, str],
) -> dict[str, GenerateCall]:
    """Every case reached ``row.hf_class``'s generate once, with its image tokens, pixels and full judge prompt.

    ``prompts`` maps question ids to their judge prompts; returns the call of each question id.
    """
    image_token_id = tokenizer.convert_tokens_to_ids(image_token)
    by_case: dict[str, GenerateCall] = {}
    for call in calls:
        assert call.model_class == row.hf_class, call.model_class
        assert call.input_ids.count(image_token_id) == row.image_tokens, (
            f"{call.input_ids.count(image_token_id)} {image_token} tokens, expected {row.image_tokens}"
        )
        assert any(name.startswith("pixel_values") for name in call.tensors), sorted(call.tensors)
        text = tokenizer.decode(call.input_ids)
        shown = [question_id for question_id, prompt in prompts.items() if prompt in text]
        assert len(shown) == 1, f"the input holds {len(shown)} of the cases' judge prompts:\n{text[:2000]}"
        assert shown[0] not in by_case, f"case {shown[0]} reached generate twice"
        by_case[shown[0]] = call
    return by_case


def expected_output(row: ModelClassRow, decoded: str) -> str:
    return decoded.strip() if row.output == "stripped" else decoded


def independent_metrics(verdicts: Sequence[Mapping[str, str | None]], cases: Sequence[TruthCase], failed: int) -> dict:
    """Accuracy per dimension, their mean and the parse-failure rate, from winners and the label files."""
    pairs = list(zip(verdicts, cases, strict=True))
    per_dimension = {
        f"{dimension}_acc": sum(verdict.get(dimension) == case.labels[dimension] for verdict, case in pairs)
        / len(pairs)
        for dimension in DIMENSIONS
    }
    return {
        **per_dimension,
        "mean_acc": sum(per_dimension.values()) / len(DIMENSIONS),
        "parse_failure_rate": failed / len(pairs),
    }


# --- upstream patches applied to a copy of the installed lmms-eval ---------------------------------


def patched_lmms_eval(root: Path, patches: Sequence[str]) -> Path:
    """A copy of the installed lmms-eval with the named ``upstream/`` patches applied, in order."""
    copy_lmms_eval(root)
    for name in patches:
        applied = apply_patch(root, UPSTREAM / name)
        assert applied.returncode == 0, f"{name}: {applied.stdout}{applied.stderr}"
    return root
