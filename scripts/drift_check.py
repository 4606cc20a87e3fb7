#!/usr/bin/env python3
"""Would the newest releases our metadata allows still work? A maintainer's check, not part of CI.

    python3 scripts/drift_check.py [--venv DIR] [--no-tests]

It builds a scratch environment with the newest versions pyproject.toml's ranges allow (only the
deliberate holds in requirements/holds.txt apply: ``scripts/install.sh --dev --unlocked``), then
prints which packages moved against requirements/lock.txt, runs the README's sample evaluation
and a fast subset of the tests, and says what broke. Exit status 0: nothing broke, so
``python3 scripts/lock.py`` can take the new versions (then run ``bash .ci/run``).

Standard library only.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
SAMPLE_RUN = (
    "--model",
    "med_rewardbench_baseline",
    "--model_args",
    "strategy=longer_answer",
    "--tasks",
    "med_rewardbench_sample",
)
# The unit tests, then the tests that drive the real lmms-eval CLI on the sample: a few minutes.
FAST_TESTS = (
    ("-m", "not integration and not tiny_model"),
    ("-m", "not tiny_model", "tests/test_lmms_eval_cli.py", "tests/test_compat.py"),
)


def run(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=REPO_ROOT, text=True, capture_output=True, check=False, **kwargs)  # type: ignore[call-overload]


def tail(text: str, lines: int = 12) -> str:
    return "\n".join(f"    {line}" for line in text.strip().splitlines()[-lines:])


def moved_packages(python: Path) -> list[str]:
    checked = run([str(python), "scripts/lock.py", "--check"])
    return [line.strip() for line in checked.stderr.splitlines() if line.startswith("  ")]


def sample_problem(venv: Path, scratch: Path) -> str | None:
    out = scratch / "sample-run"
    completed = run([str(venv / "bin" / "lmms-eval"), *SAMPLE_RUN, "--output_path", str(out)])
    # lmms-eval exits 0 even when the evaluation failed: the results file is the evidence.
    if completed.returncode == 0 and list(out.rglob("*results*.json")):
        return None
    return f"exit {completed.returncode}, no results file:\n{tail(completed.stdout + completed.stderr)}"


def failed_tests(python: Path) -> list[str]:
    failures = []
    for selection in FAST_TESTS:
        completed = run([str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rfE", *selection])
        failures += [line for line in completed.stdout.splitlines() if line.startswith(("FAILED", "ERROR"))]
        if completed.returncode not in (0, 5) and not failures:
            failures.append(f"pytest {' '.join(selection)}: exit {completed.returncode}\n{tail(completed.stdout)}")
    return failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--venv", type=Path, help="build (or reuse) the scratch environment here; default: a temp dir")
    parser.add_argument("--no-tests", action="store_true", help="only the install and the sample run")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="med-rewardbench-drift-") as temp:
        scratch = Path(temp)
        venv = (args.venv or scratch / "venv").resolve()
        python = venv / "bin" / "python"
        installed = run(["scripts/install.sh", "--dev", "--unlocked", "--venv", str(venv)])
        if installed.returncode != 0:
            print(f"install: FAILED with the newest allowed versions\n{tail(installed.stdout + installed.stderr)}")
            return 1

        moved = moved_packages(python)
        print(f"moved against requirements/lock.txt: {len(moved)} package(s)")
        for line in moved:
            print(f"  {line}")
        problem = sample_problem(venv, scratch)
        print("sample run: ok" if problem is None else f"sample run: BROKEN ({problem})")
        failures = [] if args.no_tests else failed_tests(python)
        if not args.no_tests:
            print(f"fast tests: {'ok' if not failures else f'{len(failures)} failed'}")
            for failure in failures:
                print(f"  {failure}")
    broken = problem is not None or bool(failures)
    if broken:
        print("Something broke: find which moved package did it before taking the new versions into the lock.")
    elif moved:
        print("Nothing broke: `python3 scripts/lock.py` takes these versions; then run `bash .ci/run` and commit.")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
