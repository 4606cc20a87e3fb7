"""The report's figures (matplotlib, from the ``report`` extra; imported only when drawing).

``accuracy_by_dimension.png``: grouped bars with 95% interval error bars, one colour (and,
past eight judges, one hatch) per judge, in a colour-blind-safe palette;
``organ_heatmap_<judge>.png``: organ system x dimension accuracy with every value written.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from med_rewardbench_tasks.constants import DIMENSIONS
from med_rewardbench_tasks.formatting import title
from med_rewardbench_tasks.metrics import CONFIDENCE_LEVEL, MetricTable
from med_rewardbench_tasks.report.judges import JudgeResults
from med_rewardbench_tasks.report.tables import ACCURACY_COLUMNS, ALL_ROW

FIGURE_DPI: Final = 150
# Okabe & Ito's palette: distinguishable with every common colour-vision deficiency.
PALETTE: Final = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
HATCHES: Final = ("", "//", "..", "xx", "\\\\", "--", "oo", "++")


@dataclass(frozen=True)
class FigureInput:
    """What the figures need of a judge: small enough to hand to a worker process."""

    label: str
    accuracy: MetricTable
    by_organ: Mapping[str, MetricTable]

    @classmethod
    def of(cls, judge: JudgeResults) -> FigureInput:
        return cls(judge.label, judge.accuracy, dict(judge.by_organ))


def pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_accuracy_by_dimension(judges: Sequence[FigureInput], path: Path) -> None:
    """Grouped bars: the six dimensions and the mean, one bar per judge, 95% interval error bars."""
    import textwrap

    import numpy as np

    plt = pyplot()
    groups = len(ACCURACY_COLUMNS)
    width = 0.8 / len(judges)
    fig, ax = plt.subplots(figsize=(max(8.0, 1.1 * groups + 0.35 * groups * len(judges)), 4.8))
    x = np.arange(groups)
    for index, judge in enumerate(judges):
        values = np.array([100 * judge.accuracy.value(metric) for metric in ACCURACY_COLUMNS])
        bounds = [judge.accuracy.intervals.get(metric, (math.nan, math.nan)) for metric in ACCURACY_COLUMNS]
        errors = np.array(
            [
                [value - 100 * low for value, (low, _) in zip(values, bounds, strict=True)],
                [100 * high - value for value, (_, high) in zip(values, bounds, strict=True)],
            ]
        )
        ax.bar(
            x - 0.4 + width * (index + 0.5),
            values,
            width,
            yerr=np.nan_to_num(errors),
            capsize=3,
            color=PALETTE[index % len(PALETTE)],
            hatch=HATCHES[(index // len(PALETTE)) % len(HATCHES)],
            edgecolor="black",
            linewidth=0.5,
            error_kw={"elinewidth": 1, "ecolor": "black"},
            label="\n".join(textwrap.wrap(f"{judge.label} (n={judge.accuracy.n_cases})", 48)),
        )
    ax.axhline(50, color="grey", linestyle="--", linewidth=1, label="Chance (50%)")
    ax.set_xticks(x, [*(title(d) for d in DIMENSIONS), "Mean"], rotation=15)
    ax.set_xlabel("Judged dimension")
    ax.set_ylabel("Accuracy against expert labels (%)")
    ax.set_ylim(0, 105)
    ax.set_title(f"Judge accuracy by dimension (error bars: {round(100 * CONFIDENCE_LEVEL)}% bootstrap CI)")
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    fig.tight_layout()
    fig.savefig(path, dpi=FIGURE_DPI)
    plt.close(fig)


def plot_organ_heatmap(judge: FigureInput, path: Path) -> None:
    """Organ system x dimension accuracy, the value written in every cell; the last row is All."""
    import textwrap

    import numpy as np

    plt = pyplot()
    rows = [*judge.by_organ.items(), (ALL_ROW, judge.accuracy)]
    values = np.array([[100 * table.value(metric) for metric in ACCURACY_COLUMNS] for _, table in rows])
    fig, ax = plt.subplots(figsize=(8.5, max(4.0, 1.8 + 0.42 * len(rows))))
    image = ax.imshow(values, cmap="cividis", vmin=0, vmax=100, aspect="auto")
    for (i, j), value in np.ndenumerate(values):
        text = "–" if math.isnan(value) else f"{value:.1f}"
        # cividis is dark at the low end: white text there, black on the light end.
        color = "white" if math.isnan(value) or value < 55 else "black"
        ax.text(j, i, text, ha="center", va="center", color=color, fontsize=8)
    ax.set_xticks(range(len(ACCURACY_COLUMNS)), [*(title(d) for d in DIMENSIONS), "Mean"], rotation=30, ha="right")
    ax.set_yticks(
        range(len(rows)), [f"{title(name) if name != ALL_ROW else ALL_ROW} (n={t.n_cases})" for name, t in rows]
    )
    ax.axhline(len(rows) - 1.5, color="white", linewidth=2)
    ax.set_xlabel("Judged dimension")
    ax.set_ylabel("Organ system")
    ax.set_title("\n".join(textwrap.wrap(f"{judge.label}: accuracy by organ system (%)", 70)))
    colorbar = fig.colorbar(image, ax=ax)
    colorbar.set_label("Accuracy against expert labels (%)")
    fig.tight_layout()
    fig.savefig(path, dpi=FIGURE_DPI)
    plt.close(fig)
