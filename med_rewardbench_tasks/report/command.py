"""The ``med-rewardbench report`` command: options, checks before the work, and writing every file."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import replace
from pathlib import Path
from typing import Final

from med_rewardbench_tasks.report.case_data import DEFAULT_IMAGE_SIZE, CaseLoader, choose_source
from med_rewardbench_tasks.report.evaluations import Evaluation, evaluations, unique_labels
from med_rewardbench_tasks.report.judges import judge_results
from med_rewardbench_tasks.report.tables import Report, build_report
from med_rewardbench_tasks.report.vote import VoteError, VoteSummary, vote_by_dataset
from med_rewardbench_tasks.report.workers import Workers, default_workers
from med_rewardbench_tasks.runs import RunReadError, find_runs

DEFAULT_OUT: Final = Path("med_rewardbench_report")
DEFAULT_TITLE: Final = "Med-RewardBench report"
REPORT_EXTRA: Final = "pip install 'med-rewardbench-tasks[report]'"
PROGRAM: Final = "med-rewardbench report"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "inputs",
        nargs="+",
        type=Path,
        metavar="RESULTS_DIR_OR_FILE",
        help="lmms-eval --output_path folders (searched recursively), results JSON files or samples JSONL files",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default: {DEFAULT_OUT}/)")
    parser.add_argument("--title", default=DEFAULT_TITLE, help=f"report title (default: {DEFAULT_TITLE!r})")
    parser.add_argument(
        "--vote",
        action="store_true",
        help="add a majority-vote judge built from all the judges of each dataset (same cases; ties give no verdict)",
    )
    parser.add_argument(
        "--allow-incomplete",
        action="store_true",
        help="score a run whose samples log holds fewer cases than its results file counted (flagged in the report)",
    )
    parser.add_argument(
        "--image-size",
        type=int,
        default=DEFAULT_IMAGE_SIZE,
        metavar="PIXELS",
        help=f"longest side of the case images in report.html (default: {DEFAULT_IMAGE_SIZE}; 0: no images)",
    )
    parser.add_argument(
        "--no-case-data",
        action="store_true",
        help="do not read the cases' texts and images from the data (the case browser shows the logged prompts)",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=None,
        metavar="N",
        help=(
            "processes that read the case images and draw the figures (default: one for a small report, "
            f"else the CPUs, at most {default_workers()} here)"
        ),
    )


def output_problem(out: Path) -> str | None:
    """Why ``out`` cannot become the report folder, checked before any work is done."""
    if out.exists() and not out.is_dir():
        return f"--out {out} is a file; give a folder to write the report into"
    for parent in out.parents:
        if parent.exists():
            if not parent.is_dir():
                return f"--out {out}: {parent} is a file, not a folder"
            break
    return None


def error(message: str) -> None:
    print(f"{PROGRAM}: error: {message}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    problem = output_problem(args.out)
    if problem is None and args.image_size < 0:
        problem = "--image-size must be 0 (no images) or a number of pixels"
    if problem is not None:
        error(problem)
        return 2
    try:
        found = find_runs(args.inputs, allow_incomplete=args.allow_incomplete)
        judged = evaluations(found.runs)
        judged, votes, vote_notes = _with_votes(judged) if args.vote else (judged, [], [])
    except (RunReadError, VoteError, OSError) as failure:
        error(str(failure))
        return 2
    for note in [*found.notes, *vote_notes]:
        print(f"note: {note}", file=sys.stderr)
    with Workers(args.jobs or _auto_workers(judged)) as workers:
        loader = None if args.no_case_data else start_case_loader(judged, image_size=args.image_size, workers=workers)
        report = build_report([judge_results(evaluation) for evaluation in judged], title=args.title, votes=votes)
        try:
            written, missing = write_report(report, args.out, loader=loader, workers=workers)
        except OSError as failure:
            error(f"cannot write the report to {args.out}: {failure}")
            return 2
    print(f"wrote {len(written)} files to {args.out}/ ({len(judged)} judge(s))")
    for path in written:
        print(f"  {path.name}")
    if missing:
        error(f"{' and '.join(missing)} need the `report` extra: {REPORT_EXTRA} (the other files were written)")
        return 1
    return 0


# Below this many logged presentations, starting worker processes costs more than it saves.
PARALLEL_FROM: Final = 2000


def _auto_workers(judged: Sequence[Evaluation]) -> int:
    if sum(len(evaluation.samples) for evaluation in judged) < PARALLEL_FROM:
        return 1
    if installed("matplotlib"):
        # Imported once here rather than in every worker: the workers are forked from this process.
        from med_rewardbench_tasks.report.figures import pyplot

        pyplot()
    import PIL.Image  # noqa: F401  (the same for the case reader's libraries)
    import pyarrow.parquet  # noqa: F401

    return default_workers()


def _with_votes(judged: list[Evaluation]) -> tuple[list[Evaluation], list[VoteSummary], list[str]]:
    voted, notes = vote_by_dataset(judged)
    if not voted:
        raise VoteError(f"--vote needs at least two judges on the same data; {'; '.join(notes)}")
    everyone = unique_labels([*judged, *(evaluation for evaluation, _ in voted)])
    renamed = everyone[len(judged) :]
    summaries = [
        replace(summary, label=evaluation.label) for (_, summary), evaluation in zip(voted, renamed, strict=True)
    ]
    return everyone, summaries, [f"--vote: {note}; no vote for it" for note in notes]


def start_case_loader(judged: Sequence[Evaluation], *, image_size: int, workers: Workers) -> CaseLoader:
    """Start reading the cases behind the verdicts (texts and images) while the metrics are computed."""
    from med_rewardbench_tasks.report.browser_data import source_key, wanted_cases

    choices = {}
    for evaluation in judged:
        for sample in evaluation.samples:
            key = source_key(evaluation, sample)
            if key not in choices:
                choices[key] = choose_source(evaluation.dataset, sample.source)
                print(f"note: case browser: reading cases from {choices[key].description}", file=sys.stderr)
    return CaseLoader(choices, wanted_cases(judged), image_size, workers)


def installed(module: str) -> bool:
    """Whether an optional library (an extra) can be imported."""
    try:
        __import__(module)
    except ImportError:
        return False
    return True


Drawing = list[tuple[Path, "Future[None]"]]


def start_figures(report: Report, out: Path, workers: Workers) -> Drawing:
    """Submit every figure to the workers; the bar chart first (the HTML page embeds it)."""
    from med_rewardbench_tasks.report import figures

    inputs = [figures.FigureInput.of(judge) for judge in report.judges]
    bars = out / "accuracy_by_dimension.png"
    drawing: Drawing = [(bars, workers.submit(figures.plot_accuracy_by_dimension, inputs, bars))]
    for judge in inputs:
        heatmap = out / f"organ_heatmap_{report.slugs[judge.label]}.png"
        drawing.append((heatmap, workers.submit(figures.plot_organ_heatmap, judge, heatmap)))
    return drawing


def write_report(
    report: Report, out: Path, *, loader: CaseLoader | None = None, workers: Workers | None = None
) -> tuple[list[Path], list[str]]:
    """Write every file; returns the paths written and what could not be (a missing optional library)."""
    from med_rewardbench_tasks.report import spreadsheets
    from med_rewardbench_tasks.report.markdown import render_markdown

    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    missing: list[str] = []
    with_figures = installed("matplotlib")
    if not with_figures:
        missing.append("the figures (matplotlib)")
    own_workers = workers is None
    workers = Workers(1) if workers is None else workers
    try:
        drawing = start_figures(report, out, workers) if with_figures else []
        markdown = out / "report.md"
        # backslashreplace: a lone surrogate in a judge label (valid JSON, not valid UTF-8) stays visible.
        markdown.write_text(render_markdown(report, figures=with_figures), encoding="utf-8", errors="backslashreplace")
        written.append(markdown)
        for table in report.tables.values():
            path = out / f"{table.name}.csv"
            spreadsheets.write_csv(table, path)
            written.append(path)
        if installed("openpyxl"):
            workbook = out / "report.xlsx"
            spreadsheets.write_xlsx(list(report.tables.values()), workbook)
            written.append(workbook)
        else:
            missing.append("report.xlsx (openpyxl)")
        figure = None
        if drawing:
            bars, done = drawing[0]
            done.result()
            figure = bars.read_bytes()
        written.append(_write_html(report, out, loader, figure_png=figure))
        for path, done in drawing:
            done.result()
            written.append(path)
    finally:
        if own_workers:
            workers.close()
    return written, missing


def _write_html(report: Report, out: Path, loader: CaseLoader | None, *, figure_png: bytes | None) -> Path:
    from med_rewardbench_tasks.report.browser_data import browser_payload, script_json
    from med_rewardbench_tasks.report.html import render_html

    contents = loader.result() if loader is not None else {}
    choices = loader.choices if loader is not None else {}
    payload, images = browser_payload([judge.evaluation for judge in report.judges], contents, choices)
    page = render_html(report, cases_json=script_json(payload), images_json=script_json(images), figure_png=figure_png)
    path = out / "report.html"
    path.write_text(page, encoding="utf-8", errors="backslashreplace")
    return path
