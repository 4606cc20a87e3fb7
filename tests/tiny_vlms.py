"""More tiny random checkpoints, built offline: InternVL, Gemma 3, Idefics2, Llama 3.2 Vision, Mistral 3.

(Qwen3-VL and Qwen3.5 are in ``tests/tiny_qwen3.py``; ``BUILDERS`` below names them all.)

Same recipe as ``tests/tiny_models.py`` (whose tokenizer trainer and weight writer these reuse):
each builder writes a directory that lmms-eval's model class for that family loads with
``pretrained=<dir>``, with a chat template of the family's shape, its real processor and
image processor (the pure-PIL ones, so no torchvision is needed), and weights under a fixed
seed. Every model is about 100k parameters and every image becomes a handful of tokens, so
a judge prompt of ~400 tokens runs through two layers in well under a second on a CPU.

``IMAGE_TOKENS`` says, per builder, which token stands for image features in the text: the
tests count it in what reached ``generate`` (how many one image becomes depends on the
lmms-eval class too, so docs/model_classes.yaml says it per class).
"""

from __future__ import annotations

from pathlib import Path

from tests.tiny_models import (
    QWEN_CHAT_TEMPLATE,
    QWEN_SPECIAL_TOKENS,
    _save_weights,
    checkpoint_folder,
    pil_image_processor,
    rope_settings,
    small_text_config,
    tokenizer_and_ids,
    write_json,
)
from tests.tiny_qwen3 import build_tiny_qwen3_5, build_tiny_qwen3_vl

# --- InternVL (the transformers-native "-hf" checkpoints) --------------------------------------

INTERNVL_SPECIAL_TOKENS = (*QWEN_SPECIAL_TOKENS, "<img>", "</img>", "<IMG_CONTEXT>", "<video>")
# 56-pixel tiles in 14-pixel patches (4 x 4), pixel-shuffled by 0.5: 4 tokens per tile; the
# image processor makes one tile (no cropping into patches).
INTERNVL_TILE = 56
INTERNVL_TOKENS_PER_TILE = 4
# A ChatML template that writes InternVL's context token for an image; the processor expands
# it into <img> + <IMG_CONTEXT> x tokens + </img>.
INTERNVL_CHAT_TEMPLATE = QWEN_CHAT_TEMPLATE.replace("<|vision_start|><|image_pad|><|vision_end|>", "<IMG_CONTEXT>\n")


def build_tiny_internvl(directory: Path) -> Path:
    """An InternVL checkpoint (1 InternViT layer, pixel-shuffle projector, 2-layer Qwen2 text model)."""
    from transformers import InternVLConfig, InternVLForConditionalGeneration

    out = checkpoint_folder(directory)
    tokenizer, ids = tokenizer_and_ids(
        INTERNVL_SPECIAL_TOKENS,
        INTERNVL_CHAT_TEMPLATE,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        extra_special_tokens={
            "start_image_token": "<img>",
            "end_image_token": "</img>",
            "context_image_token": "<IMG_CONTEXT>",
            "video_token": "<video>",
        },
    )
    tokenizer.save_pretrained(out)
    pil_image_processor("got_ocr2", "GotOcr2")(
        size={"height": INTERNVL_TILE, "width": INTERNVL_TILE}, crop_to_patches=False
    ).save_pretrained(out)
    # The processor's own setting (its video processor needs torchvision, so the processor is
    # not saved whole): the number of context tokens per tile.
    write_json(
        out / "processor_config.json",
        {"processor_class": "InternVLProcessor", "image_seq_length": INTERNVL_TOKENS_PER_TILE},
    )
    config = InternVLConfig(
        vision_config={
            "hidden_size": 16,
            "intermediate_size": 32,
            "num_hidden_layers": 1,
            "num_attention_heads": 2,
            "image_size": [INTERNVL_TILE, INTERNVL_TILE],
            "patch_size": [14, 14],
        },
        text_config={
            "model_type": "qwen2",
            **small_text_config(
                tokenizer,
                **rope_settings(),
                bos_token_id=ids["<|endoftext|>"],
                eos_token_id=ids["<|im_end|>"],
                pad_token_id=ids["<|endoftext|>"],
            ),
        },
        image_token_id=ids["<IMG_CONTEXT>"],
        image_seq_length=INTERNVL_TOKENS_PER_TILE,
        downsample_ratio=0.5,
        vision_feature_layer=-1,
        vision_feature_select_strategy="default",
    )
    _save_weights(InternVLForConditionalGeneration, config, out)
    return out


# --- Gemma 3 ------------------------------------------------------------------------------

GEMMA3_SPECIAL_TOKENS = (
    "<pad>",
    "<eos>",
    "<bos>",
    "<start_of_turn>",
    "<end_of_turn>",
    "<start_of_image>",
    "<end_of_image>",
    "<image_soft_token>",
)
# SigLIP sees 28 x 28 pixels in 14-pixel patches (2 x 2); 4 tokens per image keeps all four.
GEMMA3_IMAGE_SIZE = 28
GEMMA3_TOKENS_PER_IMAGE = 4
# Gemma's turn format; an image part becomes <start_of_image>, which the processor expands
# into <start_of_image> + <image_soft_token> x 4 + <end_of_image>.
GEMMA3_CHAT_TEMPLATE = (
    "{{ bos_token }}"
    "{% for message in messages %}"
    "<start_of_turn>{{ 'model' if message['role'] == 'assistant' else message['role'] }}\n"
    "{% if message['content'] is string %}{{ message['content'] }}"
    "{% else %}{% for part in message['content'] %}"
    "{% if part['type'] == 'image' %}<start_of_image>{% elif part['type'] == 'text' %}{{ part['text'] }}{% endif %}"
    "{% endfor %}{% endif %}<end_of_turn>\n"
    "{% endfor %}"
    "{% if add_generation_prompt %}<start_of_turn>model\n{% endif %}"
)


def build_tiny_gemma3(directory: Path) -> Path:
    """A Gemma 3 checkpoint (1 SigLIP layer, 2 Gemma 3 text layers)."""
    from transformers import Gemma3Config, Gemma3ForConditionalGeneration, Gemma3Processor

    out = checkpoint_folder(directory)
    tokenizer, ids = tokenizer_and_ids(
        GEMMA3_SPECIAL_TOKENS,
        GEMMA3_CHAT_TEMPLATE,
        pad_token="<pad>",
        eos_token="<end_of_turn>",
        bos_token="<bos>",
        extra_special_tokens={
            "boi_token": "<start_of_image>",
            "eoi_token": "<end_of_image>",
            "image_token": "<image_soft_token>",
        },
    )
    image_processor = pil_image_processor("gemma3", "Gemma3")(
        size={"height": GEMMA3_IMAGE_SIZE, "width": GEMMA3_IMAGE_SIZE}, do_pan_and_scan=False
    )
    Gemma3Processor(
        image_processor=image_processor,
        tokenizer=tokenizer,
        chat_template=GEMMA3_CHAT_TEMPLATE,
        image_seq_length=GEMMA3_TOKENS_PER_IMAGE,
    ).save_pretrained(out)
    config = Gemma3Config(
        text_config=small_text_config(
            tokenizer,
            head_dim=16,
            query_pre_attn_scalar=16,
            sliding_window=512,
            bos_token_id=ids["<bos>"],
            eos_token_id=ids["<end_of_turn>"],
            pad_token_id=ids["<pad>"],
        ),
        vision_config={
            "model_type": "siglip_vision_model",
            "hidden_size": 16,
            "intermediate_size": 32,
            "num_hidden_layers": 1,
            "num_attention_heads": 2,
            "image_size": GEMMA3_IMAGE_SIZE,
            "patch_size": 14,
        },
        mm_tokens_per_image=GEMMA3_TOKENS_PER_IMAGE,
        boi_token_index=ids["<start_of_image>"],
        eoi_token_index=ids["<end_of_image>"],
        image_token_index=ids["<image_soft_token>"],
    )
    _save_weights(Gemma3ForConditionalGeneration, config, out)
    return out


# --- Idefics2 ---------------------------------------------------------------------------

IDEFICS2_SPECIAL_TOKENS = ("<unk>", "<s>", "</s>", "<fake_token_around_image>", "<image>", "<end_of_utterance>")
# The perceiver resampler turns any image into this many latent tokens.
IDEFICS2_TOKENS_PER_IMAGE = 4
IDEFICS2_IMAGE_SIZE = 28
# Idefics2's "User:<image>text<end_of_utterance>\nAssistant:" turns.
IDEFICS2_CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{{ message['role'] | capitalize }}:"
    "{% if message['content'] is string %}{{ message['content'] }}"
    "{% else %}{% for part in message['content'] %}"
    "{% if part['type'] == 'image' %}<image>{% elif part['type'] == 'text' %}{{ part['text'] }}{% endif %}"
    "{% endfor %}{% endif %}<end_of_utterance>\n"
    "{% endfor %}"
    "{% if add_generation_prompt %}Assistant:{% endif %}"
)


def build_tiny_idefics2(directory: Path) -> Path:
    """An Idefics2 checkpoint (1 vision layer, a 4-latent perceiver resampler, 2 Mistral text layers)."""
    from transformers import Idefics2Config, Idefics2ForConditionalGeneration, Idefics2Processor

    out = checkpoint_folder(directory)
    tokenizer, ids = tokenizer_and_ids(
        IDEFICS2_SPECIAL_TOKENS,
        IDEFICS2_CHAT_TEMPLATE,
        unk_token="<unk>",
        bos_token="<s>",
        eos_token="<end_of_utterance>",
        pad_token="<unk>",
    )
    image_processor = pil_image_processor("idefics2", "Idefics2")(
        size={"shortest_edge": IDEFICS2_IMAGE_SIZE, "longest_edge": IDEFICS2_IMAGE_SIZE}, do_image_splitting=False
    )
    Idefics2Processor(
        image_processor=image_processor,
        tokenizer=tokenizer,
        image_seq_len=IDEFICS2_TOKENS_PER_IMAGE,
        chat_template=IDEFICS2_CHAT_TEMPLATE,
    ).save_pretrained(out)
    config = Idefics2Config(
        vision_config={
            "hidden_size": 16,
            "intermediate_size": 32,
            "num_hidden_layers": 1,
            "num_attention_heads": 2,
            "image_size": IDEFICS2_IMAGE_SIZE,
            "patch_size": 14,
        },
        perceiver_config={
            # The resampler works at the text model's width.
            "hidden_size": 32,
            "rms_norm_eps": 1e-6,
            "resampler_n_latents": IDEFICS2_TOKENS_PER_IMAGE,
            "resampler_depth": 1,
            "resampler_n_heads": 2,
            "resampler_head_dim": 8,
            "num_key_value_heads": 1,
        },
        text_config={
            "model_type": "mistral",
            **small_text_config(
                tokenizer,
                **rope_settings(),
                bos_token_id=ids["<s>"],
                eos_token_id=ids["<end_of_utterance>"],
                pad_token_id=ids["<unk>"],
            ),
        },
        image_token_id=ids["<image>"],
    )
    _save_weights(Idefics2ForConditionalGeneration, config, out)
    return out


# --- Llama 3.2 Vision (Mllama) -----------------------------------------------------------

MLLAMA_SPECIAL_TOKENS = (
    "<|begin_of_text|>",
    "<|end_of_text|>",
    "<|start_header_id|>",
    "<|end_header_id|>",
    "<|eot_id|>",
    "<|image|>",
    "<|python_tag|>",
    "<|finetune_right_pad_id|>",
)
MLLAMA_IMAGE_SIZE = 28
# Llama 3's header format; the image stays one <|image|> token in the text, and the
# vision features enter through cross-attention layers instead.
MLLAMA_CHAT_TEMPLATE = (
    "{{ bos_token }}"
    "{% for message in messages %}"
    "<|start_header_id|>{{ message['role'] }}<|end_header_id|>\n\n"
    "{% if message['content'] is string %}{{ message['content'] }}"
    "{% else %}{% for part in message['content'] %}"
    "{% if part['type'] == 'image' %}<|image|>{% elif part['type'] == 'text' %}{{ part['text'] }}{% endif %}"
    "{% endfor %}{% endif %}<|eot_id|>"
    "{% endfor %}"
    "{% if add_generation_prompt %}<|start_header_id|>assistant<|end_header_id|>\n\n{% endif %}"
)


def build_tiny_mllama(directory: Path) -> Path:
    """A Llama 3.2 Vision checkpoint (2+1 vision layers, one tile, 2 text layers, one of them cross-attention)."""
    from transformers import MllamaConfig, MllamaForConditionalGeneration, MllamaProcessor

    out = checkpoint_folder(directory)
    tokenizer, ids = tokenizer_and_ids(
        MLLAMA_SPECIAL_TOKENS,
        MLLAMA_CHAT_TEMPLATE,
        bos_token="<|begin_of_text|>",
        eos_token="<|eot_id|>",
        pad_token="<|finetune_right_pad_id|>",
    )
    image_processor = pil_image_processor("mllama", "Mllama")(
        size={"height": MLLAMA_IMAGE_SIZE, "width": MLLAMA_IMAGE_SIZE}, max_image_tiles=1
    )
    MllamaProcessor(
        image_processor=image_processor, tokenizer=tokenizer, chat_template=MLLAMA_CHAT_TEMPLATE
    ).save_pretrained(out)
    vision_hidden = 16
    config = MllamaConfig(
        vision_config={
            "hidden_size": vision_hidden,
            "intermediate_size": 32,
            "num_hidden_layers": 2,
            "num_global_layers": 1,
            "attention_heads": 2,
            "image_size": MLLAMA_IMAGE_SIZE,
            "patch_size": 14,
            "max_num_tiles": 1,
            "supported_aspect_ratios": [[1, 1]],
            # The projector reads the last layer plus these intermediate ones.
            "intermediate_layers_indices": [0],
            "vision_output_dim": vision_hidden * 2,
        },
        text_config=small_text_config(
            tokenizer,
            **rope_settings(),
            cross_attention_layers=[1],
            bos_token_id=ids["<|begin_of_text|>"],
            eos_token_id=ids["<|eot_id|>"],
            pad_token_id=ids["<|finetune_right_pad_id|>"],
        ),
        image_token_index=ids["<|image|>"],
    )
    _save_weights(MllamaForConditionalGeneration, config, out)
    return out


# --- Mistral 3 (Pixtral vision) ----------------------------------------------------------

MISTRAL3_SPECIAL_TOKENS = ("<unk>", "<s>", "</s>", "[INST]", "[/INST]", "[IMG]", "[IMG_BREAK]", "[IMG_END]", "<pad>")
# Pixtral patches of 14 pixels merged 2 x 2: a 56-pixel image is 2 x 2 merged patches, i.e.
# 4 [IMG] tokens (plus one [IMG_BREAK] per row but the last, and [IMG_END]).
MISTRAL3_IMAGE_SIZE = 56
MISTRAL3_TOKENS_PER_IMAGE = 4
MISTRAL3_CHAT_TEMPLATE = (
    "{{ bos_token }}"
    "{% for message in messages %}"
    "{% if message['role'] == 'user' %}[INST]"
    "{% if message['content'] is string %}{{ message['content'] }}"
    "{% else %}{% for part in message['content'] %}"
    "{% if part['type'] == 'image' %}[IMG]{% elif part['type'] == 'text' %}{{ part['text'] }}{% endif %}"
    "{% endfor %}{% endif %}[/INST]"
    "{% elif message['role'] == 'assistant' %}{{ message['content'] if message['content'] is string else '' }}</s>"
    "{% endif %}"
    "{% endfor %}"
)


def build_tiny_mistral3(directory: Path) -> Path:
    """A Mistral 3 checkpoint (1 Pixtral vision layer, patch merger, 2 Mistral text layers)."""
    from transformers import Mistral3Config, Mistral3ForConditionalGeneration

    out = checkpoint_folder(directory)
    tokenizer, ids = tokenizer_and_ids(
        MISTRAL3_SPECIAL_TOKENS,
        MISTRAL3_CHAT_TEMPLATE,
        unk_token="<unk>",
        bos_token="<s>",
        eos_token="</s>",
        pad_token="<pad>",
    )
    image_processor = pil_image_processor("pixtral", "Pixtral")(
        size={"longest_edge": MISTRAL3_IMAGE_SIZE}, patch_size=14
    )
    # Saved part by part: transformers 5's PixtralProcessor cannot even be created without
    # torchvision. AutoProcessor assembles it from these files and config.json's model type.
    tokenizer.save_pretrained(out)
    image_processor.save_pretrained(out)
    write_json(
        out / "processor_config.json",
        {"processor_class": "PixtralProcessor", "patch_size": 14, "spatial_merge_size": 2},
    )
    config = Mistral3Config(
        vision_config={
            "model_type": "pixtral",
            "hidden_size": 16,
            "intermediate_size": 32,
            "num_hidden_layers": 1,
            "num_attention_heads": 2,
            "head_dim": 8,
            "image_size": MISTRAL3_IMAGE_SIZE,
            "patch_size": 14,
        },
        text_config={
            "model_type": "mistral",
            **small_text_config(
                tokenizer,
                head_dim=16,
                **rope_settings(),
                bos_token_id=ids["<s>"],
                eos_token_id=ids["</s>"],
                pad_token_id=ids["<pad>"],
            ),
        },
        image_token_index=ids["[IMG]"],
        spatial_merge_size=2,
        vision_feature_layer=-1,
    )
    _save_weights(Mistral3ForConditionalGeneration, config, out)
    return out


# Every builder of this module and of tests/tiny_qwen3.py, by name (the matrix names them).
BUILDERS = {
    builder.__name__: builder
    for builder in (
        build_tiny_qwen3_vl,
        build_tiny_qwen3_5,
        build_tiny_internvl,
        build_tiny_gemma3,
        build_tiny_idefics2,
        build_tiny_mllama,
        build_tiny_mistral3,
    )
}

IMAGE_TOKENS: dict[str, str] = {
    "build_tiny_qwen3_vl": "<|image_pad|>",
    "build_tiny_qwen3_5": "<|image_pad|>",
    "build_tiny_internvl": "<IMG_CONTEXT>",
    "build_tiny_gemma3": "<image_soft_token>",
    "build_tiny_idefics2": "<image>",
    "build_tiny_mllama": "<|image|>",
    "build_tiny_mistral3": "[IMG]",
}
