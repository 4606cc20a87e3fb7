"""``report.html``: self-contained, escaped, and its case browser shows the data the run used.

The page's data are read back from its JSON block and compared with the samples logs and
with the data files, read here independently of the package (``tests.conftest.read_truth``)
or built here (a synthetic local copy). The browser itself is tested in test_report_browser.py.
"""

from __future__ import annotations

import base64
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest

from med_rewardbench_tasks.data import HubDataset, LocalDirectory
from med_rewardbench_tasks.report.case_data import choose_source
from tests.conftest import read_truth
from tests.synthetic import make_cases, write_layout
from tests.test_report import (  # noqa: F401  (empty_local_data: an autouse fixture, so no test reaches the Hub)
    empty_local_data,
    read_csv,
    run_report,
    sample_record,
    swap_pair,
    write_results,
    write_samples,
)

FLIP = {"A": "B", "B": "A"}


def page_data(html: str) -> tuple[dict[str, Any], list[str]]:
    blocks = dict(
        re.findall(r'<script type="application/json" id="(case-data|case-images)">(.*?)</script>', html, re.S)
    )
    return json.loads(blocks["case-data"]), json.loads(blocks["case-images"])


def letters(labels: dict[str, str]) -> str:
    return "".join(
        labels[d] for d in ("accuracy", "relevance", "comprehensiveness", "creativity", "responsiveness", "overall")
    )


def with_source(line: dict[str, Any], source: str) -> dict[str, Any]:
    target = json.loads(line["target"])
    target["source"] = source
    return {**line, "target": json.dumps(target)}


# ---------------------------------------------------------------------------------------
# Untrusted text stays text
# ---------------------------------------------------------------------------------------
HOSTILE_OUTPUT = (
    '</script><script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">'
    '{"accuracy": "A", "overall": "B"} <!-- \u2028 & &amp; ]]>'
)


def hostile_report(tmp_path: Path) -> Path:
    line = sample_record(
        0, "1", "AAAAAA", "A----B", raw=HOSTILE_OUTPUT, department='"><svg onload="window.pwned=3">', method="json"
    )
    folder = tmp_path / "run"
    write_samples(folder, "med_rewardbench_lung", [line])
    write_results(folder, ["med_rewardbench_lung"], model="<b>judge</b>", model_args="")
    out = tmp_path / "report"
    assert run_report([str(folder), "--out", str(out), "--title", "<script>alert(1)</script>"]) == 0
    return out / "report.html"


def test_judge_output_and_data_cannot_inject_markup(tmp_path: Path) -> None:
    html = hostile_report(tmp_path).read_text()
    for injected in ("<script>window.pwned", "<img src=x", "<svg onload", "<b>judge</b>", "<script>alert(1)"):
        assert injected not in html, injected
    assert "&lt;b&gt;judge&lt;/b&gt;" in html and "<title>&lt;script&gt;alert(1)&lt;/script&gt;</title>" in html
    # The raw output travels intact, as data: the JSON block parses back to the exact string.
    data, _ = page_data(html)
    ((row,),) = data["verdicts"]
    assert row[7] == HOSTILE_OUTPUT
    assert data["cases"][0][2] == '"><svg onload="window.pwned=3">'
    # Only our own scripts: the JSON blocks and the browser script.
    assert html.count("<script") == 3


def test_the_page_needs_no_network(tmp_path: Path) -> None:
    html = hostile_report(tmp_path).read_text()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "@import" not in html and "url(http" not in html


# ---------------------------------------------------------------------------------------
# Cases from the shipped sample
# ---------------------------------------------------------------------------------------
def test_sample_cases_show_the_sample_texts_images_and_logged_verdicts(tmp_path: Path) -> None:
    from PIL import Image

    truth = read_truth()[:4]
    lines = []
    for index, case in enumerate(truth):
        expert = letters(case.labels)
        lines += swap_pair(2 * index, case.question_id, expert, "AAAAAA", "BBBBBB", organ=case.organ)
    first, second = tmp_path / "one", tmp_path / "two"
    write_samples(first, "med_rewardbench_sample_swap", lines)
    write_samples(second, "med_rewardbench_sample_swap", lines, date="20250102_120000")
    out = tmp_path / "report"
    assert run_report([str(first), str(second), "--out", str(out), "--image-size", "96"]) == 0
    data, images = page_data((out / "report.html").read_text())
    # One entry (and one image) per case, shared by both judges and both orders.
    assert len(data["cases"]) == len(images) == len(truth)
    by_case = {(case[0], case[1]): case for case in data["cases"]}
    for case in truth:
        shown = by_case[(case.organ, case.question_id)]
        _, _, department, question, answer1, answer2, image, note, prompt, source = shown
        assert (department, question, answer1, answer2, note, prompt) == (
            None,
            case.question,
            case.answer1_text,
            case.answer2_text,
            None,
            None,
        )
        with Image.open(io.BytesIO(base64.b64decode(images[image]))) as preview:
            assert preview.format == "JPEG" and max(preview.size) <= 96
        assert "synthetic sample" in data["sources"][source]
    assert len(data["verdicts"]) == 2
    for rows in data["verdicts"]:
        assert len(rows) == 2 * len(truth)
        for case_index, kind, expert, picks, status, method, parser_note, raw in rows:
            case = next(c for c in truth if (c.organ, c.question_id) == tuple(data["cases"][case_index][:2]))
            original = letters(case.labels)
            if kind == 1:
                assert (expert, picks) == (original, "AAAAAA")
            else:
                assert kind == 2 and expert == "".join(FLIP[c] for c in original) and picks == "BBBBBB"
            assert (status, method, parser_note) == ("ok", "json", None)
            assert json.loads(raw) == dict.fromkeys(json.loads(raw), picks[0])


# ---------------------------------------------------------------------------------------
# Cases from a local copy, and where the data came from
# ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def local_copy(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    cases = make_cases({"brain": 2, "lung": 2}, seed=3, image_size=64)
    folder = tmp_path_factory.mktemp("copy")
    write_layout(cases, folder)
    return folder, {str(case.question_id): case for case in cases}


def benchmark_lines(
    cases: dict[str, Any], *, source: str | None = None, extra: tuple[str, ...] = ()
) -> dict[str, list[dict[str, Any]]]:
    """Samples-log lines of an always-A judge on the copy's cases (and on ``extra`` brain ids it lacks)."""
    by_task: dict[str, list[dict[str, Any]]] = {}
    wanted = [(qid, case.organ, "".join(case.labels)) for qid, case in cases.items()]
    wanted += [(qid, "brain", "AAAAAA") for qid in extra]
    for qid, organ, expert in wanted:
        lines = by_task.setdefault(f"med_rewardbench_{organ}", [])
        line = sample_record(len(lines), qid, expert, "AAAAAA", organ=organ)
        lines.append(line if source is None else with_source(line, source))
    return by_task


def write_run(folder: Path, by_task: dict[str, list[dict[str, Any]]]) -> Path:
    for task, lines in by_task.items():
        write_samples(folder, task, lines)
    return folder


def test_cases_come_from_the_source_the_log_names(tmp_path: Path, local_copy: tuple[Path, dict[str, Any]]) -> None:
    from PIL import Image

    copy, cases = local_copy
    run = write_run(tmp_path / "run", benchmark_lines(cases, source=str(copy), extra=("99",)))
    out = tmp_path / "report"
    # MED_REWARDBENCH_DATA_DIR points at an empty copy: only the logged source has the cases.
    assert run_report([str(run), "--out", str(out)]) == 0
    data, images = page_data((out / "report.html").read_text())
    by_case = {(case[0], case[1]): case for case in data["cases"]}
    for qid, case in cases.items():
        shown = by_case[(case.organ, qid)]
        assert shown[3:6] == [case.question, case.answer1_text, case.answer2_text]
        with Image.open(io.BytesIO(base64.b64decode(images[shown[6]]))) as preview:
            assert preview.size == (64, 64)  # smaller than the preview size: kept as it is
    missing = by_case[("brain", "99")]
    assert missing[3] is None and missing[6] == -1
    assert f"no case with this question_id in organ 'brain' of {copy}" in missing[7]
    assert missing[8] == "prompt"  # the logged prompt stands in for the texts
    assert f"{copy} (named by the run's log)" in data["sources"]
    (row,) = read_csv(out / "runs.csv")
    assert row["data_sources"] == str(copy)
    assert str(copy) in (out / "report.md").read_text()


def test_a_log_without_a_source_reads_what_a_run_would_read_now(
    tmp_path: Path, local_copy: tuple[Path, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    copy, cases = local_copy
    monkeypatch.setenv("MED_REWARDBENCH_DATA_DIR", str(copy))
    run = write_run(tmp_path / "run", benchmark_lines(cases))
    out = tmp_path / "report"
    assert run_report([str(run), "--out", str(out), "--jobs", "2"]) == 0  # the worker processes, too
    data, images = page_data((out / "report.html").read_text())
    assert len(images) == len(cases) and all(case[7] is None for case in data["cases"])
    (description,) = data["sources"]
    assert description.startswith(str(copy)) and "does not name its data source" in description
    (row,) = read_csv(out / "runs.csv")
    assert row["data_sources"] == "not recorded"
    assert "not recorded" in (out / "report.html").read_text()


def test_a_case_whose_data_changed_since_the_run_is_flagged(
    tmp_path: Path, local_copy: tuple[Path, dict[str, Any]]
) -> None:
    copy, cases = local_copy
    by_task = benchmark_lines(cases, source=str(copy))
    line = by_task["med_rewardbench_brain"][0]
    target = json.loads(line["target"])
    target["winners"] = {d: FLIP[w] for d, w in target["winners"].items()}
    line["target"] = json.dumps(target)
    out = tmp_path / "report"
    assert run_report([str(write_run(tmp_path / "run", by_task)), "--out", str(out)]) == 0
    data, _ = page_data((out / "report.html").read_text())
    notes = {case[1]: case[7] for case in data["cases"]}
    assert "different expert winners than the run logged" in notes[target["question_id"]]
    assert sum(note is not None for note in notes.values()) == 1


def test_cases_still_show_when_no_data_can_be_read(tmp_path: Path, local_copy: tuple[Path, dict[str, Any]]) -> None:
    _, cases = local_copy
    out = tmp_path / "report"
    assert run_report([str(write_run(tmp_path / "run", benchmark_lines(cases))), "--out", str(out)]) == 0
    data, images = page_data((out / "report.html").read_text())
    assert images == [] and len(data["cases"]) == len(cases)
    assert all("the data could not be read from" in case[7] for case in data["cases"])


def test_an_image_that_does_not_decode_is_a_note_on_its_case_only(tmp_path: Path) -> None:
    # The report loads cases without decoding images and decodes each once for its preview,
    # with the checks a run makes: a truncated image (which Pillow could be told to accept)
    # must become a note on that one case, and the organ's other cases keep their images.
    import dataclasses

    cases = make_cases({"brain": 3}, seed=5, image_size=64)
    broken = dataclasses.replace(cases[1], image_png=cases[1].image_png[: len(cases[1].image_png) // 2])
    copy = tmp_path / "copy"
    write_layout([cases[0], broken, cases[2]], copy)
    by_id = {str(case.question_id): case for case in cases}
    out = tmp_path / "report"
    assert (
        run_report([str(write_run(tmp_path / "run", benchmark_lines(by_id, source=str(copy)))), "--out", str(out)]) == 0
    )
    data, images = page_data((out / "report.html").read_text())
    shown = {case[1]: case for case in data["cases"]}
    assert len(images) == 2
    hurt = shown[str(broken.question_id)]
    assert hurt[6] == -1 and "the image could not be previewed" in hurt[7]
    assert hurt[3:6] == [broken.question, broken.answer1_text, broken.answer2_text]
    for case in (cases[0], cases[2]):
        assert shown[str(case.question_id)][6] >= 0 and shown[str(case.question_id)][7] is None


def test_no_images_when_asked(tmp_path: Path, local_copy: tuple[Path, dict[str, Any]]) -> None:
    copy, cases = local_copy
    out = tmp_path / "report"
    run = write_run(tmp_path / "run", benchmark_lines(cases, source=str(copy)))
    assert run_report([str(run), "--out", str(out), "--image-size", "0"]) == 0
    data, images = page_data((out / "report.html").read_text())
    assert images == [] and all(case[3] is not None for case in data["cases"])


def test_no_case_data_when_asked(tmp_path: Path, local_copy: tuple[Path, dict[str, Any]]) -> None:
    copy, cases = local_copy
    out = tmp_path / "report"
    run = write_run(tmp_path / "run", benchmark_lines(cases, source=str(copy)))
    assert run_report([str(run), "--out", str(out), "--no-case-data"]) == 0
    data, images = page_data((out / "report.html").read_text())
    assert images == []
    assert all(case[3] is None and case[8] == "prompt" and "not read" in case[7] for case in data["cases"])


def test_logged_sources_map_to_the_loader(tmp_path: Path) -> None:
    hub = choose_source("benchmark", "Nandzy/Med-RewardBench@0123abcd")
    assert hub.source == HubDataset("Nandzy/Med-RewardBench", "0123abcd")
    assert hub.description == "hf://datasets/Nandzy/Med-RewardBench@0123abcd (named by the run's log)"
    assert choose_source("benchmark", "hf://datasets/org/name").source == HubDataset("org/name", None)
    assert choose_source("benchmark", "Nandzy/Med-RewardBench").source == HubDataset("Nandzy/Med-RewardBench", None)
    # A relative path that is not here is not taken for a repository.
    assert "which is not on this machine" in choose_source("benchmark", "data/copy").description
    assert choose_source("benchmark", str(tmp_path)).source == LocalDirectory(tmp_path)
    elsewhere = choose_source("benchmark", "/no/such/copy")
    assert isinstance(elsewhere.source, LocalDirectory)  # the empty copy MED_REWARDBENCH_DATA_DIR names
    assert "the log names '/no/such/copy', which is not on this machine" in elsewhere.description
    assert choose_source("sample", "anything").description == "the synthetic sample shipped with the package"
