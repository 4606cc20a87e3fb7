"""Tiny, randomly initialised checkpoints of real vision-language architectures, built offline.

Each builder writes a directory that lmms-eval's own model classes load through the same
``--model_args pretrained=<dir>`` a user passes for a real checkpoint: ``config.json``,
``model.safetensors`` (weights drawn under a fixed torch seed), the image-processor
config, a byte-level BPE tokenizer trained here with the ``tokenizers`` library, and a
chat template saved with the tokenizer and the processor. Nothing is downloaded.

The models have about 100k parameters (about 0.5 MB on disk) and build in a few
seconds on a CPU. Their outputs are garbage, which is the point for these tests: the
benchmark must run end to end and count unparseable verdicts instead of crashing.

Qwen2-VL / Qwen2.5-VL need :func:`shim_env` when torchvision is not installed; see
``tests/shims/sitecustomize.py``.
"""

from __future__ import annotations

import functools
import importlib
import json
import os
from pathlib import Path
from typing import Any

from med_rewardbench_tasks.prompts import VERDICT_FORMAT, build_judge_prompt
from tests.conftest import DIMENSIONS, SHIMS, read_truth, start_up_shim

SHIM_SOURCE = SHIMS / "sitecustomize.py"  # imports libyaml_loader, which start_up_shim copies beside it
SEED = 0
# Trained on the sample's own prompts, 1024 BPE tokens cover them at about 4 characters per
# token, so a judge prompt is 280-410 tokens: cheap for a 2-layer model on a CPU.
VOCAB_SIZE = 1024

# Square 56-pixel inputs: Qwen's patch 14 x merge 2 = 28-pixel units, so 2 x 2 merged
# units, i.e. 16 vision patches and 4 image tokens in the text. min = max pins it there
# whatever the source image size (the sample's images are 128 x 128).
QWEN_IMAGE_PIXELS = 56 * 56

# lmms-eval's Qwen classes put this system prompt in front of every request.
_QWEN_SYSTEM_PROMPT = "You are a helpful assistant."

# ChatML as the Qwen2(-VL) family formats it: the image placeholder is
# <|vision_start|><|image_pad|><|vision_end|>, which the processor expands to one
# <|image_pad|> per merged patch. A part is an image by its "type" or, as qwen_vl_utils
# writes them, by an "image" key. Plain-string contents are accepted too.
QWEN_CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "<|im_start|>{{ message['role'] }}\n"
    "{% if message['content'] is string %}{{ message['content'] }}"
    "{% else %}{% for part in message['content'] %}"
    "{% if part['type'] == 'image' or 'image' in part %}<|vision_start|><|image_pad|><|vision_end|>"
    "{% elif part['type'] == 'video' or 'video' in part %}<|vision_start|><|video_pad|><|vision_end|>"
    "{% elif part['type'] == 'text' %}{{ part['text'] }}"
    "{% endif %}{% endfor %}{% endif %}"
    "<|im_end|>\n"
    "{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
QWEN_SPECIAL_TOKENS = (
    "<|endoftext|>",
    "<|im_start|>",
    "<|im_end|>",
    "<|vision_start|>",
    "<|vision_end|>",
    "<|image_pad|>",
    "<|video_pad|>",
)

# A Vicuna-style (llava-1.5) template. lmms-eval's chat `llava_hf` renders structured
# contents through the processor; its simple class renders a plain string that already
# starts with "<image>\n" through the tokenizer. The same template serves both.
LLAVA_CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{% if message['role'] == 'user' %}USER: "
    "{% if message['content'] is string %}{{ message['content'] }}"
    "{% else %}{% for part in message['content'] %}"
    "{% if part['type'] == 'image' %}<image>\n{% elif part['type'] == 'text' %}{{ part['text'] }}{% endif %}"
    "{% endfor %}{% endif %} "
    "{% else %}ASSISTANT: "
    "{% if message['content'] is string %}{{ message['content'] }}"
    "{% else %}{% for part in message['content'] %}"
    "{% if part['type'] == 'text' %}{{ part['text'] }}{% endif %}{% endfor %}"
    "{% endif %}</s>"
    "{% endif %}"
    "{% endfor %}"
    "{% if add_generation_prompt %}ASSISTANT:{% endif %}"
)
LLAVA_SPECIAL_TOKENS = ("<unk>", "<s>", "</s>", "<pad>", "<image>")
# CLIP sees a 28 x 28 crop in 14-pixel patches: 4 patches plus the class token.
LLAVA_IMAGE_SIZE = 28
LLAVA_PATCH_SIZE = 14


def shim_env(tmp: Path) -> dict[str, str]:
    """Environment for an lmms-eval subprocess that must import the torchvision shim at start-up.

    The shim is copied into its own directory under ``tmp`` (so that directory holds nothing
    else, and its bytecode cache lands there, not in the source tree) and put first on
    ``PYTHONPATH``, where Python's ``site`` module imports ``sitecustomize`` from.
    """
    shim_dir = start_up_shim(Path(tmp) / "torchvision-shim", SHIM_SOURCE)
    inherited = os.environ.get("PYTHONPATH")
    return {"PYTHONPATH": os.pathsep.join([str(shim_dir), *([inherited] if inherited else [])])}


@functools.lru_cache(maxsize=1)
def tokenizer_corpus() -> tuple[str, ...]:
    """Text the tokenizer learns from: the benchmark's own judge prompts plus chat and verdict words."""
    prompts = [build_judge_prompt(case.question, case.answer1_text, case.answer2_text) for case in read_truth()]
    verdicts = [json.dumps({**dict.fromkeys(DIMENSIONS, winner), "reason": "brief explanation"}) for winner in "AB"]
    chat = ["system", "user", "assistant", "USER:", "ASSISTANT:", _QWEN_SYSTEM_PROMPT, VERDICT_FORMAT]
    return (*prompts, *verdicts, *chat)


def _train_tokenizer(special_tokens: tuple[str, ...]) -> Any:
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tokenizer = Tokenizer(models.BPE())
    # Byte-level: every string encodes (no unknown characters), as in GPT-2/Qwen/Llama-3.
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=VOCAB_SIZE,
        # Special tokens come first, so their ids are 0..n-1 in the order listed.
        special_tokens=list(special_tokens),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(tokenizer_corpus(), trainer)
    return tokenizer


def _hf_tokenizer(special_tokens: tuple[str, ...], chat_template: str, **roles: str) -> Any:
    from transformers import PreTrainedTokenizerFast

    # Saved as the generic tokenizers-backed class: model-specific tokenizer classes in
    # transformers 5 rebuild their pre-tokenizer/normaliser, which need not match this BPE.
    return PreTrainedTokenizerFast(
        tokenizer_object=_train_tokenizer(special_tokens),
        chat_template=chat_template,
        # What the real tokenizers of these families return; the generic class would add
        # token_type_ids, which transformers 4's generate() refuses for most of them.
        model_input_names=["input_ids", "attention_mask"],
        additional_special_tokens=[token for token in special_tokens if token not in roles.values()],
        **roles,
    )


def tokenizer_and_ids(special_tokens: tuple[str, ...], chat_template: str, **roles: str) -> tuple[Any, dict[str, int]]:
    """A tokenizer (see :func:`_hf_tokenizer`) and the ids of its special tokens."""
    tokenizer = _hf_tokenizer(special_tokens, chat_template, **roles)
    return tokenizer, _token_ids(tokenizer, special_tokens)


def checkpoint_folder(directory: Path) -> Path:
    """``directory``, created if needed: where a builder saves its checkpoint."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    return out


def _token_ids(tokenizer: Any, tokens: tuple[str, ...]) -> dict[str, int]:
    """Ids of the special tokens, checked to be distinct and never split by the tokenizer."""
    vocab = tokenizer.get_vocab()
    ids = {token: vocab[token] for token in tokens}
    assert len(set(ids.values())) == len(tokens), ids
    for token, token_id in ids.items():
        assert tokenizer.encode(f"a{token}b", add_special_tokens=False).count(token_id) == 1, token
    return ids


def pil_image_processor(family: str, class_stem: str) -> Any:
    """The pure-PIL image processor class of a family (no torchvision needed), under transformers 5 or 4 naming."""
    try:  # transformers 5: <Stem>ImageProcessorPil in image_processing_pil_<family>
        module = importlib.import_module(f"transformers.models.{family}.image_processing_pil_{family}")
        return getattr(module, f"{class_stem}ImageProcessorPil")
    except ModuleNotFoundError:  # transformers 4: the "slow" image processor is the PIL one
        module = importlib.import_module(f"transformers.models.{family}.image_processing_{family}")
        return getattr(module, f"{class_stem}ImageProcessor")


def _save_weights(model_class: Any, config: Any, out: Path) -> None:
    import torch  # here, not at the top: collecting the tests should not import torch

    torch.manual_seed(SEED)
    model = model_class(config).eval()
    # float32 on disk: classes loading with dtype "auto" (qwen2_vl, llava_hf) run in float32;
    # lmms-eval's qwen2_5_vl classes always load bfloat16, which works on the CPU too.
    model.to(torch.float32).save_pretrained(out)


def _qwen_text_config(tokenizer: Any, ids: dict[str, int]) -> dict[str, Any]:
    return small_text_config(
        tokenizer,
        # Multimodal RoPE shares each head's rotary frequencies (head_dim / 2, with head_dim =
        # 32 / 2 heads = 16) among temporal, height and width positions: sections sum to 8.
        rope_parameters={"rope_type": "default", "rope_theta": 10000.0, "mrope_section": [4, 2, 2]},
        # The same, as transformers 4 spells it (transformers 5 reads rope_parameters).
        rope_scaling={"rope_type": "default", "mrope_section": [4, 2, 2]},
        bos_token_id=ids["<|endoftext|>"],
        eos_token_id=ids["<|im_end|>"],
        pad_token_id=ids["<|endoftext|>"],
    )


def _qwen_vision_token_ids(ids: dict[str, int]) -> dict[str, int]:
    # The model finds image features' slots by these ids, which must be the tokenizer's.
    return {
        "image_token_id": ids["<|image_pad|>"],
        "video_token_id": ids["<|video_pad|>"],
        "vision_start_token_id": ids["<|vision_start|>"],
        "vision_end_token_id": ids["<|vision_end|>"],
    }


def _save_qwen_tokenizer_and_processor(
    out: Path, *, pixels: int = QWEN_IMAGE_PIXELS, patch_size: int = 14
) -> tuple[Any, dict[str, int]]:
    """The Qwen tokenizer and a fixed-size image processor (``pixels`` per image) saved in ``out``."""
    tokenizer, ids = tokenizer_and_ids(
        QWEN_SPECIAL_TOKENS, QWEN_CHAT_TEMPLATE, eos_token="<|im_end|>", pad_token="<|endoftext|>"
    )
    tokenizer.save_pretrained(out)
    # Saved on its own (type "Qwen2VLImageProcessor", which loads with the PIL backend when
    # torchvision is missing). A full processor save would need a video processor, i.e.
    # torchvision; AutoProcessor finds the processor class from config.json's model_type.
    image_processor = pil_image_processor("qwen2_vl", "Qwen2VL")(
        min_pixels=pixels,
        max_pixels=pixels,
        patch_size=patch_size,
        temporal_patch_size=2,
        merge_size=2,
    )
    image_processor.save_pretrained(out)
    # The tokenizer saved the chat template as chat_template.jinja, which is also where
    # AutoProcessor reads the processor's template from.
    assert (out / "chat_template.jinja").read_text() == QWEN_CHAT_TEMPLATE
    return tokenizer, ids


def build_tiny_qwen2_5_vl(directory: Path) -> Path:
    """A 115k-parameter Qwen2.5-VL checkpoint (2 vision blocks, 2 text layers) in ``directory``."""
    from transformers import Qwen2_5_VLConfig, Qwen2_5_VLForConditionalGeneration

    out = checkpoint_folder(directory)
    tokenizer, ids = _save_qwen_tokenizer_and_processor(out)
    config = Qwen2_5_VLConfig(
        text_config=_qwen_text_config(tokenizer, ids),
        vision_config={
            "depth": 2,
            "hidden_size": 16,
            "intermediate_size": 32,
            "num_heads": 2,
            # Patch, merge and temporal sizes must equal the image processor's: they define
            # the flattened patch length (3 * 2 * 14 * 14) and the tokens per image.
            "patch_size": 14,
            "spatial_merge_size": 2,
            "temporal_patch_size": 2,
            # Window attention in 56-pixel windows (the whole 56-pixel image), with the last
            # block on full attention as in the real model.
            "window_size": 56,
            "fullatt_block_indexes": [1],
            # The merger projects vision features into the text model's width.
            "out_hidden_size": 32,
        },
        **_qwen_vision_token_ids(ids),
    )
    _save_weights(Qwen2_5_VLForConditionalGeneration, config, out)
    return out


def build_tiny_qwen2_vl(directory: Path) -> Path:
    """A 114k-parameter Qwen2-VL checkpoint (2 vision blocks, 2 text layers) in ``directory``."""
    from transformers import Qwen2VLConfig, Qwen2VLForConditionalGeneration

    out = checkpoint_folder(directory)
    tokenizer, ids = _save_qwen_tokenizer_and_processor(out)
    config = Qwen2VLConfig(
        text_config=_qwen_text_config(tokenizer, ids),
        vision_config={
            "depth": 2,
            "embed_dim": 16,
            "num_heads": 2,
            "mlp_ratio": 2,
            "patch_size": 14,
            "spatial_merge_size": 2,
            "temporal_patch_size": 2,
            # Qwen2-VL's merger output width, i.e. the text model's hidden size.
            "hidden_size": 32,
        },
        **_qwen_vision_token_ids(ids),
    )
    _save_weights(Qwen2VLForConditionalGeneration, config, out)
    return out


def build_tiny_llava(directory: Path) -> Path:
    """A 100k-parameter LLaVA-1.5-style checkpoint (CLIP vision tower + Llama text model) in ``directory``."""
    from transformers import (
        CLIPVisionConfig,
        LlamaConfig,
        LlavaConfig,
        LlavaForConditionalGeneration,
        LlavaProcessor,
    )

    out = checkpoint_folder(directory)
    tokenizer, ids = tokenizer_and_ids(
        LLAVA_SPECIAL_TOKENS,
        LLAVA_CHAT_TEMPLATE,
        unk_token="<unk>",
        bos_token="<s>",
        eos_token="</s>",
        pad_token="<pad>",
    )
    image_processor = pil_image_processor("clip", "CLIP")(
        size={"shortest_edge": LLAVA_IMAGE_SIZE},
        crop_size={"height": LLAVA_IMAGE_SIZE, "width": LLAVA_IMAGE_SIZE},
    )
    processor = LlavaProcessor(
        image_processor=image_processor,
        tokenizer=tokenizer,
        patch_size=LLAVA_PATCH_SIZE,
        # "default" drops CLIP's class token from the features, as llava-1.5 does ...
        vision_feature_select_strategy="default",
        # ... and this tells the processor that token exists, so it inserts
        # (28 / 14)^2 + 1 - 1 = 4 <image> tokens, matching the 4 features. Left at its
        # default 0, the processor inserts 3 and generation fails on the mismatch.
        num_additional_image_tokens=1,
        chat_template=LLAVA_CHAT_TEMPLATE,
        image_token="<image>",
    )
    processor.save_pretrained(out)
    config = LlavaConfig(
        vision_config=CLIPVisionConfig(
            hidden_size=16,
            intermediate_size=32,
            # Two layers because LLaVA reads the features of the second-to-last layer.
            num_hidden_layers=2,
            num_attention_heads=2,
            image_size=LLAVA_IMAGE_SIZE,
            patch_size=LLAVA_PATCH_SIZE,
        ),
        text_config=LlamaConfig(
            **small_text_config(tokenizer, bos_token_id=ids["<s>"], eos_token_id=ids["</s>"], pad_token_id=ids["<pad>"])
        ),
        image_token_index=ids["<image>"],
        image_seq_length=(LLAVA_IMAGE_SIZE // LLAVA_PATCH_SIZE) ** 2,
        vision_feature_select_strategy="default",
        vision_feature_layer=-2,
    )
    _save_weights(LlavaForConditionalGeneration, config, out)
    return out


def rope_settings(**extra: Any) -> dict[str, Any]:
    """RoPE settings, as transformers 5 (``rope_parameters``) and transformers 4 (``rope_scaling``) read them."""
    parameters = {"rope_type": "default", "rope_theta": 10000.0, **extra}
    return {"rope_parameters": parameters, "rope_scaling": parameters}


def small_text_config(tokenizer: Any, **extra: Any) -> dict[str, Any]:
    """A 2-layer, 32-wide decoder: enough for the ~400-token prompt plus generated tokens."""
    return {
        "vocab_size": len(tokenizer),
        "hidden_size": 32,
        "intermediate_size": 64,
        "num_hidden_layers": 2,
        "num_attention_heads": 2,
        "num_key_value_heads": 1,
        "max_position_embeddings": 4096,
        **extra,
    }


def write_json(path: Path, content: dict[str, Any]) -> None:
    path.write_text(json.dumps(content, indent=2) + "\n", encoding="utf-8")
