"""How much a run prints and logs: rows of lmms-eval's results table and bytes per logged sample.

Runs the real CLI with the baseline judge on the shipped sample (a plain and a swap task) and
prints, per task, the rows lmms-eval's table shows and the mean size of a samples-log line
without the raw judge output (``resps``), and without lmms-eval's own copy of the prompt
(``input``) too. Targets (issue 13): at most 8 rows per plain task and 14 per swap task;
under 1.5 KB per logged swap sample besides the raw output and the prompt. No assertions.

    .venv/bin/python benchmarks/results_size.py [--tasks med_rewardbench_sample,med_rewardbench_sample_swap]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


def line_sizes(path: Path, *, without: tuple[str, ...]) -> list[int]:
    sizes = []
    for line in path.read_text(encoding="utf-8").splitlines():
        sample = json.loads(line)
        for key in without:
            sample.pop(key, None)
        sizes.append(len(json.dumps(sample, ensure_ascii=False).encode("utf-8")) + 1)
    return sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", default="med_rewardbench_sample,med_rewardbench_sample_swap")
    parser.add_argument("--strategy", default="longer_answer")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="med-rewardbench-size-"))
    lmms_eval = shutil.which("lmms-eval", path=str(Path(sys.executable).parent)) or "lmms-eval"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "HF_HOME": str(workdir / "hf")}
    command = [
        lmms_eval,
        "--model",
        "med_rewardbench_baseline",
        "--model_args",
        f"strategy={args.strategy}",
        "--tasks",
        args.tasks,
        "--log_samples",
        "--output_path",
        str(workdir / "out"),
    ]
    completed = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    rows = [line for line in completed.stdout.splitlines() if line.startswith("|") and not line.startswith("|-")]
    print(f"{'task':<32}{'table rows':>11}{'samples':>9}{'B/sample -resps':>17}{'-resps -input':>15}")
    for task in args.tasks.split(","):
        [samples] = (workdir / "out").rglob(f"*_samples_{task}.jsonl")
        without_raw = line_sizes(samples, without=("resps",))
        without_prompt = line_sizes(samples, without=("resps", "input"))
        task_rows = sum(1 for row in rows if row.split("|")[1].strip() == task)
        print(
            f"{task:<32}{task_rows:>11}{len(without_raw):>9}"
            f"{sum(without_raw) / len(without_raw):>17.0f}{sum(without_prompt) / len(without_prompt):>15.0f}"
        )
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
