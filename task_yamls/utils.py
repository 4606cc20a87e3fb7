"""Hooks named by this folder's YAML files; the logic lives in ``med_rewardbench_tasks``.

lmms-eval loads this file by path as a module named ``utils``, so it keeps absolute
imports only.
"""

from med_rewardbench_tasks.lmms_eval_tasks import (  # noqa: F401
    VerdictFilter,
    aggregate_judgments,
    doc_to_messages,
    doc_to_target,
    doc_to_text,
    doc_to_visual,
    process_docs,
    process_docs_both_orders,
    process_results,
    process_results_both_orders,
)
