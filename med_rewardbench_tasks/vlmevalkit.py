"""Med-RewardBench for VLMEvalKit: a dataset class for its image-dataset protocol, and its registration.

VLMEvalKit (``vlmeval``) is never imported at module level: the logic lives in
:class:`MedRewardBenchDataset`, a plain class, and :func:`register` builds the real dataset
class by mixing it with VLMEvalKit's ``ImageBaseDataset`` and adds it to VLMEvalKit's
dataset registry, so that ``run.py --data MedRewardBench`` finds it. VLMEvalKit has no
plugin mechanism, so registration must happen in the process that runs ``run.py``; the
launcher (:mod:`med_rewardbench_tasks.vlmevalkit_run`) does that, leaving VLMEvalKit unmodified::

    python -m med_rewardbench_tasks.vlmevalkit /path/to/VLMEvalKit/run.py --data MedRewardBench --model ...

What the adapter guarantees:

* **The judge prompt is ours, for every model.** ``build_prompt`` returns the image, then
  the text of :func:`med_rewardbench_tasks.prompts.build_judge_prompt`, and the class sets
  ``force_use_dataset_prompt``, the flag VLMEvalKit's inference checks before letting a
  model replace a dataset's prompt with its own (``model.use_custom_prompt``); :func:`register`
  makes ``run.py --api-mode``, whose pipeline ignores that flag, do the same.
* **Scoring is ours.** ``evaluate`` reads VLMEvalKit's prediction file (the dataset's TSV
  columns plus ``prediction``), parses every prediction with
  :func:`med_rewardbench_tasks.parsing.parse_verdict` and computes the metrics with
  :mod:`med_rewardbench_tasks.metrics`: the six per-dimension accuracies, their mean and
  the parse-failure rate, for all cases and per organ system. No judge model is called.
* **The data are ours.** The TSV is written from the validated cases
  (:mod:`med_rewardbench_tasks.data`): from the Hub, from ``$MED_REWARDBENCH_DATA_DIR``, or
  the synthetic sample for ``MedRewardBench_sample``.

TSV layout (VLMEvalKit's: tab-separated, every field quoted, images base64-encoded):
``index`` (0..n-1), ``image`` (the case's encoded image, base64), ``question_text`` (not ``question``:
see :data:`QUESTION_COLUMN`),
``answer1_text`` (shown as A), ``answer2_text`` (shown as B), ``question_id``, ``organ``,
``human_answer`` (the six expert winners as a JSON object), then the optional metadata
columns of the data (``body_part``, ``dataset``, ``question_type``, ``image_id``,
``department``).
"""

from __future__ import annotations

import json
import math
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Final

from med_rewardbench_tasks.constants import DIMENSIONS, ORGANS
from med_rewardbench_tasks.metric_names import HEADLINE_METRICS, MEAN_ACCURACY_METRIC
from med_rewardbench_tasks.parsing import DEFAULT_LONE_VERDICT, LONE_VERDICT_POLICIES

if TYPE_CHECKING:
    import pandas as pd

    from med_rewardbench_tasks.data import Case, DataSource
    from med_rewardbench_tasks.parsing import LoneVerdictPolicy, Verdict
    from med_rewardbench_tasks.records import Judgment

DATASET_NAME: Final = "MedRewardBench"
SAMPLE_DATASET_NAME: Final = "MedRewardBench_sample"
DATASET_NAMES: Final = (DATASET_NAME, SAMPLE_DATASET_NAME)
CLASS_NAME: Final = "MedRewardBench"
# A variant `<dataset>_<tag>` (e.g. MedRewardBench_think) is the same cases under its own name: VLMEvalKit
# names prediction and score files after the dataset, so runs with different options stay apart.
VARIANT_SEPARATOR: Final = "_"

# Not 'VQA': several VLMEvalKit models cut generation to 10-128 tokens for VQA datasets,
# which would truncate a verdict. An unknown type gets every model's default settings.
DATASET_TYPE: Final = "Pairwise-Judge"

# Not `question`: VLMEvalKit's run.py, started without the launcher, takes any `<LMUData>/<name>.tsv` with a
# `question` column as a generic VQA dataset and sends the bare question, no judge prompt, exit 0. Without one,
# its loader refuses the file ("does not have a `question` column", "Dataset ... is not valid, will be skipped").
QUESTION_COLUMN: Final = "question_text"
TSV_COLUMNS: Final = (
    "index",
    "image",
    QUESTION_COLUMN,
    "answer1_text",
    "answer2_text",
    "question_id",
    "organ",
    "human_answer",
)
LABEL_COLUMN: Final = "human_answer"
PREDICTION_COLUMN: Final = "prediction"
# Columns evaluate() needs in a prediction file (VLMEvalKit drops `image` from it).
PREDICTION_FILE_COLUMNS: Final = ("index", "question_id", "organ", "answer1_text", "answer2_text", LABEL_COLUMN)

ALL_CASES_ROW: Final = "all"
SCORE_SUFFIX: Final = "_acc"
VERDICTS_SUFFIX: Final = "_verdicts"
SCORE_COLUMNS: Final = ("organ", "n_cases", *HEADLINE_METRICS)
PRIMARY_METRIC: Final = MEAN_ACCURACY_METRIC

# The flag VLMEvalKit's inference reads before asking a model for its own prompt.
FORCE_PROMPT_FLAG: Final = "force_use_dataset_prompt"
_REGISTERED_MARK: Final = "__med_rewardbench_registered__"


class FileFormatError(ValueError):
    """A file is not in the layout the adapter reads; the message names the file and what is wrong."""


class PredictionFileError(FileFormatError):
    """A prediction file cannot be scored."""


# ---------------------------------------------------------------------------------------
# Cases -> VLMEvalKit TSV
# ---------------------------------------------------------------------------------------
def base_dataset(name: str) -> str | None:
    """``MedRewardBench`` or ``MedRewardBench_sample`` for that name or a variant ``<it>_<tag>`` of it; else None.

    A tag is letters, digits, ``_`` and ``-``, starting with a letter or digit. ``MedRewardBench_sample...``
    always reads as the sample, so a benchmark variant's tag cannot start with ``sample``.
    """
    for base in (SAMPLE_DATASET_NAME, DATASET_NAME):  # the longer name first
        if name == base:
            return base
        prefix = base + VARIANT_SEPARATOR
        if name.startswith(prefix):
            tag = name[len(prefix) :]
            valid = tag[:1].isalnum() and all(c.isascii() and (c.isalnum() or c in "_-") for c in tag)
            if not valid or (base == DATASET_NAME and tag.startswith("sample")):
                return None
            return base
    return None


def dataset_name_rule(name: str) -> str:
    """Why ``name`` is not a Med-RewardBench dataset name, and which names are."""
    return (
        f"{name!r} is not a Med-RewardBench dataset name: use {DATASET_NAME} (the benchmark), {SAMPLE_DATASET_NAME} "
        f"(the synthetic sample), or a variant {DATASET_NAME}_<tag> / {SAMPLE_DATASET_NAME}_<tag> (the same cases "
        "under their own result files; a tag is letters, digits, _ and -, and a benchmark tag cannot start with "
        "'sample')"
    )


class DatasetNames(list[str]):
    """The two dataset names; ``in`` also accepts their variants (VLMEvalKit's lookups test names with ``in``)."""

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and base_dataset(name) is not None


def cases_for(dataset: str, source: DataSource | None = None, organs: Iterable[str] | None = None) -> list[Case]:
    """The validated cases behind a VLMEvalKit dataset name (the sample, or the benchmark from ``source``)."""
    from med_rewardbench_tasks import data

    base = base_dataset(dataset)
    if base is None:
        raise ValueError(dataset_name_rule(dataset))
    if base == SAMPLE_DATASET_NAME:
        sample = data.sample_source()
        chosen = data.available_organs(sample) if organs is None else list(organs)
        return data.load_cases(chosen, sample)
    return data.load_cases(ORGANS if organs is None else list(organs), source)


def cases_to_frame(cases: Sequence[Case]) -> pd.DataFrame:
    """One row per case in VLMEvalKit's TSV layout (``image`` is the case's encoded image, base64)."""
    import base64

    import pandas as pd

    from med_rewardbench_tasks.data import OPTIONAL_COLUMNS
    from med_rewardbench_tasks.images import shown_image_bytes

    metadata = [column for column in OPTIONAL_COLUMNS if any(column in case.metadata for case in cases)]
    rows = []
    for index, case in enumerate(cases):
        row: dict[str, Any] = {
            "index": index,
            "image": base64.b64encode(shown_image_bytes(case.image)).decode("ascii"),
            QUESTION_COLUMN: case.question,
            "answer1_text": case.answer1_text,
            "answer2_text": case.answer2_text,
            "question_id": case.question_id,
            "organ": case.organ,
            LABEL_COLUMN: json.dumps({dimension: case.labels[dimension] for dimension in DIMENSIONS}),
        }
        for column in metadata:
            value = case.metadata.get(column)
            row[column] = "" if value is None else value
        rows.append(row)
    return pd.DataFrame(rows, columns=[*TSV_COLUMNS, *metadata])


def write_tsv(cases: Sequence[Case], path: str | os.PathLike[str]) -> Path:
    """Write ``cases`` as a VLMEvalKit TSV (tab-separated, every field quoted, as ``vlmeval.smp.dump`` writes)."""
    import csv

    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        cases_to_frame(cases).to_csv(partial, sep="\t", index=False, encoding="utf-8", quoting=csv.QUOTE_ALL)
        partial.replace(target)  # a reader never sees half a file
    finally:
        partial.unlink(missing_ok=True)
    return target


def tsv_layout_problem(path: str | os.PathLike[str], columns: Sequence[str]) -> str | None:
    """What keeps a TSV with these columns from being read as a Med-RewardBench TSV; None if nothing."""
    missing = [column for column in TSV_COLUMNS if column not in columns]
    if missing and "question" in columns:
        return (
            f"{path}: written by an earlier med-rewardbench-tasks, whose `question` column lets VLMEvalKit's run.py "
            "without the launcher read it as a generic VQA dataset (bare questions, no judge prompt); delete it "
            "(it is rebuilt on first use) or write it again with `med-rewardbench export-vlmevalkit`"
        )
    if missing:
        return f"{path}: not a Med-RewardBench TSV (missing column(s) {', '.join(missing)})"
    return None


def read_tsv(path: str | os.PathLike[str]) -> pd.DataFrame:
    """A TSV written by :func:`write_tsv`, every column as text (ids keep their spelling), ``index`` as int."""
    import pandas as pd

    frame = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    problem = tsv_layout_problem(path, list(frame.columns))
    if problem:
        raise FileFormatError(problem)
    frame["index"] = [int(value) for value in frame["index"]]
    return frame


def default_data_root() -> Path:
    """VLMEvalKit's data folder: ``vlmeval.smp.LMUDataRoot()`` when VLMEvalKit is importable, else its rule."""
    try:
        from vlmeval.smp import LMUDataRoot
    except ImportError:
        configured = os.environ.get("LMUData")  # noqa: SIM112 (VLMEvalKit's spelling)
        if configured and os.path.exists(configured):
            return Path(configured)
        return Path.home() / "LMUData"
    return Path(LMUDataRoot())


def ensure_tsv(dataset: str, data_root: str | os.PathLike[str] | None = None) -> Path:
    """``<LMUData>/<dataset>.tsv`` (a variant reads its base's file), written from the validated cases if absent."""
    base = base_dataset(dataset)
    if base is None:
        raise ValueError(dataset_name_rule(dataset))
    root = default_data_root() if data_root is None else Path(data_root)
    path = root / f"{base}.tsv"
    if not path.is_file():
        write_tsv(cases_for(base), path)
    return path


# ---------------------------------------------------------------------------------------
# The judge's input
# ---------------------------------------------------------------------------------------
def judge_prompt(line: Mapping[str, Any], *, think_step_by_step: bool = False) -> str:
    """The judge prompt of one TSV row: the lmms-eval tasks' prompt, answer 1 shown as A."""
    from med_rewardbench_tasks.prompts import build_judge_prompt

    return build_judge_prompt(
        str(line[QUESTION_COLUMN]),
        str(line["answer1_text"]),
        str(line["answer2_text"]),
        think_step_by_step=think_step_by_step,
    )


def judge_message(
    line: Mapping[str, Any], image_paths: str | Sequence[str], *, think_step_by_step: bool = False
) -> list[dict[str, str]]:
    """A VLMEvalKit multimodal message: the image(s), then the judge prompt."""
    paths = [image_paths] if isinstance(image_paths, str) else list(image_paths)
    message = [{"type": "image", "value": str(path)} for path in paths]
    message.append({"type": "text", "value": judge_prompt(line, think_step_by_step=think_step_by_step)})
    return message


# ---------------------------------------------------------------------------------------
# Prediction file -> metrics
# ---------------------------------------------------------------------------------------
# Formats whose reading cannot run code from the file. A pickle can (unpickling calls whatever the file names).
PREDICTION_FILE_TYPES: Final = (".xlsx", ".tsv", ".csv", ".json", ".jsonl")
PICKLE_FILE_TYPES: Final = (".pkl", ".pickle")


def _json_records(file: Path, suffix: str) -> list[Any]:
    text = file.read_text(encoding="utf-8")
    if suffix == ".json":
        try:
            records = json.loads(text)
        except json.JSONDecodeError as error:
            raise PredictionFileError(f"{file}: not valid JSON ({error})") from None
        return records if isinstance(records, list) else [records]
    records = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as error:
                raise PredictionFileError(f"{file} line {number}: not valid JSON ({error})") from None
    return records


def read_prediction_file(path: str | os.PathLike[str]) -> pd.DataFrame:
    """A VLMEvalKit prediction file: ``.xlsx`` (its default), ``.tsv``/``.json`` (``PRED_FORMAT``), ``.csv``/``.jsonl``.

    Pickles are refused, never opened: reading one runs code named in the file.
    """
    import pandas as pd

    file = Path(path)
    suffix = file.suffix.lower()
    if suffix in PICKLE_FILE_TYPES:
        raise PredictionFileError(
            f"{file}: a pickle is not read, because reading one runs code stored in the file. Score a prediction "
            "file VLMEvalKit writes as .xlsx (its default), .tsv or .json (PRED_FORMAT=tsv or json), or .csv/.jsonl; "
            "if you trust where this pickle came from, convert it yourself, e.g. "
            f"pandas.read_pickle('{file}').to_excel('{file.with_suffix('.xlsx')}', index=False)"
        )
    if suffix == ".xlsx":
        frame = pd.read_excel(file)
    elif suffix in {".tsv", ".csv"}:  # a reply such as "NA" stays text
        frame = pd.read_csv(file, sep="\t" if suffix == ".tsv" else ",", keep_default_na=False)
    elif suffix in {".json", ".jsonl"}:
        frame = pd.DataFrame(_json_records(file, suffix))
    else:
        raise PredictionFileError(
            f"{file}: unknown prediction file type {suffix!r} (expected {', '.join(PREDICTION_FILE_TYPES)})"
        )
    missing = [column for column in (*PREDICTION_FILE_COLUMNS, PREDICTION_COLUMN) if column not in frame.columns]
    if missing:
        raise PredictionFileError(
            f"{file}: missing column(s) {', '.join(missing)}; a Med-RewardBench prediction file has the dataset's "
            f"TSV columns plus '{PREDICTION_COLUMN}'"
        )
    return frame


def _cell_text(value: Any) -> str:
    """A cell as text: spreadsheets give NaN for empty cells and floats for numbers."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def judgments_from_predictions(
    frame: pd.DataFrame, *, lone_verdict: LoneVerdictPolicy = DEFAULT_LONE_VERDICT, where: str = "predictions"
) -> tuple[list[Judgment], list[Verdict]]:
    """Parse every prediction and pair it with its case; the expert labels come from the file itself."""
    from med_rewardbench_tasks.data import validate_labels
    from med_rewardbench_tasks.parsing import parse_verdict
    from med_rewardbench_tasks.records import Judgment, presentation_of

    judgments: list[Judgment] = []
    verdicts: list[Verdict] = []
    for row_number, row in enumerate(frame.to_dict("records")):
        qid = _cell_text(row["question_id"]).strip()
        labels = validate_labels(
            _cell_text(row[LABEL_COLUMN]), where=f"{where} row {row_number} (index {_cell_text(row['index'])})"
        )
        doc = {
            "question_id": qid,
            "modality_type": _cell_text(row["organ"]).strip(),
            "answer1_text": _cell_text(row["answer1_text"]),
            "answer2_text": _cell_text(row["answer2_text"]),
            "human_answer": labels,
            "swapped": False,
            "department": (_cell_text(row["department"]) or None) if "department" in row else None,
        }
        verdict = parse_verdict(_cell_text(row[PREDICTION_COLUMN]), lone_verdict=lone_verdict)
        judgments.append(Judgment.from_verdict(presentation_of(doc), verdict))
        verdicts.append(verdict)
    return judgments, verdicts


def score_table(judgments: Sequence[Judgment]) -> pd.DataFrame:
    """One row for all cases, then one per organ system (canonical order): n_cases and the headline metrics."""
    import pandas as pd

    from med_rewardbench_tasks.metrics import metric_table, tables_by_organ

    tables = [
        (ALL_CASES_ROW, metric_table(judgments, intervals_for=())),
        *tables_by_organ(judgments, intervals_for=()).items(),
    ]
    rows = [
        {"organ": name, "n_cases": table.n_cases, **{m: table.value(m) for m in HEADLINE_METRICS}}
        for name, table in tables
    ]
    return pd.DataFrame(rows, columns=list(SCORE_COLUMNS))


def verdict_table(frame: pd.DataFrame, judgments: Sequence[Judgment], verdicts: Sequence[Verdict]) -> pd.DataFrame:
    """Per case: what the parser read (status, method, the six picks, its note) beside the experts' winners."""
    import pandas as pd

    rows = []
    for index, judgment, verdict in zip(frame["index"], judgments, verdicts, strict=True):
        row: dict[str, Any] = {
            "index": index,
            "organ": judgment.presentation.organ,
            "question_id": judgment.presentation.question_id,
            "status": verdict.status,
            "method": verdict.method,
        }
        for dimension in DIMENSIONS:
            row[f"judge_{dimension}"] = verdict.choices.get(dimension) or ""
            row[f"expert_{dimension}"] = judgment.presentation.expert[dimension]
        row["reason"] = verdict.reason or ""
        row["note"] = verdict.note or ""
        rows.append(row)
    return pd.DataFrame(rows)


def result_file(eval_file: str | os.PathLike[str], suffix: str, extension: str) -> Path:
    """A file next to the prediction file, named as VLMEvalKit names its intermediate files."""
    file = Path(eval_file)
    return file.with_name(f"{file.stem}{suffix}.{extension}")


def _dump(frame: pd.DataFrame, path: Path) -> None:
    if path.suffix == ".json":
        path.write_text(json.dumps(frame.to_dict("records"), indent=2, ensure_ascii=False), encoding="utf-8")
    else:
        frame.to_csv(path, index=False, encoding="utf-8")


def evaluate_predictions(
    eval_file: str | os.PathLike[str], *, lone_verdict: LoneVerdictPolicy = DEFAULT_LONE_VERDICT
) -> pd.DataFrame:
    """Score a VLMEvalKit prediction file; write ``<stem>_acc.csv`` (metrics) and ``<stem>_verdicts.csv`` (per case).

    The score file is ``.json`` instead when VLMEvalKit's ``EVAL_FORMAT=json`` is set.
    Returns the metrics table (row ``all``, then one per organ system).
    """
    frame = read_prediction_file(eval_file)
    judgments, verdicts = judgments_from_predictions(frame, lone_verdict=lone_verdict, where=str(eval_file))
    if not judgments:
        raise PredictionFileError(f"{eval_file}: no predictions")
    scores = score_table(judgments)
    extension = "json" if os.environ.get("EVAL_FORMAT", "").strip().lower() == "json" else "csv"
    _dump(scores, result_file(eval_file, SCORE_SUFFIX, extension))
    _dump(verdict_table(frame, judgments, verdicts), result_file(eval_file, VERDICTS_SUFFIX, "csv"))
    return scores


def primary_metric(scores: pd.DataFrame) -> dict[str, float]:
    """The headline number VLMEvalKit's run summary shows: mean accuracy over all cases."""
    row = scores[scores["organ"] == ALL_CASES_ROW]
    if row.empty:
        return {}
    return {f"organ={ALL_CASES_ROW}|{PRIMARY_METRIC}": float(row.iloc[0][PRIMARY_METRIC])}


# ---------------------------------------------------------------------------------------
# The dataset class (VLMEvalKit's ImageBaseDataset protocol)
# ---------------------------------------------------------------------------------------
class MedRewardBenchDataset:
    """VLMEvalKit dataset logic; :func:`register` mixes it with ``vlmeval``'s ``ImageBaseDataset``.

    Options (pass them with VLMEvalKit's ``--data-config``): ``think_step_by_step`` adds the
    paper's optional thinking clause to the prompt; ``lone_verdict`` (``overall_only`` or
    ``all_dimensions``) is the parser's policy for an output naming only an overall winner.
    """

    TYPE = DATASET_TYPE
    MODALITY = "IMAGE"
    # The TSV is written locally from the validated cases (see load_data), never downloaded.
    DATASET_URL: ClassVar[dict[str, str]] = dict.fromkeys(DATASET_NAMES, "")
    DATASET_MD5: ClassVar[dict[str, str]] = {}
    force_use_dataset_prompt = True

    def __init__(
        self,
        dataset: str = DATASET_NAME,
        skip_noimg: bool = True,
        think_step_by_step: bool = False,
        lone_verdict: str = DEFAULT_LONE_VERDICT,
    ) -> None:
        if base_dataset(dataset) is None:
            raise ValueError(dataset_name_rule(dataset))
        if lone_verdict not in LONE_VERDICT_POLICIES:
            raise ValueError(f"lone_verdict must be one of {', '.join(LONE_VERDICT_POLICIES)}, not {lone_verdict!r}")
        self.think_step_by_step = bool(think_step_by_step)
        self.lone_verdict = lone_verdict
        super().__init__(dataset=dataset, skip_noimg=skip_noimg)  # type: ignore[call-arg]

    @classmethod
    def supported_datasets(cls) -> list[str]:
        return DatasetNames(DATASET_NAMES)

    def load_data(self, dataset: str) -> pd.DataFrame:
        """``<LMUData>/<dataset>.tsv`` (written from the validated cases on first use, or by ``export-vlmevalkit``)."""
        path = ensure_tsv(dataset)
        self.data_path = str(path)
        # Variants share their base's images too (ImageBaseDataset named the folder after the variant).
        image_root = getattr(self, "img_root", None)
        if isinstance(image_root, str):
            self.img_root = os.path.join(os.path.dirname(image_root), path.stem)
        return read_tsv(path)

    def build_prompt(self, line: Any) -> list[dict[str, str]]:
        if isinstance(line, int):
            line = self.data.iloc[line]  # type: ignore[attr-defined]
        if getattr(self, "meta_only", False):
            from vlmeval.smp import toliststr

            image_paths = toliststr(line["image_path"])
        else:
            image_paths = self.dump_image(line)  # type: ignore[attr-defined]
        return judge_message(line, image_paths, think_step_by_step=self.think_step_by_step)

    def evaluate(self, eval_file: str, **judge_kwargs: Any) -> pd.DataFrame:
        """Rule-based: the verdict parser and the metrics; judge settings (``--judge``) are ignored."""
        return evaluate_predictions(eval_file, lone_verdict=self.lone_verdict)  # type: ignore[arg-type]

    @classmethod
    def report_primary_metric(cls, metrics: Any) -> dict[str, float]:
        import pandas as pd

        if isinstance(metrics, pd.DataFrame) and "organ" in metrics.columns:
            return primary_metric(metrics)
        key = f"organ={ALL_CASES_ROW}|{PRIMARY_METRIC}"
        if isinstance(metrics, Mapping) and key in metrics:
            return {key: float(metrics[key])}
        return {}


# ---------------------------------------------------------------------------------------
# Registration with VLMEvalKit
# ---------------------------------------------------------------------------------------
def _inference_honours_dataset_prompt() -> bool | None:
    """Whether VLMEvalKit's inference checks ``force_use_dataset_prompt`` (read from its source, not imported)."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("vlmeval.inference")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin or not os.path.isfile(spec.origin):
        return None
    return FORCE_PROMPT_FLAG in Path(spec.origin).read_text(encoding="utf-8", errors="replace")


def register() -> type:
    """Add Med-RewardBench to VLMEvalKit's dataset registry in this process; returns the dataset class.

    Afterwards ``build_dataset('MedRewardBench')`` (and so ``run.py --data MedRewardBench``,
    ``MedRewardBench_sample`` or a variant such as ``MedRewardBench_think``) builds it,
    ``DATASET_TYPE``/``DATASET_MODALITY`` know it, ``--data-config`` entries with
    ``"class": "MedRewardBench"`` find the class, and ``run.py --api-mode`` gives models the
    judge prompt too. Idempotent. Our class is put first in ``DATASET_CLASSES``, so it wins
    if VLMEvalKit ever ships a dataset of the same name.
    """
    import vlmeval.dataset as registry
    from vlmeval.dataset.image_base import ImageBaseDataset

    existing = getattr(registry, CLASS_NAME, None)
    if isinstance(existing, type) and getattr(existing, _REGISTERED_MARK, False):
        return existing

    cls = type(ImageBaseDataset)(  # ImageBaseDataset's metaclass (ABCMeta)
        CLASS_NAME,
        (MedRewardBenchDataset, ImageBaseDataset),
        {"__module__": __name__, "__qualname__": CLASS_NAME, _REGISTERED_MARK: True},
    )
    others = [c for c in registry.DATASET_CLASSES if set(DATASET_NAMES) & set(c.supported_datasets())]
    if others:
        print(
            f"med-rewardbench-tasks: VLMEvalKit already has {', '.join(c.__name__ for c in others)} for "
            f"{'/'.join(DATASET_NAMES)}; this package's class takes precedence",
            file=sys.stderr,
        )
    registry.DATASET_CLASSES.insert(0, cls)
    image_datasets = getattr(registry, "IMAGE_DATASET", None)
    if isinstance(image_datasets, list):
        image_datasets.insert(0, cls)
    supported = getattr(registry, "SUPPORTED_DATASETS", None)
    if isinstance(supported, list):
        supported.extend(name for name in DATASET_NAMES if name not in supported)
    setattr(registry, CLASS_NAME, cls)
    exported = getattr(registry, "__all__", None)
    if isinstance(exported, list) and CLASS_NAME not in exported:
        exported.append(CLASS_NAME)
    # Instances pickle by reference to this module's attribute.
    globals()[CLASS_NAME] = cls

    if _inference_honours_dataset_prompt() is False:
        print(
            "med-rewardbench-tasks: this VLMEvalKit's inference does not check "
            f"`{FORCE_PROMPT_FLAG}`, so models with their own prompts will not see the judge prompt; "
            "update VLMEvalKit",
            file=sys.stderr,
        )
    from med_rewardbench_tasks.vlmevalkit_run import keep_dataset_prompt_in_api_pipeline

    keep_dataset_prompt_in_api_pipeline()
    return cls


def __getattr__(name: str) -> Any:
    # A process that unpickles a dataset (e.g. a worker) finds the class without calling register() first.
    if name == CLASS_NAME:
        return register()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main(argv: Sequence[str] | None = None) -> int:
    """The launcher (``python -m med_rewardbench_tasks.vlmevalkit RUN_PY ...``): see :mod:`.vlmevalkit_run`."""
    from med_rewardbench_tasks.vlmevalkit_run import main as launch

    return launch(argv)


if __name__ == "__main__":
    # Run from the imported module, not this __main__ copy: the dataset class must pickle by reference to
    # med_rewardbench_tasks.vlmevalkit, where a worker process finds it.
    from med_rewardbench_tasks.vlmevalkit_run import main as launch

    sys.exit(launch())
