"""Throughput of the verdict parser on varied judge outputs, and its 1 MB worst cases.

Run from the repository root (no dependencies beyond Python):

    python3 benchmarks/parser_throughput.py

Prints the one-time cost of the first call (the vocabulary is compiled on first use), then
outputs/second over a mixed corpus of realistic judge outputs, then a table of
adversarial inputs with the best-of-5 CPU time of one parse each: 1 MB shapes (which the
parser reads through its head/tail windows) and the same junk at the largest size it
scans whole. The budget is 50 ms per output; the exit status is 1 if a case exceeds it.
"""

from __future__ import annotations

import json
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from med_rewardbench_tasks.constants import DIMENSIONS
from med_rewardbench_tasks.parsing import FULL_SCAN_CHARS, parse_verdict

MEGABYTE = 1_000_000
BUDGET_MS = 50.0
WORDS = (
    "the", "lesion", "nodule", "opacity", "radiograph", "fracture", "margin", "assistant",
    "answer", "image", "shows", "a", "an", "of", "in", "with", "is", "more", "less",
    "accurate", "relevant", "both", "describe", "left", "right", "lobe",
)  # fmt: skip


def _winners(rng: random.Random) -> dict[str, str]:
    return {dim: rng.choice("AB") for dim in DIMENSIONS}


def _prose(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)) + "."


def _corpus(rng: random.Random, size: int) -> list[str]:
    makers: list[Callable[[], str]] = [
        lambda: json.dumps({**_winners(rng), "reason": _prose(rng, 20)}),
        lambda: "```json\n" + json.dumps(_winners(rng), indent=2) + "\n```",
        lambda: "<think>" + _prose(rng, 120) + "</think>\n" + json.dumps(_winners(rng)),
        lambda: (
            "| Dimension | Winner |\n|---|---|\n"
            + "\n".join(f"| {d.title()} | {w} |" for d, w in _winners(rng).items())
        ),
        lambda: (
            "\n".join(f"- **{d.title()}**: Assistant {w}" for d, w in _winners(rng).items())
            + "\nReason: "
            + _prose(rng, 15)
        ),
        lambda: ", ".join(f"{d}={w}" for d, w in _winners(rng).items()),
        lambda: json.dumps(_winners(rng))[: rng.randint(10, 90)],
        lambda: _prose(rng, 60) + f"\nOverall, Assistant {rng.choice('AB')} is better.",
        lambda: _prose(rng, 30) + f" Final verdict: [[{rng.choice('AB')}]]",
        lambda: _prose(rng, 80),
        lambda: "".join(rng.choice("{}[]\"':,AB ab\n") for _ in range(200)),
        lambda: f"Assistant A: {rng.randint(1, 10)}/10\nAssistant B: {rng.randint(1, 10)}/10",
        lambda: "Assistant A gives the correct answer. Assistant B gives the wrong one. " + _prose(rng, 20),
    ]
    return [rng.choice(makers)() for _ in range(size)]


def _worst_cases() -> dict[str, str]:
    rng = random.Random(7)
    verdict = json.dumps({dim: "A" for dim in DIMENSIONS})
    prose = " ".join(rng.choice(WORDS) for _ in range(MEGABYTE // 5))[:MEGABYTE]
    return {
        "open braces": "{" * MEGABYTE,
        'repeated {"a":': '{"a":' * (MEGABYTE // 5),
        "random prose": prose,
        "prose + verdict at end": prose + "\n" + verdict,
        "accuracy: A lines": "accuracy: A\n" * (MEGABYTE // 12),
        "1 MB reason string": verdict[:-1] + ', "reason": "' + "x" * MEGABYTE + '"}',
        "1 MB table": "| Accuracy | A |\n" * (MEGABYTE // 17),
        "quotes inside braces": "{" + '"' * MEGABYTE,
        "backslashes in string": '{"reason": "' + "\\" * MEGABYTE,
        "closed {} pairs": "{}" * (MEGABYTE // 2),
        "pipes on one line": "|" * MEGABYTE,
        "think tags": "<think></think>" * (MEGABYTE // 15),
        "whitespace": " " * MEGABYTE,
        "A or B tokens": "A or B, " * (MEGABYTE // 8),
        "[[A]] lines": "[[A]]\n" * (MEGABYTE // 6),
        "NFKC 18x expansion": "\ufdfa" * MEGABYTE,
        "full-width verdict lines": "ａｃｃｕｒａｃｙ： Ａ\n" * (MEGABYTE // 12),
        # Aimed at the prose, score, name and correction rules.
        "comparison sentences": "Assistant A is more accurate than Assistant B " * (MEGABYTE // 46),
        "letters and dimension words": "A B the more less accurate relevant, " * (MEGABYTE // 37),
        "comparisons, one sentence each": "B is more accurate. " * (MEGABYTE // 20),
        "Chinese comparisons": "助手A比助手B更准确，" * (MEGABYTE // 10),
        "score pair lines": "Accuracy: A 6/10 vs B 8/10\n" * (MEGABYTE // 27),
        "wins-on list": "A wins on:\n" + "- Accuracy\n" * (MEGABYTE // 11),
        "legend run": "1 = A, 2 = B, " * (MEGABYTE // 14),
        "mark table rows": "| Accuracy | ✅ | ❌ |\n" * (MEGABYTE // 20),
        # Aimed at the round-two rules: sentence pairs, inline labels, joint subjects, totals.
        "adjacent contrasts": "Assistant A is correct. Assistant B is wrong. " * (MEGABYTE // 46),
        "inline labels": "Overall: B. " * (MEGABYTE // 12),
        "joint-subject ties": "Both are equally accurate and the same. " * (MEGABYTE // 40),
        "total score lines": "Assistant A: 6/10\nAssistant B: 8/10\n" * (MEGABYTE // 36),
        "emoji key lines": "**Accuracy** 🎯: **B** ✅\n" * (MEGABYTE // 25),
        "list orders": "[A, B] " * (MEGABYTE // 7),
        "retractions": "A is better. I have this backwards. " * (MEGABYTE // 36),
        "ordinal names": "The second answer is fine; the first is more accurate. " * (MEGABYTE // 55),
    }


def _full_scan_cases() -> dict[str, str]:
    """The same kind of junk at the largest size that is scanned whole (no windows)."""
    size = FULL_SCAN_CHARS
    return {
        "open braces": "{" * size,
        "key-then-brace B{": "B{" * (size // 2),
        "closed {} pairs": "{}" * (size // 2),
        'repeated {"a":': '{"a":' * (size // 5),
        "accuracy: A lines": "accuracy: A\n" * (size // 12),
        "[[A]] lines": "[[A]]\n" * (size // 6),
        "NFKC 18x expansion": "\ufdfa" * size,
        "comparison sentences": "Assistant A is more accurate than Assistant B " * (size // 46),
        "comparisons, one sentence each": "B is more accurate. " * (size // 20),
        "Chinese comparisons": "助手A比助手B更准确，" * (size // 10),
        "adjacent contrasts": "Assistant A is correct. Assistant B is wrong. " * (size // 46),
        "joint-subject ties": "Both are equally accurate and the same. " * (size // 40),
        "inline labels": "Overall: B. " * (size // 12),
    }


def _time_one(text: str, repeats: int = 5) -> float:
    """Best-of-repeats CPU time of one parse, in ms (CPU time: other processes sharing the
    machine do not inflate it)."""
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        parse_verdict(text)
        best = min(best, time.process_time() - start)
    return best * 1000.0


def main() -> int:
    rng = random.Random(2024)
    corpus = _corpus(rng, 5_000)
    # The first call reads and compiles the parser's vocabulary (aliases.json) once per
    # process; it is reported on its own, and the corpus is timed after a warm-up.
    start = time.perf_counter()
    parse_verdict(corpus[0])
    print(f"first call (loads the vocabulary): {(time.perf_counter() - start) * 1000:.0f} ms")
    for text in _corpus(random.Random(1), 200):
        parse_verdict(text)
    start = time.perf_counter()
    cpu_start = time.process_time()
    statuses: dict[str, int] = {}
    for text in corpus:
        status = parse_verdict(text).status
        statuses[status] = statuses.get(status, 0) + 1
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    mean_chars = sum(map(len, corpus)) / len(corpus)
    print(f"mixed corpus: {len(corpus)} outputs (mean {mean_chars:.0f} chars) in {elapsed * 1000:.0f} ms")
    # CPU time counts only this process: on a shared machine it is the steadier figure.
    print(
        f"  {len(corpus) / elapsed:,.0f} outputs/second ({len(corpus) / cpu:,.0f} per CPU second); statuses {statuses}"
    )
    print()
    print(f"{'case':<34} {'size':>10} {'CPU ms (best of 5)':>19}  verdict")
    over = 0
    cases = [*_worst_cases().items(), *((f"{name} @full-scan", text) for name, text in _full_scan_cases().items())]
    for name, text in cases:
        ms = _time_one(text)
        verdict = parse_verdict(text)
        shown = "".join(value or "-" for value in verdict.choices.values())
        flag = "" if ms <= BUDGET_MS else "  OVER BUDGET"
        over += ms > BUDGET_MS
        print(f"{name:<34} {len(text):>10,} {ms:>19.1f}  {shown} {verdict.method}{flag}")
    return 1 if over else 0


if __name__ == "__main__":
    raise SystemExit(main())
