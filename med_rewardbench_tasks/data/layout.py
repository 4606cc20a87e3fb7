"""Finding each organ system's cases and labels in a dataset's file list, whatever its layout.

The input is the list of files a dataset holds (paths relative to its root, ``/``
separated), from a Hub repository or a local copy alike, and optionally its dataset card.
Nothing is read here; the result says which files hold which organ's cases and labels.

A table file is a ``.parquet``, ``.jsonl`` or ``.json`` file. Its organ system is its
name without extension and shard suffix (``brain.parquet``, ``Lower Limb.jsonl``,
``lower-limb-00000-of-00003.parquet``), also with a split or label word before or after it
(``brain_test.parquet``, ``brain_labels.jsonl``, ``gt-brain.json``), or else the nearest
folder named after one (``brain/test-00000-of-00002.parquet``, ``data/brain/test-*.parquet``).
Names match case-insensitively, with spaces, hyphens and underscores alike. Files that
differ only in their shard index form one set, and so do the files of one folder named by
number only (``default/test/0000.parquet``, ``0001.parquet``, as the Hub's parquet
converter writes them). A file with a label word in its name (``brain_labels.jsonl``), or
under a folder named by such words only (``labels/``, ``gt/``, ``ground_truth/``), holds
labels. Per organ:

* its **cases** are its parquet set (not named as labels); with none, its one JSON(L) set
  (a label file is read as cases only when nothing else is there);
* its **labels** are its label set, or a JSON(L) set of it next to parquet cases, if any (else
  the cases must carry a ``human_answer`` column, or the six dimensions as columns);
* an organ without files of its own is read from the one parquet table (or set of shards)
  named after no organ (``data/test-*.parquet``, ``all.parquet``), selecting its rows by the
  table's ``modality_type`` or ``organ`` column; with no such parquet table, from the one
  JSON(L) set named after no organ (``test.jsonl``, ``metadata.jsonl``) that holds cases
  (:mod:`.cases` checks its columns). Other files of no organ (``labels.jsonl``) are read
  only as the labels of cases that carry none.

A dataset card (``README.md`` with a ``configs:`` header, as ``datasets`` writes it) whose
config is named after an organ decides that organ's cases outright (its ``data_files``,
or every table file under its ``data_dir``). Two candidate sets for one role of one organ
are an error listing both: guessing could judge the wrong cases.
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
# A name or folder with one of these words holds labels (brain_labels.jsonl, gt/brain.json).
_LABEL_WORDS: Final = frozenset(
    tuple(words.split())
    for words in ("label", "labels", "gt", "ground truth", "groundtruth", "human answer", "human answers")
)
_SEPARATORS: Final = re.compile(r"[\s\-_]+")

Family = Literal["parquet", "json"]


def organ_of(name: object) -> Organ | None:
    """The organ system a name denotes ("Lower Limb", "lower-limb", "GASTROINTESTINAL_TRACT"), or None."""
    if not isinstance(name, str):
        return None
    normal = _SEPARATORS.sub("_", name.strip().lower()).strip("_")
    return normal if normal in ORGANS else None  # type: ignore[return-value]


@dataclass(frozen=True)
class _Name:
    """What a file or folder name says: its organ, whether it holds labels, its split."""

    organ: Organ | None
    labels: bool
    split: str | None
    only_affixes: bool  # nothing but split and label words ("labels", "test", "gt")


def _read_name(name: str) -> _Name:
    """``brain``, ``brain_labels``, ``test-brain``, ``gt_lower_limb_test``: words of a split or of labels may
    stand before or after an organ's name; any other word makes it no organ's name (``brain_mri``)."""
    words = tuple(word for word in _SEPARATORS.split(name.strip().lower()) if word)
    labels, split = False, None
    stripped = True
    while words and stripped:
        stripped = False
        for affix in (*_LABEL_WORDS, *((word,) for word in _SPLIT_NAMES)):
            size = len(affix)
            if len(words) >= size and (words[:size] == affix or words[-size:] == affix):
                words = words[size:] if words[:size] == affix else words[:-size]
                if affix in _LABEL_WORDS:
                    labels = True
                else:
                    split = split or affix[0]
                stripped = True
                break
    return _Name(organ_of("_".join(words)) if words else None, labels, split, not words)


@dataclass(frozen=True)
class FileSet:
    """Table files read as one: a single file, or the shards of one."""

    paths: tuple[str, ...]
    family: Family
    organ: Organ | None
    shard_count: int | None = None
    holds_labels: bool = False  # named as labels (brain_labels.jsonl, labels/brain.parquet)
    split: str | None = (
        None  # the split its name gives (brain_test.parquet, data/test-*.parquet, .../test/0000.parquet)
    )

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
    shared_parquet: tuple[FileSet, ...]  # tables of all organs
    # Of no organ, the JSON(L) sets and those named as labels: labels of all organs, or one JSON table of all organs.
    shared_files: tuple[FileSet, ...]
    listing_summary: str
    where: str
    # Of shared_files, those that may be a table of all organs (not named as labels; no parquet table is there).
    # Discovery reads nothing, so :func:`.cases.layout_of` drops those whose columns are not a case's.
    shared_json_tables: tuple[FileSet, ...] = ()

    def organs(self) -> list[Organ]:
        """Organ systems that files (or the card) are named after, in canonical order."""
        named = {s.organ for s in self.sets} | set(self.from_card)
        return [organ for organ in ORGANS if organ in named]

    def shared_table(self) -> FileSet | None:
        """The one table of all organs, if there is exactly one candidate."""
        tables = self.shared_parquet or self.shared_json_tables
        return tables[0] if len(tables) == 1 else None

    def plan(self, organ: Organ) -> OrganPlan:
        """Where ``organ``'s cases and labels are; raises naming the candidates when that is not clear."""
        own = [s for s in self.sets if s.organ == organ]
        parquet = _prefer_test_split([s for s in own if s.family == "parquet" and not s.holds_labels])
        json_sets = _prefer_test_split([s for s in own if s.family == "json" and not s.holds_labels])
        named_labels = _prefer_test_split([s for s in own if s.holds_labels])
        if organ in self.from_card:
            card_set = self.from_card[organ]
            labels = [s for s in named_labels + json_sets if not set(s.paths) & set(card_set.paths)]
            return self._with_labels(OrganPlan(organ, card_set, None), labels)
        if parquet:
            if len(parquet) > 1:
                raise _ambiguous(organ, "case", parquet, self.where)
            return self._with_labels(OrganPlan(organ, parquet[0], None), named_labels + json_sets)
        if json_sets and not self.shared_parquet:
            if len(json_sets) > 1:
                raise _ambiguous(organ, "case", json_sets, self.where)
            return self._with_labels(OrganPlan(organ, json_sets[0], None), named_labels)
        shared = self.shared_parquet or self.shared_json_tables
        if len(shared) > 1:
            raise DataValidationError(
                f"{self.where}: no case files are named after organ system {organ!r}, and several tables could hold "
                f"all organs: {'; '.join(s.describe() for s in shared)}. Name the organs in the file names, or keep "
                f"one such table"
            )
        if shared:
            return self._with_labels(OrganPlan(organ, shared[0], None, shared=True), named_labels + json_sets)
        if len(named_labels) == 1:  # nothing else is there: a label file may hold the cases too
            return self._with_labels(OrganPlan(organ, named_labels[0], None), [])
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
        others = tuple(s for s in self.shared_files if s != plan.cases)
        named = tuple(s for s in others if s.holds_labels)
        return OrganPlan(plan.organ, plan.cases, None, label_candidates=named or others, shared=plan.shared)


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
    """The split a set is named for (``test-*.parquet``, ``brain_test.jsonl``, ``.../test/0000.parquet``), if any."""
    return file_set.split


def _group(paths: Iterable[str]) -> list[FileSet]:
    """Sets of files read as one: shards of one name, or the files of a folder named after an organ or by number."""
    groups: dict[tuple[str, str, str, Organ | None, int | None, bool, str | None], list[str]] = {}
    for path in sorted(paths):
        family = _family(path)
        assert family is not None
        match = _SHARD_SUFFIX.match(_stem(path))
        count = int(match["count"]) if match else None
        base = _base(path)
        name = _read_name(base)
        folders = [_read_name(folder) for folder in reversed(path.split("/")[:-1])]
        split = name.split or next((f.split for f in folders[:1] if f.split and f.organ is None), None)
        holds_labels = name.labels or any(f.labels and f.only_affixes for f in folders)
        organ = name.organ
        if organ is None:
            organ = next((f.organ for f in folders if f.organ is not None), None)
            if (organ is not None and base not in _SPLIT_NAMES) or base.isdigit():
                # Inside an organ's folder every file of a kind is a shard of its cases (brain/0000.parquet,
                # brain/0001.parquet), and so are the files of a folder named by number (default/test/0000.parquet).
                base, count = "", None
        key = (posixpath.dirname(path), family, base, organ, count, holds_labels, split)
        groups.setdefault(key, []).append(path)
    return [
        FileSet(tuple(sorted(paths, key=lambda p: (_shard_index(p), p))), family, organ, count, holds_labels, split)
        for (_, family, _, organ, count, holds_labels, split), paths in groups.items()
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
    """``config_name`` -> file patterns of its test split (or of all its files), from a card's YAML header.

    Patterns are relative to the config's ``data_dir`` when it has one; a config with only a
    ``data_dir`` means every file under it.
    """
    card_text = (card_text or "").lstrip("\ufeff")  # a card saved with a byte order mark
    if not card_text.startswith("---"):
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
        data_dir = config.get("data_dir")
        prefix = data_dir.strip("/") + "/" if isinstance(data_dir, str) and data_dir.strip("/") else ""
        if data_files is None and prefix:
            found = ["**"]
        elif isinstance(data_files, str):
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
        patterns[config["config_name"]] = [prefix + pattern.removeprefix("./") for pattern in found]
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
        matched = _matching(candidates, patterns)
        # Parquet wins over JSON(L) matched beside it (labels under a data_dir), cases over files named as labels,
        # and a test split over others.
        family: Family = "parquet" if any(_family(path) == "parquet" for path in matched) else "json"
        groups = _group(path for path in matched if _family(path) == family)
        groups = _prefer_test_split([group for group in groups if not group.holds_labels] or groups)
        chosen = groups[0].paths if len(groups) == 1 else [path for group in groups for path in group.paths]
        matched = sorted(chosen, key=lambda p: (posixpath.dirname(p), _shard_index(p), p))
        if not matched:
            continue
        organ = organ_of(name)
        if organ is not None:
            from_card[organ] = FileSet(tuple(matched), family, organ)
        elif not any(organ_for[path] for path in matched):  # an "all" config that only re-lists organ files is no table
            shared_from_card.append(FileSet(tuple(matched), family, None))

    shared_parquet = [s for s in sets if s.organ is None and s.family == "parquet" and not s.holds_labels]
    if len(shared_from_card) == 1 and shared_from_card[0].family == "parquet":
        shared_parquet = shared_from_card
    of_no_organ = [s for s in sets if s.organ is None and (s.family == "json" or s.holds_labels)]
    shared_files = _prefer_test_split(of_no_organ)
    json_tables = _prefer_test_split([s for s in of_no_organ if s.family == "json" and not s.holds_labels])
    return Layout(
        sets=tuple(sets),
        from_card=from_card,
        shared_parquet=tuple(_prefer_test_split(shared_parquet)),
        shared_files=tuple(shared_files),
        listing_summary=listing_summary(files),
        where=where,
        shared_json_tables=() if shared_parquet else tuple(json_tables),
    )
