"""Small hand-made data folders, for data-validation and discovery tests.

``write_organ`` writes the paper pipeline's layout (``pair_gt_all/...``). ``LAYOUTS`` writes
one small benchmark — brain cases 1 and 2, lower-limb case 3 — in each layout the loader
must find, with the expected result in ``EXPECTED`` (written here by hand, not by the
package).
"""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from PIL import Image

DIMENSIONS = ("accuracy", "relevance", "comprehensiveness", "creativity", "responsiveness", "overall")
SIX_A = dict.fromkeys(DIMENSIONS, "A")


def png(shade: int = 90, size: int = 8) -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (size, size), shade).save(buffer, format="PNG")
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
    write_parquet(parquet_dir / f"{organ}.parquet", rows)
    if labels is not None:
        write_jsonl(root / "pair_gt_all" / f"{organ}.jsonl", labels)
    return root


def write_parquet(path: Path, rows: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows), path)


def write_jsonl(path: Path, records: list[Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [entry if isinstance(entry, str) else json.dumps(entry) for entry in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def label(question_id: Any, **winners: str) -> dict[str, Any]:
    return {"question_id": question_id, "human_answer": {**SIX_A, **winners}}


# ---------------------------------------------------------------------------------------
# One benchmark, many layouts
# ---------------------------------------------------------------------------------------
WINNERS = {1: SIX_A, 2: {**SIX_A, "overall": "B"}, 3: {**SIX_A, "accuracy": "B"}}
ORGAN_OF = {1: "brain", 2: "brain", 3: "lower_limb"}
SHADE = {1: 11, 2: 22, 3: 33}
# (organ, question_id) -> (labels, image bytes)
EXPECTED = {(ORGAN_OF[i], str(i)): (WINNERS[i], png(SHADE[i])) for i in (1, 2, 3)}


def _row(i: int, *, organ_value: str | None = None, image: Any = None, labels: Any = None) -> dict[str, Any]:
    row: dict[str, Any] = {
        "question_id": i,
        "question": f"What is seen in image {i}?",
        "answer1_text": f"Answer one of case {i}.",
        "answer2_text": f"The second answer of case {i}.",
        "image": {"bytes": png(SHADE[i]), "path": f"{i}.png"} if image is None else image,
    }
    if organ_value is not None:
        row["modality_type"] = organ_value
    if labels is not None:
        row["human_answer"] = labels
    return row


def _pair_gt_all(root: Path) -> None:
    for organ, ids in (("brain", (1, 2)), ("lower_limb", (3,))):
        write_organ(root, organ, [_row(i, organ_value=organ) for i in ids], [label(i, **WINNERS[i]) for i in ids])


def _flat_any_depth(root: Path) -> None:
    write_parquet(root / "cases" / "Brain.parquet", [_row(1), _row(2)])
    write_parquet(root / "cases" / "deep" / "Lower Limb.parquet", [_row(3, organ_value="Lower Limb")])
    write_jsonl(root / "labels" / "BRAIN.jsonl", [label(1), label(2, overall="B")])
    (root / "labels" / "lower-limb.json").write_text(json.dumps([label(3, accuracy="B")]))


def _sharded(root: Path) -> None:
    write_parquet(root / "brain-00000-of-00002.parquet", [_row(1, labels=WINNERS[1])])
    write_parquet(root / "brain-00001-of-00002.parquet", [_row(2, labels=WINNERS[2])])
    write_parquet(root / "lower_limb-00000-of-00001.parquet", [_row(3, labels=WINNERS[3])])


def _organ_folders(root: Path) -> None:
    # Labels as a JSON string column; folder names in other spellings.
    write_parquet(root / "Brain" / "0000.parquet", [_row(1, labels=json.dumps(WINNERS[1]))])
    write_parquet(root / "Brain" / "0001.parquet", [_row(2, labels=json.dumps(WINNERS[2]))])
    write_parquet(root / "LOWER-LIMB" / "0000.parquet", [_row(3, labels=json.dumps(WINNERS[3]))])


def _hub_features(*extra: str) -> Any:
    """The columns as `datasets` types them on the Hub: ids as text, the image a datasets.Image, labels a struct."""
    import datasets

    return datasets.Features(
        {
            "question_id": datasets.Value("string"),
            "modality_type": datasets.Value("string"),
            "question": datasets.Value("string"),
            "answer1_text": datasets.Value("string"),
            "answer2_text": datasets.Value("string"),
            "image": datasets.Image(),
            "human_answer": {dimension: datasets.Value("string") for dimension in DIMENSIONS},
            **{column: datasets.Value("string") for column in extra},
        }
    )


def _write_with_datasets(path: Path, rows: list[dict[str, Any]], features: Any) -> None:
    import datasets

    datasets.Dataset.from_dict({name: [row[name] for row in rows] for name in features}, features).to_parquet(str(path))


def _datasets_data_dir(root: Path) -> None:
    """data/<organ>/test-*.parquet as `datasets` writes it, with a train split that must not be read."""
    features = _hub_features()
    for organ, ids in (("brain", (1, 2)), ("lower_limb", (3,))):
        rows = [{**_row(i, organ_value=organ, labels=WINNERS[i]), "question_id": str(i)} for i in ids]
        _write_with_datasets(root / "data" / organ / "test-00000-of-00001.parquet", rows, features)
        decoy = {**rows[0], "question_id": "99"}
        _write_with_datasets(root / "data" / organ / "train-00000-of-00001.parquet", [decoy], features)


def _one_table_modality_type(root: Path) -> None:
    rows = [
        _row(1, organ_value="BRAIN", labels=WINNERS[1]),
        _row(3, organ_value="Lower Limb", labels=WINNERS[3]),
        _row(2, organ_value="brain", labels=WINNERS[2]),
    ]
    write_parquet(root / "data" / "test-00000-of-00001.parquet", rows)


def _shards_organ_column(root: Path) -> None:
    def with_organ(i: int, value: str) -> dict[str, Any]:
        return {**_row(i), "organ": value}

    write_parquet(root / "all-00000-of-00002.parquet", [with_organ(1, "brain"), with_organ(3, "lower-limb")])
    write_parquet(root / "all-00001-of-00002.parquet", [with_organ(2, "Brain")])
    write_jsonl(root / "labels.jsonl", [label(i, **WINNERS[i]) for i in (3, 1, 2)])


def _images_as_raw_bytes(root: Path) -> None:
    for organ, ids in (("brain", (1, 2)), ("lower_limb", (3,))):
        rows = [_row(i, organ_value=organ, image=png(SHADE[i])) for i in ids]
        write_organ(root, organ, rows, [label(i, **WINNERS[i]) for i in ids])


def _images_by_path(root: Path) -> None:
    """Paths relative to the file that names them: a JSON Lines table, and a parquet struct with no bytes."""
    (root / "brain" / "images").mkdir(parents=True)
    for i in (1, 2):
        (root / "brain" / "images" / f"{i}.png").write_bytes(png(SHADE[i]))
    write_jsonl(
        root / "brain" / "brain.jsonl",
        [{**_row(i, image=f"images/{i}.png"), "human_answer": WINNERS[i]} for i in (1, 2)],
    )
    (root / "scans").mkdir()
    (root / "scans" / "3.png").write_bytes(png(SHADE[3]))
    write_parquet(
        root / "lower_limb" / "cases.parquet",
        [_row(3, image={"bytes": None, "path": "../scans/3.png"}, labels=WINNERS[3])],
    )


BUILD_DATASET_CARD = """---
license: other
configs:
- config_name: brain
  data_files:
  - split: test
    path: brain/test-*
- config_name: lower_limb
  data_files:
  - split: test
    path: lower_limb/test-*
- config_name: all
  data_files:
  - split: test
    path: "*/test-*"
---

# Med-RewardBench
"""


def _build_dataset_form(root: Path) -> None:
    """What `med-rewardbench build-dataset OUT` writes: a config per organ, datasets.Image, labels as a struct."""
    features = _hub_features("department")
    for organ, ids in (("brain", (1, 2)), ("lower_limb", (3,))):
        rows = [
            {**_row(i, organ_value=organ, labels=WINNERS[i]), "question_id": str(i), "department": "radiology"}
            for i in ids
        ]
        _write_with_datasets(root / organ / "test-00000-of-00001.parquet", rows, features)
    (root / "README.md").write_text(BUILD_DATASET_CARD, encoding="utf-8")


def _parquet_converter(root: Path) -> None:
    """<config>/<split>/0000.parquet, as the Hub's parquet converter publishes datasets."""
    for organ, ids in (("brain", (1, 2)), ("lower_limb", (3,))):
        write_parquet(
            root / organ / "test" / "0000.parquet", [_row(i, organ_value=organ, labels=WINNERS[i]) for i in ids]
        )


def _card_data_dir(root: Path) -> None:
    """Configs that name their folder by data_dir (no data_files), in a card saved with a BOM and CRLF line ends."""
    card = "---\nconfigs:\n"
    for folder, config, ids in (("set_a", "Brain", (1, 2)), ("set_b", "Lower Limb", (3,))):
        write_parquet(root / folder / "test-00000-of-00001.parquet", [_row(i, labels=WINNERS[i]) for i in ids])
        write_parquet(root / folder / "train-00000-of-00001.parquet", [_row(1, labels=SIX_A) | {"question_id": 99}])
        card += f"- config_name: {config}\n  data_dir: {folder}\n"
    (root / "README.md").write_bytes(b"\xef\xbb\xbf" + (card + "---\n").replace("\n", "\r\n").encode())


def _images_from_the_root(root: Path) -> None:
    """JSON Lines in a folder naming images by paths from the dataset's root; a BOM and CRLF line ends."""
    for i in (1, 2, 3):
        (root / "images" / ORGAN_OF[i]).mkdir(parents=True, exist_ok=True)
        (root / "images" / ORGAN_OF[i] / f"{i:03d}.png").write_bytes(png(SHADE[i]))
    for organ, ids in (("brain", (1, 2)), ("lower_limb", (3,))):
        records = [_row(i, image=f"images/{organ}/{i:03d}.png", labels=WINNERS[i]) for i in ids]
        text = "\r\n".join(json.dumps(record) for record in records) + "\r\n"
        (root / "annotations").mkdir(exist_ok=True)
        (root / "annotations" / f"{organ}.jsonl").write_bytes(b"\xef\xbb\xbf" + text.encode())


def _json_shapes(root: Path) -> None:
    """.json files as others write them: JSON Lines (Dataset.to_json), and columns (json.dump of Dataset.to_dict())."""
    (root / "scans").mkdir(parents=True)
    for i in (1, 2, 3):
        (root / "scans" / f"{i}.png").write_bytes(png(SHADE[i]))
    brain = [_row(i, image=f"scans/{i}.png", labels=WINNERS[i]) for i in (1, 2)]
    (root / "brain.json").write_text("".join(json.dumps(row) + "\n" for row in brain))
    limb = [_row(3, image="scans/3.png", labels=WINNERS[3])]
    (root / "lower_limb.json").write_text(json.dumps({column: [row[column] for row in limb] for column in limb[0]}))


def _named_label_files(root: Path) -> None:
    """Label files told by their name or folder: labels/<organ>.jsonl beside cases/<organ>.jsonl, <organ>_labels.jsonl
    beside <organ>.parquet; labels as six fields with capitalised keys, and ids zero-padded beside numeric ones."""
    (root / "cases" / "images").mkdir(parents=True)
    for i in (1, 2):
        (root / "cases" / "images" / f"{i}.png").write_bytes(png(SHADE[i]))
    write_jsonl(root / "cases" / "brain.jsonl", [_row(i, image=f"images/{i}.png") for i in (1, 2)])
    write_jsonl(root / "labels" / "brain.jsonl", [{"question_id": i, **WINNERS[i]} for i in (1, 2)])
    write_parquet(root / "lower_limb.parquet", [_row(3)])
    capitalised = {dimension.capitalize(): winner for dimension, winner in WINNERS[3].items()}
    write_jsonl(root / "lower_limb_labels.jsonl", [{"question_id": "003", "human_answer": capitalised}])


def _one_json_table(root: Path) -> None:
    """An ImageFolder-style test/metadata.jsonl of all organs (file_name), labels.jsonl of all, and a stray JSON."""
    (root / "test" / "scans").mkdir(parents=True)
    for i in (1, 2, 3):
        (root / "test" / "scans" / f"{i}.png").write_bytes(png(SHADE[i]))
    rows = [_row(i, organ_value=ORGAN_OF[i]) for i in (3, 1, 2)]
    rows = [
        {k: v for k, v in row.items() if k != "image"} | {"file_name": f"scans/{row['question_id']}.png"}
        for row in rows
    ]
    write_jsonl(root / "test" / "metadata.jsonl", rows)
    write_jsonl(root / "labels.jsonl", [label(i, **WINNERS[i]) for i in (1, 2, 3)])
    (root / "stats.json").write_text(json.dumps({"cases": 3}))


def _numbered_parquet_files(root: Path) -> None:
    """default/test/0000.parquet, 0001.parquet: one table of all organs, as the Hub's parquet converter writes it."""
    write_parquet(root / "default" / "test" / "0000.parquet", [_row(1, organ_value="brain", labels=WINNERS[1])])
    write_parquet(
        root / "default" / "test" / "0001.parquet",
        [_row(3, organ_value="lower-limb", labels=WINNERS[3]), _row(2, organ_value="Brain", labels=WINNERS[2])],
    )


def _data_uri_images(root: Path) -> None:
    for organ, ids in (("brain", (1, 2)), ("lower_limb", (3,))):
        uri = "data:image/png;base64,{}"
        rows = [_row(i, image=uri.format(base64.b64encode(png(SHADE[i])).decode()), labels=WINNERS[i]) for i in ids]
        write_jsonl(root / f"{organ}.jsonl", rows)


LAYOUTS: dict[str, Callable[[Path], None]] = {
    "pair_gt_all": _pair_gt_all,
    "organ-named-files-at-any-depth": _flat_any_depth,
    "sharded-organ-files": _sharded,
    "organ-folders": _organ_folders,
    "datasets-data-organ-test-shards": _datasets_data_dir,
    "one-table-with-modality_type": _one_table_modality_type,
    "shards-of-all-organs-with-organ-column": _shards_organ_column,
    "images-as-raw-bytes": _images_as_raw_bytes,
    "images-by-relative-path": _images_by_path,
    "build-dataset-output": _build_dataset_form,
    "hub-parquet-converter": _parquet_converter,
    "card-configs-by-data-dir": _card_data_dir,
    "image-paths-from-the-dataset-root": _images_from_the_root,
    "json-as-columns-and-as-json-lines": _json_shapes,
    "label-files-named-as-labels": _named_label_files,
    "one-json-table-of-all-organs": _one_json_table,
    "numbered-parquet-files-of-all-organs": _numbered_parquet_files,
    "images-as-data-uris": _data_uri_images,
}
