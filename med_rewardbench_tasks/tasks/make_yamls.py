"""Write the repetitive task YAMLs: one per organ system and order, and the two groups.

Run ``python -m med_rewardbench_tasks.tasks.make_yamls`` after changing the organ systems
(``constants.ORGANS``) or the metrics a task reports (``metric_names``); it rewrites the
files in this folder and in ``../upstream_task`` (the upstream lmms-eval task folder), and
``tests/test_task_yamls.py`` fails while any checked-in file differs from what it writes.
The templates and the sample tasks are written by hand; ``_swap_template_yaml`` is the same
in both folders (each folder's ``utils.py`` gives its hooks their own data loading), so it is
copied from this folder.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Final

from med_rewardbench_tasks.constants import ORGANS
from med_rewardbench_tasks.metric_names import HEADLINE_METRICS, SWAP_TASK_METRICS

HERE: Final = Path(__file__).resolve().parent
FOLDERS: Final = (HERE, HERE.parent / "upstream_task")
FILTER: Final = "verdict"
VERSION: Final = "2.0"

# (group, prefix of its tasks, template, the metrics it aggregates)
FAMILIES: Final = (
    ("med_rewardbench", "med_rewardbench_", "_default_template_yaml", HEADLINE_METRICS),
    ("med_rewardbench_swap", "med_rewardbench_swap_", "_swap_template_yaml", tuple(SWAP_TASK_METRICS)),
)

GROUP_COMMENT: Final = """\
# Every case counts once, whatever its organ system's size: lmms-eval's size-weighted mean of
# the organ tasks' values. Every value is a share of all the task's cases (or presentations),
# so that mean is exactly the pooled value `med-rewardbench report` computes from the samples.
"""


def organ_yaml(prefix: str, organ: str, template: str) -> str:
    return f"task: {prefix}{organ}\ndataset_name: {organ}\ninclude: {template}\n"


def group_yaml(group: str, prefix: str, metrics: Iterable[str]) -> str:
    lines = [GROUP_COMMENT.rstrip("\n"), f"group: {group}", "task:"]
    lines += [f"  - {prefix}{organ}" for organ in ORGANS]
    lines.append("aggregate_metric_list:")
    for metric in metrics:
        lines += [
            f"  - metric: {metric}",
            "    aggregation: mean",
            "    weight_by_size: true",
            f"    filter_list: {FILTER}",
        ]
    lines += ["metadata:", f"  version: {VERSION}"]
    return "\n".join(lines) + "\n"


SHARED_TEMPLATE: Final = "_swap_template_yaml"


def yaml_files() -> dict[str, str]:
    """File name -> text, the same for both folders."""
    files = {SHARED_TEMPLATE: (HERE / SHARED_TEMPLATE).read_text(encoding="utf-8")}
    for group, prefix, template, metrics in FAMILIES:
        files[f"{group}.yaml"] = group_yaml(group, prefix, metrics)
        for organ in ORGANS:
            files[f"{prefix}{organ}.yaml"] = organ_yaml(prefix, organ, template)
    return files


def main() -> int:
    files = yaml_files()
    for folder in FOLDERS:
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8")
        print(f"wrote {len(files)} files to {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
