"""Med-RewardBench: a multimodal model as a medical judge (lmms-eval task folder; see README.md).

``utils.py`` holds the hooks the YAML files name; the prompt, the verdict parser, the metrics
and the serialised forms are the modules beside it, imported as
``lmms_eval.tasks.med_rewardbench.<module>``.
"""
