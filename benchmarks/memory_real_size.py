"""Peak memory and our own wall time of full runs at the benchmark's real size.

Builds (once, then reuses) a 1,026-case set in the real layout whose images are 1024x1024
scans with realistic entropy — half PNG (greyscale), half JPEG (colour), about 554 MiB of
encoded images in total — and runs the lmms-eval CLI with the baseline judge on it: the
plain group (``med_rewardbench``) and the swap group (``med_rewardbench_swap``), plus the
same two runs on the shipped 30-case sample. Each run is its own process; its peak RSS comes
from the kernel (``wait4``), so everything lmms-eval holds counts.

Target (issue 12.5): the peak above the matching sample run is at most 1.3x the total image
bytes, for the plain and the swap group alike (the second order must not copy images).

    .venv/bin/python benchmarks/memory_real_size.py [--data-dir /tmp/med-rewardbench-memory]
        [--variant mixed-1024|mixed-2048|png16-1024] [--runs plain swap sample sample_swap] [--hand-off]

``--hand-off`` also hands every doc's image to the judge the way a real model does
(``doc_to_visual``); the baseline judge reads only the prompt. Prints a table; no assertions.
"""

from __future__ import annotations

import argparse
import collections
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from hook_timing import outermost, time_hooks  # noqa: E402 - beside this script

# (pixels per side, how each image is encoded)
VARIANTS = {
    "mixed-1024": (1024, "mixed"),
    "mixed-2048": (2048, "mixed"),
    "png16-1024": (1024, "png16"),
}
RUNS = {
    "plain": "med_rewardbench",
    "swap": "med_rewardbench_swap",
    "sample": "med_rewardbench_sample",
    "sample_swap": "med_rewardbench_sample_swap",
}
BASELINE_OF = {"plain": "sample", "swap": "sample_swap"}
MIB = 1024 * 1024


def scan(small_png: bytes, size: int, encoding: str, index: int) -> bytes:
    """A large image with the entropy of a real scan: the drawn case, upscaled, plus sensor noise."""
    import numpy as np
    from PIL import Image

    base = np.asarray(Image.open(io.BytesIO(small_png)).convert("L").resize((size, size), Image.BILINEAR), np.float32)
    rng = np.random.default_rng(index)
    buffer = io.BytesIO()
    if encoding == "png16":
        # 12-bit detector data in a 16-bit greyscale PNG, as many X-ray exports are.
        data = np.clip(base * 16 + rng.normal(0, 80, base.shape), 0, 4095).astype(np.uint16)
        Image.fromarray(data).save(buffer, format="PNG", compress_level=6)
    elif index % 2 == 0:
        data = np.clip(base + rng.normal(0, 6, base.shape), 0, 255).astype(np.uint8)
        Image.fromarray(data, mode="L").save(buffer, format="PNG", compress_level=6)
    else:
        data = np.clip(base[..., None] + rng.normal(0, 10, (*base.shape, 3)), 0, 255).astype(np.uint8)
        Image.fromarray(data, mode="RGB").save(buffer, format="JPEG", quality=95)
    return buffer.getvalue()


def build(data_dir: Path, variant: str, cases: int) -> dict[str, Any]:
    """Write the set under ``data_dir`` unless a finished build of the same variant is there."""
    import dataclasses

    from tests.synthetic import distribute_cases, make_cases, write_layout

    marker = data_dir.with_name(f"{data_dir.name}.built.json")  # outside the data: not a file of the dataset
    if marker.is_file():
        built = json.loads(marker.read_text())
        if built["variant"] == variant and built["cases"] == cases:
            return built
    size, encoding = VARIANTS[variant]
    started = time.perf_counter()
    drawn = make_cases(distribute_cases(cases), seed=0, image_size=128)
    large = [
        dataclasses.replace(case, image_png=scan(case.image_png, size, encoding, index))
        for index, case in enumerate(drawn)
    ]
    write_layout(large, data_dir)
    built = {
        "variant": variant,
        "cases": cases,
        "image_bytes": sum(len(case.image_png) for case in large),
        "build_s": round(time.perf_counter() - started, 1),
    }
    marker.write_text(json.dumps(built))
    return built


def child(task: str, report: Path, hand_off: bool) -> None:
    """One lmms-eval CLI run in this process, with the package's hooks timed."""
    from med_rewardbench_tasks import lmms_eval_tasks

    totals: dict[str, float] = collections.defaultdict(float)
    counts: dict[str, int] = collections.defaultdict(int)
    built_docs: list[Any] = []
    time_hooks(totals, counts)
    for name in ("process_docs", "process_docs_both_orders"):
        hook = getattr(lmms_eval_tasks, name)

        def keep(docs: Any, hook: Any = hook) -> Any:
            # Only what lmms-eval receives: the swap hook's inner process_docs is not a task's docs.
            record = outermost()
            built = hook(docs)
            if record:
                built_docs.append(built)
            return built

        setattr(lmms_eval_tasks, name, keep)

    from lmms_eval.__main__ import cli_evaluate

    out = Path(tempfile.mkdtemp(prefix="memory-run-"))
    sys.argv = [
        "lmms-eval",
        "--model",
        "med_rewardbench_baseline",
        "--model_args",
        "strategy=longer_answer",
        "--tasks",
        task,
        "--log_samples",
        "--output_path",
        str(out),
    ]
    started = time.perf_counter()
    cli_evaluate()
    run_s = time.perf_counter() - started
    hand_off_s = 0.0
    if hand_off:
        started = time.perf_counter()
        for docs in built_docs:
            for doc in docs:
                lmms_eval_tasks.doc_to_visual(doc)
        hand_off_s = time.perf_counter() - started
    report.write_text(
        json.dumps(
            {
                "run_s": run_s,
                "ours_s": sum(totals.values()),
                "ours": dict(totals),
                "calls": dict(counts),
                "hand_off_s": hand_off_s,
                "docs": sum(len(docs) for docs in built_docs),
            }
        )
    )


def measure(run: str, data_dir: Path, hand_off: bool) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix=f"memory-{run}-"))
    report = workdir / "report.json"
    env = {
        **os.environ,
        "MED_REWARDBENCH_DATA_DIR": str(data_dir),
        "HF_HOME": str(workdir / "hf-home"),
        "HF_HUB_OFFLINE": "1",
        "HF_DATASETS_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
    }
    command = [sys.executable, __file__, "--child", RUNS[run], "--report", str(report)]
    if hand_off:
        command.append("--hand-off")
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output = process.stdout.read() if process.stdout else b""
    _, status, usage = os.wait4(process.pid, 0)
    wall_s = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0 or not report.is_file():
        sys.exit(f"{run}: the lmms-eval run failed:\n{output.decode(errors='replace')[-4000:]}")
    result = json.loads(report.read_text())
    if not result["docs"]:
        sys.exit(f"{run}: no docs were built (the data did not load):\n{output.decode(errors='replace')[-4000:]}")
    result["wall_s"] = wall_s
    result["peak_rss"] = usage.ru_maxrss * 1024  # Linux reports KiB
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=Path(tempfile.gettempdir()) / "med-rewardbench-memory")
    parser.add_argument("--variant", choices=sorted(VARIANTS), default="mixed-1024")
    parser.add_argument("--cases", type=int, default=1026)
    parser.add_argument("--runs", nargs="+", choices=list(RUNS), default=list(RUNS))
    parser.add_argument("--hand-off", action="store_true", help="also hand every image to the judge (doc_to_visual)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--report", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.report, args.hand_off)
        return

    data_dir = args.data_dir / args.variant
    built = build(data_dir, args.variant, args.cases)
    image_bytes = built["image_bytes"]
    print(
        f"data: {data_dir} ({built['cases']} cases, {args.variant}, images {image_bytes / MIB:.1f} MiB encoded)"
        f"\npython {sys.version.split()[0]}, {os.cpu_count()} CPUs\n"
    )
    results = {run: measure(run, data_dir, args.hand_off) for run in args.runs}
    print(f"{'run':<12}{'docs':>6}{'wall s':>9}{'ours s':>9}{'load s':>9}{'peak MiB':>10}", end="")
    print(f"{'above sample':>14}{'x images':>10}")
    for run, result in results.items():
        load_s = result["ours"].get("process_docs", 0.0) + result["ours"].get("process_docs_both_orders", 0.0)
        line = (
            f"{run:<12}{result['docs']:>6}{result['wall_s']:>9.1f}{result['ours_s'] + result['hand_off_s']:>9.2f}"
            f"{load_s:>9.2f}{result['peak_rss'] / MIB:>10.0f}"
        )
        baseline = results.get(BASELINE_OF.get(run, ""))
        if baseline is not None:
            above = result["peak_rss"] - baseline["peak_rss"]
            ratio = above / image_bytes
            line += f"{above / MIB:>14.0f}{ratio:>10.2f}  {'met' if ratio <= 1.3 else 'MISSED'} (target <= 1.30)"
        print(line)
    print(
        "\nwall s: the whole lmms-eval process; ours s: time inside the package's hooks (load s: data loading,"
        " validation and docs)" + (", plus the image hand-off" if args.hand_off else "")
    )


if __name__ == "__main__":
    main()
