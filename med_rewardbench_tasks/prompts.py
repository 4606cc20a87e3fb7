"""The Med-RewardBench pairwise judge prompt.

The text reproduces, character for character, the prompt the paper's pipeline sends to a
judge in ``pair`` mode: an evaluator instruction naming the six dimensions and the JSON
verdict format, then the input block with the user instruction and the two answers. The
image travels beside this text (see ``task_hooks.doc_to_messages``). Any
change here changes every score, so ``tests/test_prompts.py`` pins the rendered text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

EVALUATOR_ROLE: Final = (
    "You are an expert medical vision-language evaluator. Compare assistant A and "
    "assistant B for the same medical image understanding task.\n"
)
THINK_STEP_BY_STEP_CLAUSE: Final = (
    "You may think step by step internally, but your final answer must still follow the required JSON format exactly.\n"
)
VERDICT_FORMAT: Final = (
    '{"accuracy":"A|B","relevance":"A|B","comprehensiveness":"A|B",'
    '"creativity":"A|B","responsiveness":"A|B","overall":"A|B",'
    '"reason":"brief explanation"}'
)
EVALUATION_RULES: Final = (
    "Evaluate the two answers on these six dimensions: accuracy, relevance, "
    "comprehensiveness, creativity, responsiveness, and overall.\n"
    "For each dimension, choose only one winner: A or B.\n"
    "Return valid JSON with exactly these keys:\n" + VERDICT_FORMAT
)
INPUT_HEADER: Final = "\nHere is the input:\n"

INSTRUCTION_START: Final = "[The Start of User Instruction]\n"
INSTRUCTION_END: Final = "\n[The End of User Instruction]\n"
ANSWER_A_START: Final = "[The Start of Assistant A's Answer]\n"
ANSWER_A_END: Final = "\n[The End of Assistant A's Answer]\n"
ANSWER_B_START: Final = "[The Start of Assistant B's Answer]\n"
ANSWER_B_END: Final = "\n[The End of Assistant B's Answer]"


def evaluator_instruction(*, think_step_by_step: bool = False) -> str:
    """The instruction half of the prompt; the paper's optional thinking clause included on request."""
    clause = THINK_STEP_BY_STEP_CLAUSE if think_step_by_step else ""
    return EVALUATOR_ROLE + clause + EVALUATION_RULES


def build_judge_prompt(
    question: str,
    answer_a: str,
    answer_b: str,
    *,
    think_step_by_step: bool = False,
) -> str:
    """Render the full pairwise prompt: instruction, then question and the answers shown as A and B."""
    return (
        evaluator_instruction(think_step_by_step=think_step_by_step)
        + INPUT_HEADER
        + INSTRUCTION_START
        + question
        + INSTRUCTION_END
        + ANSWER_A_START
        + answer_a
        + ANSWER_A_END
        + ANSWER_B_START
        + answer_b
        + ANSWER_B_END
    )


@dataclass(frozen=True)
class JudgeInput:
    """What a judge was shown, recovered from a rendered prompt."""

    question: str
    answer_a: str
    answer_b: str


def read_judge_prompt(prompt: str) -> JudgeInput | None:
    """Recover the question and the two answers from a prompt made by :func:`build_judge_prompt`.

    Text a task adds before or after the prompt (pre/post prompts) is ignored. Markers are
    searched outside-in, so an answer that quotes a marker of the other answer still splits
    at the real boundary. Returns None when the text is not such a prompt.
    """
    question_start = prompt.find(INSTRUCTION_START)
    b_end = prompt.rfind(ANSWER_B_END)
    if question_start < 0 or b_end < 0:
        return None
    body = prompt[question_start + len(INSTRUCTION_START) : b_end]
    question, sep, answers = body.partition(INSTRUCTION_END + ANSWER_A_START)
    if not sep:
        return None
    answer_a, sep, answer_b = answers.rpartition(ANSWER_A_END + ANSWER_B_START)
    if not sep:
        return None
    return JudgeInput(question=question, answer_a=answer_a, answer_b=answer_b)
