"""Cell accuracy of the verdict parser on a corpus of judge outputs, per family.

Run from the repository root (no dependencies beyond Python):

    python3 benchmarks/verdict_accuracy.py [CASES.jsonl ...]

Each line of a corpus file is one judge output with the six winners a careful reader
reads in it (``null`` where no winner is stated); the format is described in
``tests/data/README.md``. Default corpus: ``tests/data/verdict_cases.jsonl``.

A *cell* is one dimension of one output. Per family this prints the share of cells
read as expected (``read``), the share read *wrongly* — a letter where the reader sees
the other letter or none — (``wrong``), and the share missed (a reader's letter read as
None). A wrong letter is worse than a miss: the bars are read >= 97 %, wrong <= 0.5 %.
The comparison is done here, on the raw choices, independently of the test module.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from med_rewardbench_tasks.parsing import parse_verdict

DEFAULT_CORPUS = Path(__file__).resolve().parents[1] / "tests" / "data" / "verdict_cases.jsonl"
SIX = ("accuracy", "relevance", "comprehensiveness", "creativity", "responsiveness", "overall")


def output_of(case: dict[str, object]) -> str:
    if "output_parts" in case:
        return "".join(str(text) * int(times) for text, times in case["output_parts"])  # type: ignore[union-attr]
    return str(case["output"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="*", type=Path, default=[DEFAULT_CORPUS])
    parser.add_argument(
        "--show", choices=("wrong", "missed", "all"), help="list the cells that were not read as expected"
    )
    args = parser.parse_args(argv)

    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])  # cases, cells, read, wrong, missed
    shown: list[str] = []
    for path in args.corpus:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            case = json.loads(line)
            expected = case["expected"]
            verdict = parse_verdict(output_of(case), lone_verdict=case.get("lone_verdict", "overall_only"))
            got = dict(verdict.choices)
            row = totals[case["family"]]
            row[0] += 1
            for dim in SIX:
                want, have = expected[dim], got[dim]
                row[1] += 1
                if want == have:
                    row[2] += 1
                    continue
                kind = "wrong" if have is not None else "missed"
                row[3 if kind == "wrong" else 4] += 1
                if args.show in (kind, "all"):
                    name = case.get("name", case.get("id"))
                    shown.append(f"{kind:6} {path.name}:{number} {name} {dim}: expected {want}, read {have}")

    width = max(map(len, totals), default=6)
    print(f"{'family':<{width}} {'cases':>6} {'cells':>6} {'read':>8} {'wrong':>7} {'missed':>7}")
    grand = [0, 0, 0, 0, 0]
    for family in sorted(totals):
        row = totals[family]
        grand = [a + b for a, b in zip(grand, row, strict=True)]
        print(_row(family, row, width))
    print(_row("ALL", grand, width))
    for item in shown:
        print(item)
    return 0


def _row(name: str, row: list[int], width: int) -> str:
    cases, cells, read, wrong, missed = row
    return (
        f"{name:<{width}} {cases:>6} {cells:>6} {100 * read / cells:>7.1f}% {100 * wrong / cells:>6.2f}% "
        f"{100 * missed / cells:>6.2f}%"
    )


if __name__ == "__main__":
    raise SystemExit(main())
