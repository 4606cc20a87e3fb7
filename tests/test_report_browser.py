"""The case browser in a real browser: Debian's headless Chromium, driven over the DevTools protocol.

The page is opened from disk, filters are applied as a user applies them, and the cases left
on screen are compared with the samples logs lmms-eval wrote (read here line by line, not
through the package). Screenshots are saved beside the report. Without a Chromium the tests
say so and are skipped; CI installs Debian's ``chromium`` package (see ``.ci/run``).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.chromium import Browser, find_browser
from tests.test_report import console_script, run_report  # noqa: F401
from tests.test_report_html import HOSTILE_OUTPUT, hostile_report

BROWSER = find_browser()
pytestmark = pytest.mark.skipif(
    BROWSER is None, reason="no Chromium found: install Debian's chromium package (apt-get install -y chromium)"
)
DIMENSIONS = ("accuracy", "relevance", "comprehensiveness", "creativity", "responsiveness", "overall")
ANSWER = {"original": {"A": 1, "B": 2}, "swapped": {"A": 2, "B": 1}}

VISIBLE_CASES = """(() => {
  const seen = [];
  const next = document.getElementById('page-next');
  while (document.getElementById('page-info').textContent.split(' ')[1] !== '1') {
    document.getElementById('page-prev').click();
  }
  for (;;) {
    document.querySelectorAll('article.case').forEach(card => seen.push([card.dataset.organ, card.dataset.questionId]));
    if (next.disabled) break;
    next.click();
  }
  return seen;
})()"""


@pytest.fixture
def browser() -> Iterator[Browser]:
    assert BROWSER is not None
    with Browser(BROWSER, width=1280, height=1000) as opened:
        yield opened
        assert opened.console_errors() == []


def samples(folder: Path) -> list[dict[str, Any]]:
    (path,) = folder.rglob("*_samples_*.jsonl")
    lines = []
    for text in path.read_text().splitlines():
        line = json.loads(text)
        target = json.loads(line["target"])
        verdict = json.loads(
            line["filtered_resps"][0] if isinstance(line["filtered_resps"], list) else line["filtered_resps"]
        )
        lines.append({**target, "picks": verdict["choices"], "status": verdict["status"]})
    return lines


@pytest.fixture(scope="module")
def sample_report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Two real lmms-eval runs on the shipped sample, both orders, and their report."""
    from tests.conftest import run_lmms_eval

    root = tmp_path_factory.mktemp("browser")
    baseline = ["--model", "med_rewardbench_baseline", "--model_args"]
    runs = {}
    for strategy in ("random", "longer_answer"):
        run_lmms_eval([*baseline, f"strategy={strategy}", "--tasks", "med_rewardbench_sample_swap"], root / strategy)
        runs[strategy] = root / strategy / "lmms-eval-out"
    out = root / "report"
    assert run_report([*map(str, runs.values()), "--out", str(out)]) == 0
    return {"html": out / "report.html", "runs": runs, "out": out}


def judge_option(browser: Browser, strategy: str) -> str:
    options = browser.evaluate("[...document.getElementById('f-judge').options].map(o => [o.value, o.textContent])")
    (value,) = [value for value, label in options if f"strategy={strategy}" in label]
    return value


@pytest.mark.integration
def test_filters_show_exactly_the_matching_cases(browser: Browser, sample_report: dict[str, Any]) -> None:
    logged = samples(sample_report["runs"]["random"])
    original = [line for line in logged if line["order"] == "original"]
    organ, _ = Counter(line["organ"] for line in original).most_common(1)[0]

    browser.open(sample_report["html"].as_uri())
    total = len(original)
    assert browser.evaluate("document.getElementById('case-summary').textContent").startswith(f"{total} of {total}")
    browser.choose("f-judge", judge_option(browser, "random"))
    browser.choose("f-organ", organ)
    browser.choose("f-dimension", "accuracy")
    browser.choose("f-correct", "wrong")
    shown = browser.evaluate(VISIBLE_CASES)
    expected = [
        [line["organ"], line["question_id"]]
        for line in original
        if line["organ"] == organ and line["picks"]["accuracy"] != line["winners"]["accuracy"]
    ]
    assert sorted(shown) == sorted(expected) and expected
    browser.evaluate("document.getElementById('cases').scrollIntoView()")
    browser.screenshot(sample_report["out"] / "browser_wrong_accuracy.png")

    # The same filters from the address: a view can be shared as a link.
    browser.open(
        f"{sample_report['html'].as_uri()}#judge={judge_option(browser, 'random')}&organ={organ}"
        "&dimension=accuracy&correct=wrong"
    )
    assert sorted(browser.evaluate(VISIBLE_CASES)) == sorted(expected)

    # Cases whose verdict flipped with the order: the same underlying answer was not picked in
    # both orders (both stated), on the chosen dimension or on any.
    by_case: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
    for line in logged:
        by_case.setdefault((line["organ"], line["question_id"]), {})[line["order"]] = line

    def flipped(orders: dict[str, dict[str, Any]], dimension: str) -> bool:
        first, second = orders["original"]["picks"][dimension], orders["swapped"]["picks"][dimension]
        return None not in (first, second) and ANSWER["original"][first] != ANSWER["swapped"][second]

    browser.choose("f-organ", "")
    browser.choose("f-correct", "")
    browser.choose("f-dimension", "overall")
    browser.choose("f-flip", "flipped")
    on_overall = [list(key) for key, orders in by_case.items() if flipped(orders, "overall")]
    assert sorted(browser.evaluate(VISIBLE_CASES)) == sorted(on_overall) and 0 < len(on_overall) < total
    browser.choose("f-dimension", "")
    on_any = [list(key) for key, orders in by_case.items() if any(flipped(orders, d) for d in DIMENSIONS)]
    assert sorted(browser.evaluate(VISIBLE_CASES)) == sorted(on_any)
    # The longer-answer judge is consistent by construction: nothing flips.
    browser.choose("f-judge", judge_option(browser, "longer_answer"))
    assert browser.evaluate(VISIBLE_CASES) == []
    assert browser.evaluate("document.getElementById('case-summary').textContent").startswith(f"0 of {total}")


@pytest.mark.integration
def test_a_case_shows_its_image_texts_and_verdicts(browser: Browser, sample_report: dict[str, Any]) -> None:
    from tests.conftest import read_truth

    browser.open(sample_report["html"].as_uri())
    browser.choose("f-judge", judge_option(browser, "random"))
    first = browser.evaluate(
        "(() => { const c = document.querySelector('article.case'); return {organ: c.dataset.organ, "
        "qid: c.dataset.questionId, question: c.querySelector('.question').textContent, "
        "answers: [...c.querySelectorAll('.answer')].map(a => a.lastChild.textContent), "
        "views: c.querySelectorAll('.view').length, wrong: c.querySelectorAll('td.wrong').length, "
        "raw: [...c.querySelectorAll('pre.raw')].map(p => p.textContent)}; })()"
    )
    truth = next(case for case in read_truth() if (case.organ, case.question_id) == (first["organ"], first["qid"]))
    assert first["question"] == truth.question
    assert first["answers"] == [truth.answer1_text, truth.answer2_text]
    assert first["views"] == 2  # both orders
    # The preview is lazy: it decodes once the case scrolls into view.
    width = browser.evaluate(
        "(async () => { const img = document.querySelector('article.case .thumb img');"
        " img.scrollIntoView({block: 'center'}); await img.decode(); return img.naturalWidth; })()"
    )
    assert width > 0
    logged = {
        line["order"]: line
        for line in samples(sample_report["runs"]["random"])
        if (line["organ"], line["question_id"]) == (first["organ"], first["qid"])
    }
    wrong = sum(line["picks"][d] != line["winners"][d] for line in logged.values() for d in DIMENSIONS)
    assert first["wrong"] == wrong
    assert all(json.loads(raw).keys() >= set(DIMENSIONS) for raw in first["raw"])
    # Click the thumbnail: the enlarged image opens in a dialog.
    browser.click("article.case .thumb")
    assert browser.evaluate("document.getElementById('zoom').open") is True
    assert browser.evaluate("document.getElementById('zoom-image').naturalWidth") > 0
    browser.screenshot(sample_report["out"] / "browser_zoom.png")


def test_judge_output_stays_text_in_the_browser(browser: Browser, tmp_path: Path) -> None:
    html = hostile_report(tmp_path)
    browser.open(html.as_uri())
    assert browser.evaluate("typeof window.pwned") == "undefined"
    assert browser.evaluate("document.querySelector('.view pre.raw').textContent") == HOSTILE_OUTPUT
    assert (
        browser.evaluate("document.querySelectorAll('#case-list img, #case-list svg, #case-list script').length") == 0
    )
    header = browser.evaluate("document.querySelector('article.case header').textContent")
    assert 'department: "><svg onload="window.pwned=3">' in header
    browser.screenshot(tmp_path / "hostile.png")
    assert (tmp_path / "hostile.png").stat().st_size > 10_000
