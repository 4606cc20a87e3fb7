"""Time ``med-rewardbench report`` on a leaderboard-sized input: 10 judges x 1,026 cases x both orders.

Builds (once, reused with ``--workdir``) a synthetic local copy of the benchmark in the real
layout (1,026 cases, images 1024x1024 by default, about the real data's 540 KB per image) and,
for each judge, the files lmms-eval writes for ``--tasks med_rewardbench_swap --log_samples``:
one results file and 13 samples logs with 2,052 presentations. The logs are made with the
package's own task hooks (``doc_to_target``, ``doc_to_text``, ``VerdictFilter``), so they are
what a real run writes; the judges are simulated (each with its own accuracy, position bias,
parse-failure rate and reply length).

Then runs the real console script (``med-rewardbench report ... --out``), as a user would, and
prints its wall time, peak memory and the size of what it wrote. Target: under 15 s on a
2-core machine, HTML included. Prints numbers; no assertions.

    .venv/bin/python benchmarks/report_timing.py [--judges 10] [--cases 1026] [--image-size 1024]
        [--workdir DIR] [--vote]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Final

# The synthetic generator and the browser driver live in tests/; the checkout goes first, before any installed `tests`.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

DATE = "20250301_120000"
REASON: Final = (
    "Answer A identifies the lesion and its location correctly while B misreads the modality; B is more "
    "thorough about next steps but adds claims the image does not support."
)


def write_data(folder: Path, cases: int, image_size: int) -> None:
    from tests.synthetic import write_synthetic_benchmark

    if (folder / "pair_gt_all").is_dir():
        return
    started = time.perf_counter()
    write_synthetic_benchmark(folder, total=cases, seed=0, image_size=image_size)
    print(f"built the synthetic local copy in {time.perf_counter() - started:.0f} s: {folder}")


def judge_reply(rng: random.Random, picks: dict[str, str], words: int, broken: bool) -> str:
    reason = " ".join(rng.choice(REASON.split()) for _ in range(words))
    if broken:
        return f"Both answers have merit. {reason} I would not pick a single winner here."
    return json.dumps({**picks, "reason": reason})


def write_judge(folder: Path, judge: int, docs_by_organ: dict[str, list[dict[str, Any]]]) -> None:
    from med_rewardbench_tasks import task_hooks
    from med_rewardbench_tasks.constants import DIMENSIONS
    from med_rewardbench_tasks.parsing import DEFAULT_LONE_VERDICT
    from med_rewardbench_tasks.records import shown_labels

    rng = random.Random(judge)
    skill = 0.45 + 0.04 * judge  # chance of agreeing with the experts
    first_bias = 0.1 * (judge % 4)  # extra chance of picking the answer shown first
    broken_rate = 0.01 * (judge % 3)
    words = 20 + 25 * (judge % 5)
    model_folder = folder / f"judge-{judge:02d}"
    model_folder.mkdir(parents=True, exist_ok=True)
    n_samples = {}
    for organ, docs in docs_by_organ.items():
        task = f"med_rewardbench_swap_{organ}"
        lines = []
        for doc_id, doc in enumerate(docs):
            target = task_hooks.doc_to_target(doc)
            expert = shown_labels(doc)
            picks = {}
            for dimension in DIMENSIONS:
                if rng.random() < first_bias:
                    picks[dimension] = "A"
                elif rng.random() < skill:
                    picks[dimension] = expert[dimension]
                else:
                    picks[dimension] = "A" if expert[dimension] == "B" else "B"
            raw = judge_reply(rng, picks, words, rng.random() < broken_rate)
            (filtered,) = task_hooks.verdict_records([[raw]], DEFAULT_LONE_VERDICT)[0]
            # The shape of an lmms-eval 0.7.3 samples line (the per-metric entries abridged to 14).
            line = {
                "doc_id": doc_id,
                "target": target,
                "resps": [raw],
                "filtered_resps": [filtered],
                "doc_hash": f"{judge:02d}{doc_id:062d}",
                "input_media": [f"{organ}_{doc['question_id']}.png"],
                **{f"metric_{k}": [f"metric_{k}", organ, doc["question_id"], "original"] for k in range(14)},
                "input": task_hooks.doc_to_text(doc),
            }
            lines.append(json.dumps(line, ensure_ascii=False))
        (model_folder / f"{DATE}_samples_{task}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
        n_samples[task] = {"original": len(docs), "effective": len(docs)}
    tasks = list(n_samples)
    results = {
        "results": {
            "med_rewardbench_swap": {"alias": "med_rewardbench_swap"},
            **{task: {"alias": task} for task in tasks},
        },
        "groups": {"med_rewardbench_swap": {"alias": "med_rewardbench_swap"}},
        "group_subtasks": {"med_rewardbench_swap": tasks, **{task: [] for task in tasks}},
        "n-samples": n_samples,
        "config": {"model": "openai", "model_args": f"model=simulated-judge-{judge:02d}"},
        "model_name": f"simulated-judge-{judge:02d}",
        "date": DATE,
    }
    (model_folder / f"{DATE}_results.json").write_text(json.dumps(results), encoding="utf-8")


def write_runs(folder: Path, data: Path, judges: int) -> list[Path]:
    from med_rewardbench_tasks import data as data_module
    from med_rewardbench_tasks.constants import ORGANS

    runs = [folder / f"judge-{judge:02d}" for judge in range(judges)]
    if all(run.is_dir() for run in runs):
        return runs
    started = time.perf_counter()
    source = data_module.LocalDirectory(data)
    docs_by_organ = {}
    for organ in ORGANS:
        docs = []
        for case in data_module.load_organ(organ, source):
            base = {
                "question_id": case.question_id,
                "modality_type": case.organ,
                "question": case.question,
                "answer1_text": case.answer1_text,
                "answer2_text": case.answer2_text,
                "human_answer": dict(case.labels),
                **{key: value for key, value in case.metadata.items() if key == "department"},
            }
            docs += [{**base, "swapped": False}, {**base, "swapped": True}]
        docs_by_organ[organ] = docs
    for judge, run in enumerate(runs):
        write_judge(run, judge, docs_by_organ)
    print(f"wrote {judges} judges' samples logs in {time.perf_counter() - started:.0f} s: {folder}")
    return runs


def folder_size(path: Path) -> int:
    return sum(file.stat().st_size for file in path.rglob("*") if file.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--judges", type=int, default=10)
    parser.add_argument("--cases", type=int, default=1026)
    parser.add_argument("--image-size", type=int, default=1024, help="side of the synthetic images (pixels)")
    parser.add_argument("--workdir", type=Path, help="keep the synthetic data and logs here (reused when present)")
    parser.add_argument("--vote", action="store_true", help="also build the majority-vote judge")
    parser.add_argument("--repeat", type=int, default=1, help="run the report this many times")
    args = parser.parse_args()

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="med-rewardbench-report-bench-"))
    tag = f"{args.cases}cases-{args.image_size}px"
    data = workdir / f"data-{tag}"
    write_data(data, args.cases, args.image_size)
    runs = write_runs(workdir / f"runs-{tag}-{args.judges}judges", data, args.judges)

    script = shutil.which("med-rewardbench", path=str(Path(sys.executable).parent))
    if script is None:
        sys.exit("the med-rewardbench console script is not installed next to this Python")
    env = {**os.environ, "MED_REWARDBENCH_DATA_DIR": str(data), "HF_HUB_OFFLINE": "1"}
    logs = sum(folder_size(run) for run in runs)
    image_bytes = sum(path.stat().st_size for path in (data / "pair_gt_all" / "parquet").glob("*.parquet"))
    print(
        f"\n{args.judges} judges x {args.cases} cases x both orders; samples logs {logs / 2**20:.0f} MiB, "
        f"data {image_bytes / 2**20:.0f} MiB ({args.image_size}x{args.image_size} images); "
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs"
    )
    for attempt in range(args.repeat):
        out = workdir / f"report-{attempt}"
        shutil.rmtree(out, ignore_errors=True)
        command = [script, "report", *map(str, runs), "--out", str(out), *(["--vote"] if args.vote else [])]
        load = os.getloadavg()[0]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if completed.returncode != 0:
            sys.exit(f"report failed ({completed.returncode}):\n{completed.stderr}")
        cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        html = out / "report.html"
        html_size = f"{html.stat().st_size / 2**20:.1f} MiB" if html.exists() else "not written"
        print(
            f"report: {wall:.1f} s wall (target < 15 s: {'met' if wall < 15 else 'MISSED'}; load average "
            f"{load:.1f} when it started), {cpu:.1f} CPU-seconds in all its processes, peak RSS "
            f"{after.ru_maxrss / 2**10:.0f} MiB (largest process); wrote {folder_size(out) / 2**20:.1f} MiB in "
            f"{sum(1 for _ in out.iterdir())} files, report.html {html_size}"
        )
    browse(workdir / "report-0" / "report.html")
    print(f"\ninputs kept in {workdir}")


def browse(html: Path) -> None:
    """How the page behaves in headless Chromium: time to interactive, a filter's redraw, memory."""
    from tests.chromium import Browser, find_browser

    executable = find_browser()
    if executable is None:
        print("no Chromium here: the page's load and filter times are not measured")
        return
    with Browser(executable, timeout=120) as page:
        page.open(html.as_uri())
        ready = page.evaluate("performance.getEntriesByType('navigation')[0].domInteractive")
        redraws = [
            page.evaluate(
                f"(() => {{ const t = performance.now(); const s = document.getElementById('{select}');"
                f" s.value = '{value}'; s.dispatchEvent(new Event('change')); return performance.now() - t; }})()"
            )
            for select, value in (("f-organ", "brain"), ("f-correct", "wrong"), ("f-flip", "flipped"), ("f-judge", "1"))
        ]
        heap = page.evaluate("performance.memory ? performance.memory.usedJSHeapSize : 0") / 2**20
    print(
        f"report.html in headless Chromium: interactive after {ready / 1000:.2f} s; a filter change redraws in "
        f"{max(redraws):.0f} ms at most ({len(redraws)} changes); script heap {heap:.0f} MiB"
    )


if __name__ == "__main__":
    main()
