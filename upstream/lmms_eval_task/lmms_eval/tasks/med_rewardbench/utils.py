"""Hooks named by this folder's YAML files; the logic is in the modules beside this file.

lmms-eval loads this file by path, so the modules are imported by their full name. They are
plain Python with no dependency beyond lmms-eval's own: ``prompts`` (the paper's judge
prompt), ``parsing`` (the verdict parser), ``records`` (docs, verdict and judgment records),
``metric_names`` and ``metrics`` (what is reported, and how it is computed),
``task_hooks`` (what the YAMLs call) and ``verdict_filter`` (the lmms-eval filter).
"""

from lmms_eval.tasks.med_rewardbench import task_hooks
from lmms_eval.tasks.med_rewardbench.verdict_filter import MedRewardBenchVerdictFilter

__all__ = ["MedRewardBenchVerdictFilter"]

med_rewardbench_process_docs = task_hooks.checked_docs
med_rewardbench_process_docs_swap = task_hooks.checked_docs_both_orders

med_rewardbench_doc_to_visual = task_hooks.doc_to_visual
med_rewardbench_doc_to_text = task_hooks.doc_to_text
med_rewardbench_doc_to_messages = task_hooks.doc_to_messages
med_rewardbench_doc_to_target = task_hooks.doc_to_target

med_rewardbench_process_results = task_hooks.process_results
med_rewardbench_process_results_swap = task_hooks.process_results_swap
med_rewardbench_aggregate_mean_strict_acc = task_hooks.aggregate_mean_strict_acc
med_rewardbench_aggregate_mean_consistency = task_hooks.aggregate_mean_consistency
med_rewardbench_aggregate_mean_first_position_bias = task_hooks.aggregate_mean_first_position_bias
med_rewardbench_aggregate_mean_second_position_bias = task_hooks.aggregate_mean_second_position_bias
