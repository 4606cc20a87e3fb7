"""Finding each organ system's cases and labels in a dataset's file list, whatever its layout.

The input is the list of files a dataset holds (paths relative to its root, ``/``
separated), from a Hub repository or a local copy alike, and optionally its dataset card.
Nothing is read here; the result says which files hold which organ's cases and labels.

A table file is a ``.parquet``, ``.jsonl`` or ``.json`` file. Its organ system is its
name without extension and shard suffix (``brain.parquet``, ``Lower Limb.jsonl``,
``lower-limb-00000-of-00003.parquet``), or else the nearest folder named after one
(``brain/test-00000-of-00002.parquet``, ``data/brain/test-*.parquet``). Names match
case-insensitively, with spaces, hyphens and underscores alike. Files that differ only in
their shard index form one set. Per organ:

* its **cases** are its parquet set; with no parquet, its one JSON(L) set;
* its **labels** are its JSON(L) set next to parquet cases, if any (else the cases must
  carry a ``human_answer`` column);
* an organ without files of its own is read from the one parquet table (or set of shards)
  named after no organ (``data/test-*.parquet``, ``all.parquet``), selecting its rows by the
  table's ``modality_type`` or ``organ`` column; a JSON(L) file named after no organ is only
  ever read as the labels of cases that carry none.

A dataset card (``README.md`` with a ``configs:`` header, as ``datasets`` writes it) whose
config is named after an organ decides that organ's cases outright. Two candidate sets for
one role of one organ are an error listing both: guessing could judge the wrong cases.
"""

from __future__ import annotations

import posixpath
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Literal

from med_rewardbench_tasks.constants import ORGANS, Organ

from .model import DATA_DIR_ENV, DataValidationError

TABLE_EXTENSIONS: Final = (".parquet", ".jsonl", ".json")
CARD_FILE: Final = "README.md"
# Written by datasets.save_to_disk / push_to_hub next to the data; never cases or labels.
_DATASET_METADATA_FILES: Final = frozenset(
    {"dataset_info.json", "dataset_infos.json", "dataset_dict.json", "state.json"}
)
_SHARD_SUFFIX: Final = re.compile(r"^(?P<base>.*?)-(?P<index>\d{5})-of-(?P<count>\d{5})(?:-[0-9a-f]{16})?$")
_SPLIT_NAMES: Final = frozenset({"test", "train", "validation", "val", "dev", "eval"})
_SEPARATORS: Final = re.compile(r"[\s\-_]+")

Family = Literal["parquet", "json"]


def organ_of(name: object) -> Organ | None:
    """The organ system a name denotes ("Lower Limb", "lower-limb", "GASTROINTESTINAL_TRACT"), or None."""
    if not isinstance(name, str):
        return None
    normal = _SEPARATORS.sub("_", name.strip().lower()).strip("_")
    return normal if normal in ORGANS else None  # type: ignore[return-value]


@dataclass(frozen=True)
class FileSet:
    """Table files read as one: a single file, or the shards of one."""

    paths: tuple[str, ...]
    family: Family
    organ: Organ | None
    shard_count: int | None = None

    def describe(self) -> str:
        if len(self.paths) == 1:
            return self.paths[0]
        return f"{self.paths[0]} (+{len(self.paths) - 1} more shards)"

    def missing_shards(self) -> list[int]:
        if self.shard_count is None:
            return []
        present = {_shard_index(path) for path in self.paths}
        return [index for index in range(self.shard_count) if index not in present]


@dataclass(frozen=True)
class OrganPlan:
    """Where one organ's cases and labels are: files named after it, or a shared table."""

    organ: Organ
    cases: FileSet
    labels: FileSet | None
    # Tables of all organs that may hold the labels, used only when the cases carry none.
    label_candidates: tuple[FileSet, ...] = ()
    shared: bool = False

    def files(self) -> tuple[str, ...]:
        return self.cases.paths + (self.labels.paths if self.labels else ())


@dataclass(frozen=True)
class Layout:
    """The table files of one dataset, grouped into sets, ready to be asked about an organ."""

    sets: tuple[FileSet, ...]
    from_card: Mapping[Organ, FileSet]
    shared_parquet: tuple[FileSet, ...]  # tables of all organs (parquet only: a stray .json is no table)
    shared_json: tuple[FileSet, ...]  # label files of all organs, read only for cases without labels
    listing_summary: str
    where: str

    def organs(self) -> list[Organ]:
        """Organ systems that files (or the card) are named after, in canonical order."""
        named = {s.organ for s in self.sets} | set(self.from_card)
        return [organ for organ in ORGANS if organ in named]

    def plan(self, organ: Organ) -> OrganPlan:
        """Where ``organ``'s cases and labels are; raises naming the candidates when that is not clear."""
        parquet = _prefer_test_split([s for s in self.sets if s.organ == organ and s.family == "parquet"])
        json_sets = _prefer_test_split([s for s in self.sets if s.organ == organ and s.family == "json"])
        if organ in self.from_card:
            card_set = self.from_card[organ]
            labels = [s for s in json_sets if not set(s.paths) & set(card_set.paths)]
            return self._with_labels(OrganPlan(organ, card_set, None), labels)
        if parquet:
            if len(parquet) > 1:
                raise _ambiguous(organ, "case", parquet, self.where)
            return self._with_labels(OrganPlan(organ, parquet[0], None), json_sets)
        if json_sets and not self.shared_parquet:
            if len(json_sets) > 1:
                raise _ambiguous(organ, "case", json_sets, self.where)
            return OrganPlan(organ, json_sets[0], None)
        shared = self.shared_parquet
        if len(shared) > 1:
            raise DataValidationError(
                f"{self.where}: no case files are named after organ system {organ!r}, and several tables could hold "
                f"all organs: {'; '.join(s.describe() for s in shared)}. Name the organs in the file names, or keep "
                f"one such table"
            )
        if shared:
            return self._with_labels(OrganPlan(organ, shared[0], None, shared=True), json_sets)
        found = ", ".join(self.organs()) or "none"
        raise DataValidationError(
            f"{self.where}: found no cases of organ system {organ!r} (organ systems found: {found}). Looked for "
            f"<organ>.parquet/.jsonl/.json at any depth, sharded <organ>-00000-of-0000N.parquet, <organ>/ folders "
            f"(data/<organ>/test-*.parquet) and one table of all organs with a modality_type or organ column. "
            f"{self.listing_summary} To use a copy laid out this way, set {DATA_DIR_ENV}=/path/to/copy"
        )

    def _with_labels(self, plan: OrganPlan, label_sets: list[FileSet]) -> OrganPlan:
        if len(label_sets) > 1:
            raise _ambiguous(plan.organ, "label", label_sets, self.where)
        if label_sets:
            return OrganPlan(plan.organ, plan.cases, label_sets[0], shared=plan.shared)
        others = self.shared_json
        return OrganPlan(plan.organ, plan.cases, None, label_candidates=others, shared=plan.shared)


def _shard_index(path: str) -> int:
    match = _SHARD_SUFFIX.match(_stem(path))
    return int(match["index"]) if match else 0


def _stem(path: str) -> str:
    name = posixpath.basename(path)
    for extension in TABLE_EXTENSIONS:
        if name.lower().endswith(extension):
            return name[: -len(extension)]
    return name


def _family(path: str) -> Family | None:
    lowered = path.lower()
    if lowered.endswith(".parquet"):
        return "parquet"
    if lowered.endswith((".jsonl", ".json")):
        return "json"
    return None


def _is_candidate(path: str) -> bool:
    parts = path.split("/")
    if any(part.startswith(".") for part in parts):  # .git, .cache/huggingface, .gitattributes
        return False
    return _family(path) is not None and parts[-1].lower() not in _DATASET_METADATA_FILES


def listing_summary(files: Sequence[str], *, shown: int = 10) -> str:
    """'It holds N files (.png: 40, .md: 1); first: a, b, ...' for error messages."""
    if not files:
        return "It holds no files."
    counts = Counter(posixpath.splitext(path)[1].lower() or "(no extension)" for path in files)
    by_extension = ", ".join(f"{extension}: {count}" for extension, count in counts.most_common())
    first = ", ".join(sorted(files)[:shown]) + (", ..." if len(files) > shown else "")
    return f"It holds {len(files)} files ({by_extension}); first: {first}."


def _base(path: str) -> str:
    """The file name without extension, shard suffix and fingerprint, lower case."""
    match = _SHARD_SUFFIX.match(_stem(path))
    return (match["base"] if match else _stem(path)).lower()


def _split_of(file_set: FileSet) -> str | None:
    """The split a set is named for (``test-*.parquet``, ``.../test/0000.parquet``), if any."""
    first = file_set.paths[0]
    for name in (_base(first), posixpath.basename(posixpath.dirname(first)).lower()):
        if name in _SPLIT_NAMES:
            return name
    return None


def _group(paths: Iterable[str]) -> list[FileSet]:
    """Sets of files read as one: shards of one name, or the files of a folder named after an organ."""
    groups: dict[tuple[str, str, str, Organ | None, int | None], list[str]] = {}
    for path in sorted(paths):
        family = _family(path)
        assert family is not None
        match = _SHARD_SUFFIX.match(_stem(path))
        count = int(match["count"]) if match else None
        base = _base(path)
        organ = organ_of(base)
        if organ is None:
            organ = next((o for o in map(organ_of, reversed(path.split("/")[:-1])) if o is not None), None)
            if organ is not None and base not in _SPLIT_NAMES:
                # Inside an organ's folder every file of a kind is a shard of its cases
                # (brain/0000.parquet, brain/0001.parquet as the Hub's parquet converter writes).
                base, count = "", None
        key = (posixpath.dirname(path), family, base, organ, count)
        groups.setdefault(key, []).append(path)
    return [
        FileSet(tuple(sorted(paths, key=lambda p: (_shard_index(p), p))), family, organ, count)
        for (_, family, _, organ, count), paths in groups.items()
    ]


def _prefer_test_split(sets: list[FileSet]) -> list[FileSet]:
    """Of several split-named sets (test/train/...) of one organ, the test split; otherwise unchanged."""
    splits = [_split_of(s) for s in sets]
    if len(sets) > 1 and None not in splits and splits.count("test") == 1:
        return [sets[splits.index("test")]]
    return sets


def _ambiguous(organ: Organ, role: str, sets: Sequence[FileSet], where: str) -> DataValidationError:
    listed = "; ".join(s.describe() for s in sets)
    return DataValidationError(
        f"{where}: {len(sets)} candidate {role} files for organ system {organ!r}: {listed}. Keep one, or name "
        f"the files of each organ in the dataset card's configs"
    )


def card_configs(card_text: str | None) -> dict[str, list[str]]:
    """``config_name`` -> file patterns of its test split (or of all its files), from a card's YAML header."""
    if not card_text or not card_text.startswith("---"):
        return {}
    import yaml

    header, _, _ = card_text[3:].partition("\n---")
    try:
        meta = yaml.safe_load(header)
    except yaml.YAMLError:
        return {}
    configs = meta.get("configs") if isinstance(meta, dict) else None
    patterns: dict[str, list[str]] = {}
    for config in configs if isinstance(configs, list) else []:
        if not isinstance(config, dict) or not isinstance(config.get("config_name"), str):
            continue
        data_files = config.get("data_files")
        if isinstance(data_files, str):
            found = [data_files]
        elif isinstance(data_files, list) and all(isinstance(item, str) for item in data_files):
            found = list(data_files)
        elif isinstance(data_files, list):
            splits = [item for item in data_files if isinstance(item, dict)]
            chosen = [item for item in splits if item.get("split") == "test"] or splits
            found = []
            for item in chosen:
                path = item.get("path")
                found += [path] if isinstance(path, str) else [p for p in path or [] if isinstance(p, str)]
        else:
            continue
        patterns[config["config_name"]] = found
    return patterns


def _matching(files: Sequence[str], patterns: Sequence[str]) -> list[str]:
    regexes = [re.compile(_glob_regex(pattern)) for pattern in patterns]
    return [path for path in files if any(regex.fullmatch(path) for regex in regexes)]


def _glob_regex(pattern: str) -> str:
    out = []
    index = 0
    while index < len(pattern):
        if pattern.startswith("**/", index):
            out.append("(?:.*/)?")
            index += 3
        elif pattern.startswith("**", index):
            out.append(".*")
            index += 2
        elif pattern[index] == "*":
            out.append("[^/]*")
            index += 1
        elif pattern[index] == "?":
            out.append("[^/]")
            index += 1
        else:
            out.append(re.escape(pattern[index]))
            index += 1
    return "".join(out)


def discover(files: Sequence[str], *, where: str, card_text: str | None = None) -> Layout:
    """Group a dataset's table files for :meth:`Layout.plan` (see the module docstring)."""
    candidates = [path for path in files if _is_candidate(path)]
    sets = _group(candidates)
    organ_for = {path: s.organ for s in sets for path in s.paths}

    from_card: dict[Organ, FileSet] = {}
    shared_from_card: list[FileSet] = []
    for name, patterns in card_configs(card_text).items():
        matched = sorted(_matching(candidates, patterns), key=lambda p: (posixpath.dirname(p), _shard_index(p)))
        if not matched:
            continue
        family: Family = "parquet" if all(_family(path) == "parquet" for path in matched) else "json"
        organ = organ_of(name)
        if organ is not None:
            from_card[organ] = FileSet(tuple(matched), family, organ)
        elif not any(organ_for[path] for path in matched):  # an "all" config that only re-lists organ files is no table
            shared_from_card.append(FileSet(tuple(matched), family, None))

    shared_parquet = [s for s in sets if s.organ is None and s.family == "parquet"]
    if len(shared_from_card) == 1 and shared_from_card[0].family == "parquet":
        shared_parquet = shared_from_card
    return Layout(
        sets=tuple(sets),
        from_card=from_card,
        shared_parquet=tuple(_prefer_test_split(shared_parquet)),
        shared_json=tuple(_prefer_test_split([s for s in sets if s.organ is None and s.family == "json"])),
        listing_summary=listing_summary(files),
        where=where,
    )
