"""Regenerate ``docs/case_browser.png``, the README's picture of the report's case browser.

Runs two reference judges on the shipped sample in both orders (lmms-eval, offline), writes
their report, opens it in headless Chromium and photographs the case browser with a filter
applied (one judge's wrong verdicts on accuracy). Needs the dev install and a Chromium
(Debian: ``apt-get install -y chromium``).

    .venv/bin/python scripts/case_browser_screenshot.py [--out docs/case_browser.png]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from tests.chromium import Browser, find_browser  # noqa: E402  (the repository's own test helper)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "docs" / "case_browser.png")
    args = parser.parse_args()
    browser = find_browser()
    if browser is None:
        sys.exit("no Chromium found: install Debian's chromium package (apt-get install -y chromium)")
    bin_dir = Path(sys.executable).parent
    with tempfile.TemporaryDirectory(prefix="case-browser-") as folder:
        work = Path(folder)
        env = {**os.environ, "HF_HOME": str(work / "hf-home"), "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
        runs = []
        for strategy in ("random", "longer_answer"):
            output = work / strategy
            command = [str(bin_dir / "lmms-eval"), "--model", "med_rewardbench_baseline", "--model_args"]
            command += [f"strategy={strategy}", "--tasks", "med_rewardbench_sample_swap", "--log_samples"]
            subprocess.run([*command, "--output_path", str(output)], env=env, check=True, capture_output=True)
            runs.append(str(output))
        report = work / "report"
        subprocess.run([str(bin_dir / "med-rewardbench"), "report", *runs, "--out", str(report)], env=env, check=True)
        with Browser(browser, width=1280, height=900) as page:
            page.open((report / "report.html").as_uri())
            labels = page.evaluate("[...document.getElementById('f-judge').options].map(o => [o.value, o.text])")
            page.choose("f-judge", next(value for value, label in labels if "strategy=random" in label))
            page.choose("f-dimension", "accuracy")
            page.choose("f-correct", "wrong")
            page.evaluate(
                "(async () => { document.getElementById('cases').scrollIntoView();"
                " await Promise.all([...document.querySelectorAll('#case-list img')].map(i => i.decode())); })()"
            )
            args.out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
