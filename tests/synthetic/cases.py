"""Synthetic cases: the case record, the draw of the six winners, and the generator itself."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from med_rewardbench_tasks.constants import DIMENSIONS, ORGANS, Dimension, Organ, Winner

from .content import QUESTION_TYPES, Department, QuestionType, load_content
from .images import render_image
from .text import Belief, Traits, compose, wrong_belief

SYNTHETIC_DATASET_NAME: Final = "synthetic-pipeline-sample"

# Weights of the overall vote; their sum (15) is odd, so the vote cannot tie.
OVERALL_WEIGHTS: Final[Mapping[Dimension, int]] = {
    "accuracy": 5,
    "relevance": 3,
    "responsiveness": 3,
    "comprehensiveness": 2,
    "creativity": 2,
}
# Probability that the case's stronger answer wins a given base dimension.
STRONGER_WIN_PROBABILITY: Final = 0.7


@dataclass(frozen=True)
class SyntheticCase:
    """One synthetic benchmark row plus its six labels.

    ``labels`` is aligned with :data:`med_rewardbench_tasks.constants.DIMENSIONS`;
    ``"A"`` means ``answer1_text`` won that dimension. ``finding`` and
    ``finding_location`` record what was drawn; they are not written to disk.
    """

    organ: Organ
    question_id: int
    image_png: bytes
    image_id: str
    question: str
    answer1_text: str
    answer2_text: str
    modality_type: str
    body_part: str
    dataset: str
    question_type: QuestionType
    labels: tuple[Winner, ...]
    finding: str
    finding_location: str
    department: Department | None = None

    @property
    def human_answer(self) -> dict[Dimension, Winner]:
        """The labels as the ``human_answer`` object of the real jsonl files."""
        return dict(zip(DIMENSIONS, self.labels, strict=True))

    def row(self) -> dict[str, object]:
        """The parquet row: the real columns, plus ``department`` when the case has one."""
        row: dict[str, object] = {
            "image": {"bytes": self.image_png, "path": self.image_id},
            "question": self.question,
            "answer1_text": self.answer1_text,
            "answer2_text": self.answer2_text,
            "question_id": self.question_id,
            "modality_type": self.modality_type,
            "body_part": self.body_part,
            "dataset": self.dataset,
            "question_type": self.question_type,
            "image_id": self.image_id,
        }
        if self.department is not None:
            row["department"] = self.department
        return row

    def label_record(self) -> dict[str, object]:
        """The jsonl record: ``{"question_id": ..., "human_answer": {...}}``."""
        return {"question_id": self.question_id, "human_answer": self.human_answer}


def department_of(organ: Organ) -> Department:
    """The clinical department a case of ``organ`` belongs to."""
    return load_content().organs[organ].department


def distribute_cases(total: int, organs: Sequence[Organ] = ORGANS) -> dict[Organ, int]:
    """Spread ``total`` cases over ``organs`` as evenly as possible.

    Every organ gets ``total // len(organs)`` cases and the first ``total % len(organs)``
    organs one more, in the given order (1026 over the 13 organs gives 79 to the first
    twelve and 78 to the last, since 13 * 79 = 1027).
    """
    if total < 0:
        raise ValueError(f"total must be non-negative, got {total}")
    if not organs:
        raise ValueError("organs must not be empty")
    if len(set(organs)) != len(organs):
        raise ValueError("organs must be distinct")
    base, extra = divmod(total, len(organs))
    return {organ: base + (1 if i < extra else 0) for i, organ in enumerate(organs)}


_POINT_PAIRS: Final[tuple[tuple[int, int], ...]] = ((0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3))
_BASE_DIMENSIONS: Final[tuple[Dimension, ...]] = tuple(d for d in DIMENSIONS if d != "overall")


def _draw_winners(r: random.Random) -> dict[Dimension, int]:
    """Winner slot (0 = answer1, 1 = answer2) per dimension, overall by weighted vote."""
    stronger = r.randint(0, 1)
    winners: dict[Dimension, int] = {
        dim: stronger if r.random() < STRONGER_WIN_PROBABILITY else 1 - stronger for dim in _BASE_DIMENSIONS
    }
    margin = sum(w if winners[dim] == 0 else -w for dim, w in OVERALL_WEIGHTS.items())
    winners["overall"] = 0 if margin > 0 else 1
    return winners


def _make_case(
    organ: Organ, question_id: int, r: random.Random, image_size: int, with_department: bool
) -> SyntheticCase:
    spec = load_content().organs[organ]
    finding = r.choice(spec.findings)
    truth = Belief(finding, r.choice(finding.locations), r.choice(spec.modalities))
    qtype: QuestionType = r.choice(QUESTION_TYPES)
    image = render_image(organ, spec, truth.modality, finding, truth.location, image_size, r)
    template = r.choice(load_content().question_templates[qtype])
    question = template.format(modality=truth.modality.name, body=spec.body_part.lower())

    winners = _draw_winners(r)
    low, high = r.choice(_POINT_PAIRS)
    loser_digressions = 1 if r.random() < 0.7 else 2
    traits = [
        Traits(
            accurate=winners["accuracy"] == slot,
            digressions=0 if winners["relevance"] == slot else loser_digressions,
            points=high if winners["comprehensiveness"] == slot else low,
            insight=winners["creativity"] == slot,
            direct=winners["responsiveness"] == slot,
        )
        for slot in (0, 1)
    ]
    wrong = wrong_belief(qtype, truth, spec, r)
    answers = [compose(qtype, truth if t.accurate else wrong, t, spec, r) for t in traits]
    labels: tuple[Winner, ...] = tuple("A" if winners[dim] == 0 else "B" for dim in DIMENSIONS)
    return SyntheticCase(
        organ=organ,
        question_id=question_id,
        image_png=image,
        image_id=f"{organ}_{question_id:06d}.png",
        question=question,
        answer1_text=answers[0],
        answer2_text=answers[1],
        modality_type=organ,
        body_part=spec.body_part,
        dataset=SYNTHETIC_DATASET_NAME,
        question_type=qtype,
        labels=labels,
        finding=finding.name,
        finding_location=truth.location,
        department=spec.department if with_department else None,
    )


def make_cases(
    cases_per_organ: Mapping[Organ, int],
    *,
    seed: int,
    image_size: int = 128,
    first_question_id: int = 1,
    with_department: bool = False,
) -> list[SyntheticCase]:
    """Generate cases organ by organ (in the mapping's order) with consecutive question ids.

    Deterministic: the same arguments give equal cases with byte-identical PNG images.
    """
    if image_size < 32:
        raise ValueError(f"image_size must be at least 32, got {image_size}")
    unknown = [organ for organ in cases_per_organ if organ not in load_content().organs]
    if unknown:
        raise ValueError(f"unknown organs: {unknown}")
    r = random.Random(seed)
    cases: list[SyntheticCase] = []
    qid = first_question_id
    for organ, count in cases_per_organ.items():
        if count < 0:
            raise ValueError(f"negative case count for {organ}: {count}")
        for _ in range(count):
            cases.append(_make_case(organ, qid, r, image_size, with_department))
            qid += 1
    return cases
