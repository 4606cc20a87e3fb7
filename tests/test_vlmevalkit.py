"""The VLMEvalKit adapter, on files in VLMEvalKit's formats and against a stand-in ``vlmeval`` package.

VLMEvalKit is not installable here, so ``tests/fixtures/fake_vlmeval`` stands in for the
parts of it the adapter touches (its registry lists and lookups, ``ImageBaseDataset``, the
prompt choice of its inference, the prediction file it writes). Expected numbers come from
the sample's files (``conftest.read_truth``) and from judges whose replies are known.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import pytest
from PIL import Image

from med_rewardbench_tasks import vlmevalkit
from med_rewardbench_tasks.export_vlmevalkit import configure as configure_export
from med_rewardbench_tasks.export_vlmevalkit import run as run_export
from tests.canned_replies import VLMEVALKIT_SHAPES, Reply, canned_reply
from tests.conftest import REPO_ROOT, SAMPLE_DIR, TruthCase, expected_metrics
from tests.vlmeval_stand_in import fake_vlmeval_fixture, lmu_data_fixture  # noqa: F401

JUDGE_PROMPT_START = "You are an expert medical vision-language evaluator."


# ---------------------------------------------------------------------------------------
# Helpers: the sample read independently, judges with known replies
# ---------------------------------------------------------------------------------------
def truth_images() -> dict[tuple[str, str], bytes]:
    images = {}
    for parquet in sorted((SAMPLE_DIR / "pair_gt_all" / "parquet").glob("*.parquet")):
        for row in pq.read_table(parquet, columns=["question_id", "image"]).to_pylist():
            images[(parquet.stem, str(row["question_id"]))] = row["image"]["bytes"]
    return images


def export(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser()
    configure_export(parser)
    return run_export(parser.parse_args(argv))


def reply_for(case: TruthCase, position: int) -> Reply:
    return canned_reply(case, position, VLMEVALKIT_SHAPES)


def case_of(text: str, truth: list[TruthCase]) -> TruthCase:
    matches = [case for case in truth if case.answer1_text in text and case.answer2_text in text]
    assert len(matches) == 1, "every prompt must name exactly one case"
    return matches[0]


class KnownJudge:
    """A VLMEvalKit-style model that brings its own prompt, which the dataset must override."""

    def __init__(self, truth: list[TruthCase]) -> None:
        self.truth = truth
        self.order = {id(case): i for i, case in enumerate(truth)}
        self.messages: list[list[dict[str, str]]] = []

    def use_custom_prompt(self, dataset: str) -> bool:
        return True

    def build_prompt(self, line: Any, dataset: str | None = None) -> list[dict[str, str]]:
        return [{"type": "text", "value": f"MY OWN PROMPT: {line[vlmevalkit.QUESTION_COLUMN]}"}]

    def generate(self, message: list[dict[str, str]], dataset: str | None = None) -> str:
        self.messages.append(message)
        text = message[-1]["value"]
        case = case_of(text, self.truth)
        return reply_for(case, self.order[id(case)])[0]


def expected_for(truth: list[TruthCase]) -> dict[str, float]:
    position = {id(case): i for i, case in enumerate(truth)}
    return expected_metrics(
        truth,
        lambda case: reply_for(case, position[id(case)])[1],
        lambda case: reply_for(case, position[id(case)])[2],
    )


def assert_row(row: pd.Series, expected: dict[str, float], n: int) -> None:
    assert int(row["n_cases"]) == n
    for key, value in expected.items():
        assert float(row[key]) == pytest.approx(value, abs=1e-12), key


# ---------------------------------------------------------------------------------------
# export-vlmevalkit: the TSV
# ---------------------------------------------------------------------------------------
def test_export_writes_vlmevalkit_tsv(tmp_path: Path, sample_truth: list[TruthCase]) -> None:
    out = tmp_path / "MedRewardBench_sample.tsv"
    assert export([str(out), "--sample"]) == 0

    raw = out.read_text(encoding="utf-8")
    assert raw.startswith('"index"\t"image"\t"question_text"\t')  # every field quoted, as vlmeval.smp.dump writes
    with out.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    assert len(rows) == len(sample_truth)
    assert list(rows[0])[:8] == list(vlmevalkit.TSV_COLUMNS)
    assert [row["index"] for row in rows] == [str(i) for i in range(len(rows))]
    assert len({row["index"] for row in rows}) == len(rows)

    images = truth_images()
    by_key = {(case.organ, case.question_id): case for case in sample_truth}
    for row in rows:
        case = by_key[(row["organ"], row["question_id"])]
        assert (row["question_text"], row["answer1_text"], row["answer2_text"]) == (
            case.question,
            case.answer1_text,
            case.answer2_text,
        )
        assert json.loads(row["human_answer"]) == dict(case.labels)
        assert len(row["image"]) > 64  # VLMEvalKit reads a shorter value as another row's index
        assert base64.b64decode(row["image"]) == images[(row["organ"], row["question_id"])]
    # VLMEvalKit reads it with plain pandas (vlmeval.smp.load): texts survive quoting and tabs.
    loaded = pd.read_csv(out, sep="\t")
    assert list(loaded["question_text"]) == [row["question_text"] for row in rows]
    # No `question` column: VLMEvalKit's generic loader (run.py without the launcher) refuses the file.
    assert "question" not in [column.lower() for column in loaded.columns]


def test_export_of_a_subset_and_unknown_organs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "brain.tsv"
    assert export([str(out), "--sample", "--organs", "brain,eye"]) == 0
    frame = vlmevalkit.read_tsv(out)
    assert set(frame["organ"]) == {"brain", "eye"}
    assert export([str(tmp_path / "x.tsv"), "--sample", "--organs", "spleen"]) == 2
    assert "unknown organ system(s) spleen" in capsys.readouterr().err


def test_export_without_data_names_the_local_data_switch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.delenv("MED_REWARDBENCH_DATA_DIR", raising=False)
    assert export([str(tmp_path / "MedRewardBench.tsv"), "--organs", "brain"]) == 1
    assert "MED_REWARDBENCH_DATA_DIR" in capsys.readouterr().err
    assert not (tmp_path / "MedRewardBench.tsv").exists()


def test_export_from_a_local_copy(tmp_path: Path) -> None:
    out = tmp_path / "MedRewardBench.tsv"
    assert export([str(out), "--data-dir", str(SAMPLE_DIR), "--organs", "lung"]) == 0
    assert set(vlmevalkit.read_tsv(out)["organ"]) == {"lung"}


# ---------------------------------------------------------------------------------------
# Scoring a prediction file, without vlmeval
# ---------------------------------------------------------------------------------------
def prediction_frame(tsv: Path, truth: list[TruthCase]) -> pd.DataFrame:
    """A prediction table as VLMEvalKit's inference builds it: the TSV as read, minus ``image``, plus ``prediction``."""
    frame = pd.read_csv(tsv, sep="\t")  # vlmeval.smp.load: default dtypes (question_id becomes int)
    order = {id(case): i for i, case in enumerate(truth)}
    predictions = []
    for _, row in frame.iterrows():
        case = case_of(f"{row['answer1_text']}\n{row['answer2_text']}", truth)
        predictions.append(reply_for(case, order[id(case)])[0])
    frame.pop("image")
    frame["prediction"] = predictions
    return frame


@pytest.mark.parametrize("suffix", ["xlsx", "tsv", "json"])
def test_evaluate_reads_vlmevalkit_prediction_files(tmp_path: Path, sample_truth: list[TruthCase], suffix: str) -> None:
    tsv = tmp_path / "MedRewardBench_sample.tsv"
    assert export([str(tsv), "--sample"]) == 0
    frame = prediction_frame(tsv, sample_truth)
    pred = tmp_path / f"judge_MedRewardBench_sample.{suffix}"
    if suffix == "xlsx":
        frame.to_excel(pred, index=False)
        assert pd.read_excel(pred)["prediction"].isna().any()  # empty replies come back as NaN
    elif suffix == "tsv":
        frame.to_csv(pred, sep="\t", index=False, quoting=csv.QUOTE_ALL)
    else:
        pred.write_text(json.dumps(frame.to_dict("records")), encoding="utf-8")

    scores = vlmevalkit.evaluate_predictions(pred)

    assert list(scores.columns) == list(vlmevalkit.SCORE_COLUMNS)
    assert scores.iloc[0]["organ"] == "all"
    assert_row(scores.iloc[0], expected_for(sample_truth), len(sample_truth))
    position = {id(case): i for i, case in enumerate(sample_truth)}
    for _, row in scores.iloc[1:].iterrows():
        organ_cases = [case for case in sample_truth if case.organ == row["organ"]]
        expected = expected_metrics(
            organ_cases,
            lambda case: reply_for(case, position[id(case)])[1],
            lambda case: reply_for(case, position[id(case)])[2],
        )
        assert_row(row, expected, len(organ_cases))
    assert sorted(scores["organ"][1:]) == sorted({case.organ for case in sample_truth})

    written = pd.read_csv(tmp_path / "judge_MedRewardBench_sample_acc.csv")
    assert written["mean_acc"].tolist() == pytest.approx(scores["mean_acc"].tolist())
    verdicts = pd.read_csv(tmp_path / "judge_MedRewardBench_sample_verdicts.csv", keep_default_na=False)
    assert len(verdicts) == len(sample_truth)
    assert set(verdicts["status"]) == {"ok", "partial", "unparseable"}
    assert vlmevalkit.primary_metric(scores) == {
        "organ=all|mean_acc": pytest.approx(expected_for(sample_truth)["mean_acc"])
    }


def test_evaluate_writes_json_scores_when_vlmevalkit_asks(
    tmp_path: Path, sample_truth: list[TruthCase], monkeypatch: pytest.MonkeyPatch
) -> None:
    tsv = tmp_path / "MedRewardBench_sample.tsv"
    assert export([str(tsv), "--sample"]) == 0
    pred = tmp_path / "judge_MedRewardBench_sample.xlsx"
    prediction_frame(tsv, sample_truth).to_excel(pred, index=False)
    monkeypatch.setenv("EVAL_FORMAT", "json")
    vlmevalkit.evaluate_predictions(pred)
    records = json.loads((tmp_path / "judge_MedRewardBench_sample_acc.json").read_text())
    assert records[0]["organ"] == "all"


def test_evaluate_refuses_a_file_without_the_labels(tmp_path: Path, sample_truth: list[TruthCase]) -> None:
    tsv = tmp_path / "MedRewardBench_sample.tsv"
    assert export([str(tsv), "--sample"]) == 0
    frame = prediction_frame(tsv, sample_truth).drop(columns=["human_answer"])
    pred = tmp_path / "judge_MedRewardBench_sample.xlsx"
    frame.to_excel(pred, index=False)
    with pytest.raises(vlmevalkit.PredictionFileError, match="human_answer"):
        vlmevalkit.evaluate_predictions(pred)


class _Tripwire:
    """Unpickling this object writes a marker file: proof that the file's code ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, tuple[Path, str]]:
        return (Path.write_text, (self.marker, "code from the pickle ran"))


@pytest.mark.parametrize("suffix", [".pkl", ".PICKLE"])
def test_evaluate_never_unpickles_a_prediction_file(tmp_path: Path, suffix: str) -> None:
    import pickle

    marker = tmp_path / "unpickled.txt"
    pred = tmp_path / f"judge_MedRewardBench_sample{suffix}"
    pred.write_bytes(pickle.dumps({"prediction": _Tripwire(marker)}))

    with pytest.raises(Exception) as refused:
        vlmevalkit.evaluate_predictions(pred)

    assert not marker.exists(), "the pickle was unpickled: its code ran"
    assert refused.type is vlmevalkit.PredictionFileError
    message = str(refused.value)
    assert str(pred) in message and "runs code" in message
    assert ".xlsx" in message and "PRED_FORMAT" in message  # what to write instead


def test_evaluate_reads_json_lines(tmp_path: Path, sample_truth: list[TruthCase]) -> None:
    tsv = tmp_path / "MedRewardBench_sample.tsv"
    assert export([str(tsv), "--sample"]) == 0
    pred = tmp_path / "judge_MedRewardBench_sample.jsonl"
    records = prediction_frame(tsv, sample_truth).to_dict("records")
    pred.write_text("\n".join(json.dumps(record) for record in records) + "\n\n", encoding="utf-8")
    assert_row(vlmevalkit.evaluate_predictions(pred).iloc[0], expected_for(sample_truth), len(sample_truth))

    pred.write_text(json.dumps(records[0]) + "\n{not json\n", encoding="utf-8")
    with pytest.raises(vlmevalkit.PredictionFileError, match=r"jsonl line 2: not valid JSON"):
        vlmevalkit.evaluate_predictions(pred)


def test_module_imports_neither_vlmeval_nor_pandas() -> None:
    probe = (
        "import sys, med_rewardbench_tasks.vlmevalkit, med_rewardbench_tasks.export_vlmevalkit;"
        "print(sorted(m for m in ('vlmeval', 'pandas', 'torch', 'lmms_eval') if m in sys.modules))"
    )
    completed = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=REPO_ROOT)
    assert completed.stdout.strip() == "[]"


# ---------------------------------------------------------------------------------------
# Registration and a run, against the stand-in vlmeval
# ---------------------------------------------------------------------------------------
def test_register_adds_the_dataset_to_vlmevalkits_registry(fake_vlmeval: Path) -> None:
    import vlmeval.dataset as registry

    with pytest.warns(UserWarning) as warned:
        assert registry.build_dataset(vlmevalkit.SAMPLE_DATASET_NAME) is None  # unknown before registration
    assert "not officially supported" in str(warned[0].message) and "does not exist" in str(warned[1].message)
    cls = vlmevalkit.register()

    assert registry.DATASET_CLASSES[0] is cls and registry.IMAGE_DATASET[0] is cls
    assert {vlmevalkit.DATASET_NAME, vlmevalkit.SAMPLE_DATASET_NAME} <= set(registry.SUPPORTED_DATASETS)
    assert registry.DATASET_TYPE(vlmevalkit.DATASET_NAME) == vlmevalkit.DATASET_TYPE
    assert registry.DATASET_MODALITY(vlmevalkit.SAMPLE_DATASET_NAME) == "IMAGE"
    assert getattr(registry, vlmevalkit.CLASS_NAME) is cls  # --data-config {"class": "MedRewardBench"}
    assert vlmevalkit.CLASS_NAME in registry.__all__
    from vlmeval.dataset.image_base import ImageBaseDataset

    assert issubclass(cls, ImageBaseDataset)
    # Idempotent: nothing is added twice.
    assert vlmevalkit.register() is cls
    assert registry.DATASET_CLASSES.count(cls) == 1
    assert registry.SUPPORTED_DATASETS.count(vlmevalkit.DATASET_NAME) == 1


def test_dataset_builds_its_tsv_and_prompts_with_the_judge_prompt(
    fake_vlmeval: Path, lmu_data: Path, sample_truth: list[TruthCase]
) -> None:
    import vlmeval.dataset as registry

    from med_rewardbench_tasks.lmms_eval_tasks import doc_to_text
    from med_rewardbench_tasks.prompts import build_judge_prompt

    vlmevalkit.register()
    dataset = registry.build_dataset(vlmevalkit.SAMPLE_DATASET_NAME)
    assert (lmu_data / "MedRewardBench_sample.tsv").is_file()  # written from the validated cases on first use
    assert len(dataset) == len(sample_truth)
    assert dataset.force_use_dataset_prompt is True

    images = truth_images()
    for position in (0, 7, len(sample_truth) - 1):
        line = dataset.data.iloc[position]
        message = dataset.build_prompt(line)
        assert [part["type"] for part in message] == ["image", "text"]
        case = case_of(message[1]["value"], sample_truth)
        assert message[1]["value"] == build_judge_prompt(case.question, case.answer1_text, case.answer2_text)
        doc = {"question": case.question, "answer1_text": case.answer1_text, "answer2_text": case.answer2_text}
        assert message[1]["value"] == doc_to_text(doc)  # the lmms-eval tasks' prompt, character for character
        assert message[1]["value"].startswith(JUDGE_PROMPT_START)
        with (
            Image.open(message[0]["value"]) as dumped,
            Image.open(io.BytesIO(images[(case.organ, case.question_id)])) as original,
        ):
            assert dumped.convert("RGB").tobytes() == original.convert("RGB").tobytes()
    assert dataset.build_prompt(3) == dataset.build_prompt(dataset.data.iloc[3])


@pytest.mark.parametrize(
    ("name", "base"),
    [
        ("MedRewardBench", "MedRewardBench"),
        ("MedRewardBench_sample", "MedRewardBench_sample"),
        ("MedRewardBench_think", "MedRewardBench"),
        ("MedRewardBench_gpt-4o_2", "MedRewardBench"),
        ("MedRewardBench_sample_think", "MedRewardBench_sample"),
        ("MedRewardBench_sampled", None),  # reads as the sample: refused rather than guessed
        ("MedRewardBench_", None),
        ("MedRewardBench_-x", None),
        ("MedRewardBench_a/b", None),
        ("MedRewardBench_é", None),
        ("MedRewardBenchX", None),
        ("MMBench", None),
    ],
)
def test_dataset_names_and_variants(name: str, base: str | None) -> None:
    assert vlmevalkit.base_dataset(name) == base
    assert (name in vlmevalkit.MedRewardBenchDataset.supported_datasets()) is (base is not None)


def test_a_variant_is_its_base_under_its_own_name(fake_vlmeval: Path, lmu_data: Path) -> None:
    import vlmeval.dataset as registry

    vlmevalkit.register()
    variant = registry.build_dataset("MedRewardBench_sample_think")
    assert variant.dataset_name == "MedRewardBench_sample_think"
    assert registry.DATASET_TYPE("MedRewardBench_sample_think") == vlmevalkit.DATASET_TYPE  # what models look up
    assert sorted(path.name for path in lmu_data.glob("*.tsv")) == ["MedRewardBench_sample.tsv"]  # one file, shared
    plain = registry.build_dataset(vlmevalkit.SAMPLE_DATASET_NAME)
    assert variant.img_root == plain.img_root == str(lmu_data / "images" / vlmevalkit.SAMPLE_DATASET_NAME)
    assert variant.build_prompt(4) == plain.build_prompt(4)
    with pytest.raises(ValueError, match="cannot start with 'sample'"):
        vlmevalkit.register()(dataset="MedRewardBench_sampled")


def test_think_step_by_step_option(fake_vlmeval: Path, sample_truth: list[TruthCase]) -> None:
    cls = vlmevalkit.register()
    dataset = cls(dataset=vlmevalkit.SAMPLE_DATASET_NAME, think_step_by_step=True)
    assert "You may think step by step internally" in dataset.build_prompt(0)[-1]["value"]
    with pytest.raises(ValueError, match="lone_verdict"):
        cls(dataset=vlmevalkit.SAMPLE_DATASET_NAME, lone_verdict="guess")


def test_run_uses_our_prompt_for_a_model_with_its_own_and_scores_the_xlsx(
    fake_vlmeval: Path, tmp_path: Path, sample_truth: list[TruthCase]
) -> None:
    import vlmeval.dataset as registry
    from vlmeval.inference import infer_data_job

    vlmevalkit.register()
    dataset = registry.build_dataset(vlmevalkit.SAMPLE_DATASET_NAME)
    judge = KnownJudge(sample_truth)
    work_dir = tmp_path / "outputs"
    work_dir.mkdir()
    result_file = infer_data_job(judge, str(work_dir), "KnownJudge", dataset)

    assert len(judge.messages) == len(sample_truth)
    assert all(m[-1]["value"].startswith(JUDGE_PROMPT_START) for m in judge.messages)
    assert not any("MY OWN PROMPT" in m[-1]["value"] for m in judge.messages)
    written = pd.read_excel(result_file)
    assert "image" not in written.columns and "prediction" in written.columns

    scores = dataset.evaluate(result_file, model="gpt-4o-mini", nproc=4)  # judge settings are ignored
    assert_row(scores.iloc[0], expected_for(sample_truth), len(sample_truth))
    assert dataset.report_primary_metric(scores) == vlmevalkit.primary_metric(scores)


def test_register_warns_when_inference_would_let_models_override_the_prompt(
    fake_vlmeval: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inference = fake_vlmeval / "vlmeval" / "inference.py"
    inference.write_text(inference.read_text().replace("force_use_dataset_prompt", "some_other_flag"))
    vlmevalkit.register()
    err = capsys.readouterr().err
    assert "does not check `force_use_dataset_prompt`" in err


def test_evaluate_a_prediction_file_written_by_vlmevalkit(tmp_path: Path, sample_truth: list[TruthCase]) -> None:
    """The xlsx VLMEvalKit's own inference wrote in a real run (see tests/fixtures/vlmevalkit/README.md)."""
    source = Path(__file__).resolve().parent / "fixtures" / "vlmevalkit" / "StubJudge_MedRewardBench_sample.xlsx"
    pred = tmp_path / source.name
    shutil.copy(source, pred)
    picks = {
        "accuracy": "A",
        "relevance": "B",
        "comprehensiveness": "A",
        "creativity": "B",
        "responsiveness": "A",
        "overall": "A",
    }

    scores = vlmevalkit.evaluate_predictions(pred)

    assert_row(
        scores.iloc[0], expected_metrics(sample_truth, lambda case: picks, lambda case: False), len(sample_truth)
    )
    for _, row in scores.iloc[1:].iterrows():
        organ_cases = [case for case in sample_truth if case.organ == row["organ"]]
        assert_row(row, expected_metrics(organ_cases, lambda case: picks, lambda case: False), len(organ_cases))


def test_datasets_pickle_by_reference_to_this_module(fake_vlmeval: Path) -> None:
    import pickle

    cls = vlmevalkit.register()
    dataset = cls(dataset=vlmevalkit.SAMPLE_DATASET_NAME)
    blob = pickle.dumps(dataset)
    vars(vlmevalkit).pop(vlmevalkit.CLASS_NAME)  # as in a fresh worker process: found through register()
    restored = pickle.loads(blob)
    assert type(restored) is cls
    assert restored.build_prompt(0) == dataset.build_prompt(0)
