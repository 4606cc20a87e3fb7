"""``report.md``: the report as a Markdown document (tables like the paper's, figures as links)."""

from __future__ import annotations

from collections.abc import Sequence

from med_rewardbench_tasks.report import views
from med_rewardbench_tasks.report.judges import JudgeResults
from med_rewardbench_tasks.report.tables import Report
from med_rewardbench_tasks.report.views import View


def escape_cell(text: str) -> str:
    # A pipe ends a cell and a newline ends the row; data strings may hold either.
    return text.replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def md_table(view: View) -> str:
    rule = ["---:" if side == "right" else "---" for side in view.alignment()]
    lines = ["| " + " | ".join(view.headers) + " |", "| " + " | ".join(rule) + " |"]
    for index, row in enumerate(view.rows):
        cells = []
        for column, cell in enumerate(row):
            text = escape_cell(cell)
            if column in view.code_columns:
                text = f"`{text}`"
            if index in view.strong_rows and text:
                text = f"**{text}**"
            cells.append(text)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def render_markdown(report: Report, *, figures: bool = True) -> str:
    """The whole document; without ``figures`` (matplotlib missing) no image is linked."""
    judges = report.judges
    tables = report.tables
    parts = [f"# {report.title}", views.introduction(report), views.policy_statement(judges)]
    if "leaderboard" in tables:
        parts += ["## Leaderboard", "Sorted by mean accuracy.", md_table(views.leaderboard(tables["leaderboard"].rows))]
    if "comparisons" in tables:
        parts += [
            "## Judge against judge",
            views.comparison_text(),
            md_table(views.comparisons(tables["comparisons"].rows)),
        ]
    if "votes" in tables:
        parts += ["## Majority vote", views.vote_text(report), md_table(views.votes(tables["votes"].rows))]
    if figures:
        parts += ["![Accuracy by dimension](accuracy_by_dimension.png)"]
    parts += ["## Runs", md_table(views.runs(tables["runs"].rows))]
    for judge in judges:
        parts += _judge_section(report, judge, figures=figures)
    return "\n\n".join(parts) + "\n"


def _judge_section(report: Report, judge: JudgeResults, *, figures: bool) -> Sequence[str]:
    label = judge.label
    tables = report.tables
    parts = [f"## {escape_cell(label)}"]
    if (warning := views.incomplete_text(judge)) is not None:
        parts.append(warning)
    parts += [
        f"### Accuracy by organ system ({judge.accuracy_source})",
        md_table(views.grouped_accuracy(tables["accuracy_by_organ"].rows_for(label), "organ", "Organ system")),
    ]
    if figures:
        parts.append(f"![Accuracy by organ system and dimension](organ_heatmap_{report.slugs[label]}.png)")
    for section in views.judge_sections(report, judge):
        parts.append(f"### {section.heading}")
        if section.text is not None:
            parts.append(section.text)
        parts.append(md_table(section.table))
    return parts
