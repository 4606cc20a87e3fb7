"""Chat models (doc_to_messages) and simple models (doc_to_visual + doc_to_text) get the same judge input.

Uses lmms-eval's own task objects and request building for both task types, so what is
compared is exactly what each kind of model receives.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import ImageChops

from med_rewardbench_tasks.prompts import THINK_STEP_BY_STEP_CLAUSE, build_judge_prompt
from tests.conftest import REPO_ROOT

FIXTURES = REPO_ROOT / "tests" / "fixtures" / "per_model_prompts"


def requests_for(task_name: str, task_type: str, model_name: str | None, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "hf-home" / "datasets"))
    from lmms_eval.tasks import TaskManager, get_task_dict

    manager = TaskManager("ERROR", include_path=str(FIXTURES), model_name=model_name)
    task = get_task_dict([task_name], manager, task_type)[task_name]
    task.build_all_requests(limit=None, rank=0, world_size=1)
    return task, sorted(task.instances, key=lambda instance: instance.doc_id)


def chat_input(task, instance):
    _ctx, doc_to_messages, _gen_kwargs, doc_id, _task_name, split = instance.args
    [message] = doc_to_messages(task.dataset[split][doc_id])
    images = [part["url"] for part in message["content"] if part["type"] == "image"]
    texts = [part["text"] for part in message["content"] if part["type"] == "text"]
    return texts, images


def simple_input(task, instance):
    context, _gen_kwargs, doc_to_visual, doc_id, _task_name, split = instance.args
    return [context], doc_to_visual(task.dataset[split][doc_id])


@pytest.mark.parametrize(
    ("task_name", "model_name"),
    [
        pytest.param("med_rewardbench_sample", None, id="default-prompt"),
        pytest.param("med_rewardbench_sample_qwen_prompts", "qwen2_5_vl", id="per-model-prompt"),
        pytest.param("med_rewardbench_sample_swap", None, id="swapped-orders"),
    ],
)
def test_chat_and_simple_models_see_the_same_text_and_image(tmp_path, monkeypatch, task_name, model_name) -> None:
    chat_task, chat_requests = requests_for(task_name, "chat", model_name, tmp_path, monkeypatch)
    simple_task, simple_requests = requests_for(task_name, "simple", model_name, tmp_path, monkeypatch)
    assert type(chat_task).__name__ == "ConfigurableMessagesTask"
    assert type(simple_task).__name__ == "ConfigurableTask"
    assert len(chat_requests) == len(simple_requests) > 0
    for chat_request, simple_request in zip(chat_requests, simple_requests, strict=True):
        chat_texts, chat_images = chat_input(chat_task, chat_request)
        simple_texts, simple_images = simple_input(simple_task, simple_request)
        assert chat_texts == simple_texts and len(chat_texts) == 1
        assert len(chat_images) == len(simple_images) == 1
        assert chat_images[0].mode == simple_images[0].mode == "RGB"
        assert ImageChops.difference(chat_images[0], simple_images[0]).getbbox() is None


def test_per_model_block_reaches_the_prompt_for_that_model_only(tmp_path, monkeypatch) -> None:
    task, requests = requests_for("med_rewardbench_sample_qwen_prompts", "simple", "qwen2_5_vl", tmp_path, monkeypatch)
    doc = task.dataset["test"][requests[0].doc_id]
    expected = build_judge_prompt(doc["question"], doc["answer1_text"], doc["answer2_text"], think_step_by_step=True)
    assert requests[0].args[0] == "Medical judging task.\n" + expected + "\nAnswer with the JSON object only."
    assert THINK_STEP_BY_STEP_CLAUSE in requests[0].args[0]
    _other_task, other_requests = requests_for(
        "med_rewardbench_sample_qwen_prompts", "simple", "llava_hf", tmp_path, monkeypatch
    )
    assert other_requests[0].args[0] == expected.replace(THINK_STEP_BY_STEP_CLAUSE, "")
