"""lmms-eval task definitions for Med-RewardBench (installed as ``med_rewardbench_tasks.tasks``).

lmms-eval reads the YAML files of this folder; ``utils.py`` is loaded by file path through
the YAMLs' ``!function`` tags.
"""
