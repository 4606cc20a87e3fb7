"""Time a full Med-RewardBench run (1,026 synthetic cases in the real layout) with the baseline judge.

Splits the wall time into lmms-eval's start-up, the task build (of which our data loading
and validation is a part), and the package's own per-case work (prompt rendering, image
hand-off, verdict parsing, scoring). Target: our own added cost under 10 s on a 2-core
machine. Prints a table; no assertions.

    .venv/bin/python benchmarks/full_run_timing.py [--cases 1026] [--strategy S] [--tasks med_rewardbench_swap]
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import tempfile
import time
from pathlib import Path

# The synthetic generator lives in tests/synthetic; the checkout goes first, before any installed `tests`.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hook_timing import time_hooks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=1026)
    parser.add_argument("--strategy", default="longer_answer")
    parser.add_argument("--tasks", default="med_rewardbench", choices=["med_rewardbench", "med_rewardbench_swap"])
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="med-rewardbench-bench-"))
    os.environ["MED_REWARDBENCH_DATA_DIR"] = str(workdir / "data")
    os.environ.setdefault("HF_HOME", str(workdir / "hf-home"))
    os.environ["HF_HUB_OFFLINE"] = os.environ["HF_DATASETS_OFFLINE"] = "1"

    from tests.synthetic import write_synthetic_benchmark

    started = time.perf_counter()
    write_synthetic_benchmark(workdir / "data", total=args.cases, seed=0)
    build_data_s = time.perf_counter() - started

    started = time.perf_counter()
    import lmms_eval.evaluator as evaluator
    from lmms_eval.tasks import TaskManager

    startup_s = time.perf_counter() - started

    # Before lmms-eval reads the YAMLs (utils.py binds the hooks then).
    from med_rewardbench_tasks import task_hooks

    totals: dict[str, float] = collections.defaultdict(float)
    counts: dict[str, int] = collections.defaultdict(int)
    time_hooks(totals, counts)

    started = time.perf_counter()
    task_manager = TaskManager("WARNING")
    results = evaluator.simple_evaluate(
        model="med_rewardbench_baseline",
        model_args=f"strategy={args.strategy}",
        tasks=[args.tasks],
        task_manager=task_manager,
        log_samples=False,
        verbosity="WARNING",
    )
    evaluate_s = time.perf_counter() - started
    during_run, calls_during_run = dict(totals), dict(counts)
    ours_s = sum(during_run.values())

    # The baseline judge reads only the prompt text; a real judge also takes the image, so
    # time that hand-off (doc_to_messages = doc_to_visual + doc_to_text) on every case too,
    # including the datasets library decoding the image when the row is read.
    from lmms_eval.tasks import get_task_dict

    leaf_tasks = [task for task in get_task_dict([args.tasks], task_manager).values() if isinstance(task, dict)]
    started = time.perf_counter()
    handed_off = 0
    for organ_tasks in leaf_tasks:
        for task in organ_tasks.values():
            for doc in task.test_docs():
                task_hooks.doc_to_messages(doc)
                handed_off += 1
    hand_off_s = time.perf_counter() - started

    group = results["groups"][args.tasks] if "groups" in results else results["results"][args.tasks]
    print(f"\nMed-RewardBench full run ({args.tasks}), {args.cases} synthetic cases, baseline strategy={args.strategy}")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs\n")
    print(f"{'phase':<44}{'seconds':>10}{'calls':>8}")
    print(f"{'(build the synthetic data set, not timed)':<44}{build_data_s:>10.2f}")
    print(f"{'lmms-eval start-up (imports)':<44}{startup_s:>10.2f}")
    print(f"{'task build + evaluation (simple_evaluate)':<44}{evaluate_s:>10.2f}")
    for name in sorted(during_run):
        print(f"{'  ours: ' + name:<44}{during_run[name]:>10.2f}{calls_during_run[name]:>8}")
    print(f"{'  ours, total':<44}{ours_s:>10.2f}")
    print(f"{'  lmms-eval and the judge, the rest':<44}{evaluate_s - ours_s:>10.2f}")
    print(f"{'image + prompt hand-off a real judge adds':<44}{hand_off_s:>10.2f}{handed_off:>8}")
    ours_with_images_s = ours_s + hand_off_s
    print(
        f"\nours per case: {1000 * ours_with_images_s / args.cases:.2f} ms, total {ours_with_images_s:.2f} s "
        f"(target < 10 s: {'met' if ours_with_images_s < 10 else 'MISSED'})"
    )
    print(
        f"group mean_acc={group['mean_acc,verdict']:.4f} parse_failure_rate={group['parse_failure_rate,verdict']:.4f}"
    )


if __name__ == "__main__":
    main()
