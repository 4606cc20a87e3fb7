"""``report.html``: the whole report as one self-contained page, with a case browser.

It opens from disk with no network: the style sheet and the script are inlined from
``assets/``, the bar figure is a data URI and the organ heatmaps are coloured tables. Every
string that comes from data or model output is escaped here (:func:`html.escape`) or, for
the case browser, travels as JSON and is inserted by the script as text only.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Sequence
from importlib import resources
from typing import Final

from med_rewardbench_tasks.formatting import percent, title
from med_rewardbench_tasks.report import views
from med_rewardbench_tasks.report.judges import JudgeResults
from med_rewardbench_tasks.report.tables import ACCURACY_COLUMNS, ALL_ROW, Report
from med_rewardbench_tasks.report.views import View

# cividis (the heatmap figures' colour map) at 0, 25, 50, 75 and 100%: readable with every
# common colour-vision deficiency, and monotonic in lightness.
_CIVIDIS: Final = ((0, 34, 78), (64, 77, 107), (124, 123, 120), (188, 175, 111), (254, 232, 56))
_MARKS: Final = re.compile(r"\*\*(.+?)\*\*|`(.+?)`|\*(.+?)\*")


def asset(name: str) -> str:
    return resources.files("med_rewardbench_tasks.report").joinpath("assets", name).read_text(encoding="utf-8")


def text(value: object) -> str:
    return html.escape(str(value), quote=True)


def prose(marked: str) -> str:
    """Our explanatory text (which may quote data) with its ``**``, ``*`` and backtick marks as HTML."""

    def render(match: re.Match[str]) -> str:
        strong, code, emphasis = match.groups()
        if strong is not None:
            return f"<strong>{prose(strong)}</strong>"
        if code is not None:
            return f"<code>{code}</code>"
        return f"<em>{emphasis}</em>"

    return _MARKS.sub(render, text(marked))


def table(view: View, *, caption: str | None = None, marked: Sequence[int] = (), css: str = "") -> str:
    align = view.alignment()
    head = "".join(f'<th class="{side}">{text(header)}</th>' for header, side in zip(view.headers, align, strict=True))
    body = []
    for index, row in enumerate(view.rows):
        cells = []
        for column, cell in enumerate(row):
            content = prose(cell) if column in marked else text(cell)
            if column in view.code_columns:
                content = f"<code>{content}</code>"
            cells.append(f'<td class="{align[column]}">{content}</td>')
        strong = ' class="strong"' if index in view.strong_rows else ""
        body.append(f"<tr{strong}>{''.join(cells)}</tr>")
    caption_html = f"<caption>{text(caption)}</caption>" if caption else ""
    return (
        f'<div class="table-wrap"><table class="{css}">{caption_html}<thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def _colour(value: float) -> tuple[str, str]:
    """Background and text colour of a heatmap cell for an accuracy in [0, 1]."""
    position = min(max(value, 0.0), 1.0) * (len(_CIVIDIS) - 1)
    low = min(int(position), len(_CIVIDIS) - 2)
    share = position - low
    rgb = [round(a + (b - a) * share) for a, b in zip(_CIVIDIS[low], _CIVIDIS[low + 1], strict=True)]
    return "#{:02x}{:02x}{:02x}".format(*rgb), ("#ffffff" if value < 0.55 else "#000000")


def heatmap(judge: JudgeResults) -> str:
    """Accuracy by organ system and dimension as a table coloured like the heatmap figure."""
    header = "".join(f'<th class="right">{text(name)}</th>' for name in views.ACCURACY_HEADERS)
    rows = []
    for name, metrics in [*judge.by_organ.items(), (ALL_ROW, judge.accuracy)]:
        cells = []
        for metric in ACCURACY_COLUMNS:
            value = metrics.value(metric)
            if value != value:  # NaN: no case with a denominator
                cells.append('<td class="right">–</td>')
                continue
            background, foreground = _colour(value)
            cells.append(
                f'<td class="right heat" style="background:{background};color:{foreground}">{percent(value)}</td>'
            )
        shown = ALL_ROW if name == ALL_ROW else title(name)
        strong = ' class="strong"' if name == ALL_ROW else ""
        rows.append(f"<tr{strong}><th>{text(shown)}</th><td class='right'>{metrics.n_cases}</td>{''.join(cells)}</tr>")
    return (
        '<div class="table-wrap"><table class="heatmap"><caption>Accuracy by organ system and dimension</caption>'
        f'<thead><tr><th>Organ system</th><th class="right">n</th>{header}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _judge_section(report: Report, judge: JudgeResults, number: int) -> str:
    label = judge.label
    tables = report.tables
    parts = [f'<section class="judge" id="judge-{number}"><h2>{text(label)}</h2>']
    if (warning := views.incomplete_text(judge)) is not None:
        parts.append(f'<p class="warning">{prose(warning)}</p>')
    parts += [
        f"<h3>Accuracy by organ system ({text(judge.accuracy_source)})</h3>",
        heatmap(judge),
        "<details><summary>Accuracy by organ system with 95% intervals</summary>",
        table(views.grouped_accuracy(tables["accuracy_by_organ"].rows_for(label), "organ", "Organ system")),
        "</details>",
    ]
    for section in views.judge_sections(report, judge):
        parts.append(f"<h3>{text(section.heading)}</h3>")
        if section.text is not None:
            parts.append(f"<p>{prose(section.text)}</p>")
        parts.append(table(section.table))
    parts.append("</section>")
    return "\n".join(parts)


_BROWSER: Final = """
<section id="cases" class="browser">
<h2>Case browser</h2>
<p>Every case each judge was shown: the image (click to enlarge), the question, both answers in the
order the judge saw them, the judge's raw output, the verdict the parser read and the experts' winners.
Dimensions where the judge and the experts disagree are marked <span class="wrong-mark">✗</span>.
The filters and the page are kept in the address (share it to show the same cases).</p>
<form class="filters" id="filters" onsubmit="return false">
<label>Judge <select id="f-judge"></select></label>
<label>Organ system <select id="f-organ"><option value="">all</option></select></label>
<label>Dimension <select id="f-dimension"><option value="">any</option></select></label>
<label>Verdict <select id="f-correct"><option value="">right or wrong</option>
<option value="right">right</option><option value="wrong">wrong</option></select></label>
<label>Parse status <select id="f-status"><option value="">any</option><option value="ok">ok</option>
<option value="partial">partial</option><option value="unparseable">unparseable</option></select></label>
<label>Order <select id="f-flip"><option value="">any</option>
<option value="flipped">flipped with the order</option><option value="consistent">same in both orders</option>
</select></label>
<label>Search <input id="f-search" type="search" placeholder="question, answer, output"></label>
</form>
<p class="summary" id="case-summary" aria-live="polite"></p>
<div id="case-list"></div>
<nav class="pager" id="pager"><button type="button" id="page-prev">Previous</button>
<span id="page-info"></span><button type="button" id="page-next">Next</button></nav>
<dialog id="zoom"><img id="zoom-image" alt=""><p id="zoom-caption"></p>
<form method="dialog"><button>Close</button></form></dialog>
<noscript><p class="warning">The case browser needs JavaScript; the tables above do not.</p></noscript>
</section>
"""


def render_html(report: Report, *, cases_json: str, images_json: str, figure_png: bytes | None) -> str:
    """The page; ``cases_json``/``images_json`` come from :func:`.browser_data.script_json`."""
    judges = report.judges
    tables = report.tables
    navigation = ['<a href="#summary">Summary</a>', '<a href="#cases">Case browser</a>'] + [
        f'<a href="#judge-{number}">{text(judge.label)}</a>' for number, judge in enumerate(judges)
    ]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{text(report.title)}</title>",
        f"<style>{asset('report.css')}</style></head><body>",
        f"<header><h1>{text(report.title)}</h1><nav>{' · '.join(navigation)}</nav></header>",
        '<main><section id="summary">',
        f"<p>{prose(views.introduction(report))}</p>",
        f"<p>{prose(views.policy_statement(judges))}</p>",
    ]
    if "leaderboard" in tables:
        parts += [
            "<h2>Leaderboard</h2>",
            "<p>Sorted by mean accuracy.</p>",
            table(views.leaderboard(tables["leaderboard"].rows)),
        ]
    if "comparisons" in tables:
        parts += [
            "<h2>Judge against judge</h2>",
            f"<p>{prose(views.comparison_text())}</p>",
            table(views.comparisons(tables["comparisons"].rows)),
        ]
    if "votes" in tables:
        parts += [
            "<h2>Majority vote</h2>",
            f"<p>{prose(views.vote_text(report))}</p>",
            table(views.votes(tables["votes"].rows)),
        ]
    if figure_png is not None:
        encoded = base64.b64encode(figure_png).decode("ascii")
        parts.append(
            '<figure><img class="figure" alt="Accuracy by dimension, one bar per judge, with 95% intervals" '
            f'src="data:image/png;base64,{encoded}"></figure>'
        )
    parts += ["<h2>Runs</h2>", table(views.runs(tables["runs"].rows), marked=(3,)), "</section>"]
    parts += [_judge_section(report, judge, number) for number, judge in enumerate(judges)]
    parts += [
        _BROWSER,
        "</main>",
        f'<script type="application/json" id="case-data">{cases_json}</script>',
        f'<script type="application/json" id="case-images">{images_json}</script>',
        f"<script>{asset('browser.js')}</script>",
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"
