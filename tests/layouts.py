"""Small hand-made data folders in the Hub layout, for data-validation tests."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from PIL import Image

SIX_A = dict.fromkeys(("accuracy", "relevance", "comprehensiveness", "creativity", "responsiveness", "overall"), "A")


def png(shade: int = 90) -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (8, 8), shade).save(buffer, format="PNG")
    return buffer.getvalue()


def case_row(question_id: Any, organ: str = "brain", **overrides: Any) -> dict[str, Any]:
    row = {
        "image": {"bytes": png(), "path": f"{question_id}.png"},
        "question": f"What is seen in image {question_id}?",
        "answer1_text": "A small lesion.",
        "answer2_text": "Nothing abnormal.",
        "question_id": question_id,
        "modality_type": organ,
        "body_part": organ,
    }
    row.update(overrides)
    return row


def write_organ(root: Path, organ: str, rows: list[dict[str, Any]], labels: list[Any] | None) -> Path:
    """Write pair_gt_all/parquet/<organ>.parquet and, unless labels is None, pair_gt_all/<organ>.jsonl.

    A label entry that is a str is written as the raw line (to make malformed files).
    """
    parquet_dir = root / "pair_gt_all" / "parquet"
    parquet_dir.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows), parquet_dir / f"{organ}.parquet")
    if labels is not None:
        lines = [entry if isinstance(entry, str) else json.dumps(entry) for entry in labels]
        (root / "pair_gt_all" / f"{organ}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def label(question_id: Any, **winners: str) -> dict[str, Any]:
    return {"question_id": question_id, "human_answer": {**SIX_A, **winners}}
