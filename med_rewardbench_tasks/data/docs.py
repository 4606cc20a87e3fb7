"""The lmms-eval docs of a task, built over the cases' image bytes without copying them.

At the benchmark's real size the images are the memory: 1,026 scans of about half a MiB.
The validated cases hold each image once (as ``bytes``); the docs' Arrow table points at
those same bytes (one zero-copy Arrow buffer per image), and the swap tasks' second order
points at them again. The dataset gets an explicit fingerprint, because ``datasets``
would otherwise serialise the whole table once just to hash it.

The image column is a ``datasets.Image(decode=False)`` feature: lmms-eval recognises it as
media (and leaves it out of the docs it scores), and ``doc_to_visual`` decodes it with the
package's own rules (:func:`med_rewardbench_tasks.images.judge_image`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from med_rewardbench_tasks.constants import DIMENSIONS
from med_rewardbench_tasks.records import ORGAN_COLUMN, SOURCE_COLUMN, SWAPPED_COLUMN

if TYPE_CHECKING:
    import datasets
    import pyarrow as pa

    from .model import Case

# Doc column -> Case attribute. The organ column has the Hub dataset's name, as the hooks read it.
_TEXT_COLUMNS = {
    "question_id": "question_id",
    ORGAN_COLUMN: "organ",
    "question": "question",
    "answer1_text": "answer1_text",
    "answer2_text": "answer2_text",
}


def image_struct(data: bytes) -> pa.StructArray:
    """A one-row ``{bytes, path}`` struct whose bytes are ``data`` itself (no copy)."""
    import numpy as np
    import pyarrow as pa

    offsets = pa.py_buffer(np.array([0, len(data)], dtype=np.int32).tobytes())
    binary = pa.Array.from_buffers(pa.binary(), 1, [None, offsets, pa.py_buffer(data)])
    return pa.StructArray.from_arrays(
        [binary, pa.nulls(1, pa.string())], fields=[pa.field("bytes", pa.binary()), pa.field("path", pa.string())]
    )


def build_docs(cases: Sequence[Case], *, both_orders: bool, metadata_columns: Sequence[str]) -> datasets.Dataset:
    """One row per case, or two (original, then swapped) with ``both_orders``; see the module docstring."""
    import datasets
    import pyarrow as pa
    from datasets.table import InMemoryTable

    orders = (False, True) if both_orders else (False,)
    presentations = [(case, swapped) for case in cases for swapped in orders]
    features = datasets.Features(
        {
            **{column: datasets.Value("string") for column in _TEXT_COLUMNS},
            "human_answer": {dimension: datasets.Value("string") for dimension in DIMENSIONS},
            SWAPPED_COLUMN: datasets.Value("bool"),
            SOURCE_COLUMN: datasets.Value("string"),
            "image": datasets.Image(decode=False),
            **{column: datasets.Value("string") for column in metadata_columns},
        }
    )
    schema = features.arrow_schema
    images = {id(case): image_struct(case.image) for case in cases}
    columns: dict[str, Any] = {
        **{column: [getattr(case, field) for case, _ in presentations] for column, field in _TEXT_COLUMNS.items()},
        "human_answer": [dict(case.labels) for case, _ in presentations],
        SWAPPED_COLUMN: [swapped for _, swapped in presentations],
        SOURCE_COLUMN: [case.source for case, _ in presentations],
        **{column: [case.metadata.get(column) for case, _ in presentations] for column in metadata_columns},
    }
    arrays = [
        pa.chunked_array([images[id(case)] for case, _ in presentations], type=schema.field("image").type)
        if name == "image"
        else pa.array(columns[name], type=schema.field(name).type)
        for name in schema.names
    ]
    table = pa.Table.from_arrays(arrays, schema=schema)
    fingerprint = hashlib.sha256(
        repr((both_orders, [(case.source, case.organ, case.question_id, len(case.image)) for case in cases])).encode()
    ).hexdigest()[:32]
    return datasets.Dataset(InMemoryTable(table), info=datasets.DatasetInfo(features=features), fingerprint=fingerprint)
