"""Hooks named by this folder's YAML files; the logic is in the package (``task_hooks`` and the core modules).

lmms-eval loads this file by path, as a module named ``utils``, so it keeps absolute imports.
The upstream task folder (``med-rewardbench export-lmms-eval``) has the same hooks from the
same modules, except the data loading: there lmms-eval reads the Hub dataset itself.
"""

from med_rewardbench_tasks import lmms_eval_tasks, task_hooks
from med_rewardbench_tasks.verdict_filter import MedRewardBenchVerdictFilter

__all__ = ["MedRewardBenchVerdictFilter"]

med_rewardbench_process_docs = lmms_eval_tasks.process_docs
med_rewardbench_process_docs_swap = lmms_eval_tasks.process_docs_both_orders

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
