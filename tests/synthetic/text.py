"""The words of a synthetic case: what each answer believes, and the sentences its traits make of that."""

from __future__ import annotations

import random
from dataclasses import dataclass

from .content import Finding, Modality, OrganSpec, QuestionType, load_content


@dataclass(frozen=True)
class Belief:
    """What one answer claims about the image (the truth, or a wrong variant of it)."""

    finding: Finding | None  # None: the answer claims the image is normal
    location: str
    modality: Modality


@dataclass(frozen=True)
class Traits:
    accurate: bool
    digressions: int  # off-topic sentences (0 for the relevance winner)
    points: int  # supporting points covered
    insight: bool
    direct: bool  # answers in its first sentence


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _key_sentence(qtype: QuestionType, b: Belief, r: random.Random) -> str:
    f = b.finding
    if qtype == "abnormality":
        assert f is not None
        return r.choice(("The main finding is {}.", "This image shows {}.")).format(f.phrase)
    if qtype == "location":
        return r.choice(("The abnormality is located in the {}.", "The lesion lies in the {}.")).format(b.location)
    if qtype == "modality":
        return r.choice(("This is {}.", "The study is {}.")).format(b.modality.noun)
    if qtype == "normality":
        if f is None:
            return r.choice(
                ("The image appears normal.", "No significant abnormality is seen; the study looks normal.")
            )
        return r.choice(("The image is not normal: it shows {}.", "There is an abnormality: {}.")).format(f.phrase)
    assert f is not None
    return r.choice(("The most appropriate next step is to {}.", "I would {}.")).format(f.step)


def _point_pool(qtype: QuestionType, b: Belief, spec: OrganSpec) -> list[str]:
    f = b.finding
    if f is None:
        return [
            f"The {spec.structures} appear unremarkable.",
            "No focal lesion, collection or fracture line is identified.",
            "Comparison with any prior imaging would confirm stability.",
            "If symptoms persist, clinical review and follow-up are reasonable.",
        ]
    pool: dict[str, str] = {
        "finding": f"The appearance is consistent with {f.phrase}.",
        "location": f"The abnormality is located in the {b.location}.",
        "description": f"The finding appears as {f.description}.",
        "differential": f"The differential includes {f.differential[0]} and {f.differential[1]}.",
        "step": f"A reasonable next step is to {f.step}.",
        "clinical": f"This should be correlated with {f.clinical}.",
        "cue": f"{_cap(b.modality.cue)} is typical of {b.modality.name}.",
    }
    drop = {
        "abnormality": ("finding", "cue"),
        "location": ("location", "cue"),
        "modality": ("differential", "clinical"),
        "normality": ("finding", "cue"),
        "management": ("step", "cue"),
    }[qtype]
    return [text for key, text in pool.items() if key not in drop]


def compose(qtype: QuestionType, belief: Belief, traits: Traits, spec: OrganSpec, r: random.Random) -> str:
    """One answer: the key sentence first (direct) or last after a preamble, around its points and digressions."""
    words = load_content()
    key = _key_sentence(qtype, belief, r)
    pool = _point_pool(qtype, belief, spec)
    points = r.sample(pool, traits.points)
    body: list[str] = list(points)
    if traits.insight:
        insight = r.choice(spec.insights + words.generic_insights)
        body.append(
            r.choice(
                ("One less obvious point: {}.", "A practical tip: {}.", "It is also worth noting that {}.")
            ).format(insight)
        )
    for digression in r.sample(words.digressions, traits.digressions):
        body.insert(r.randint(0, len(body)), digression)
    sentences = [key, *body] if traits.direct else [r.choice(words.preambles), *body, key]
    return " ".join(sentences)


def wrong_belief(qtype: QuestionType, truth: Belief, spec: OrganSpec, r: random.Random) -> Belief:
    """A plausible but wrong reading of the image, for the accuracy loser."""
    if qtype == "location":
        return Belief(truth.finding, r.choice([x for x in spec.locations if x != truth.location]), truth.modality)
    if qtype == "modality":
        return Belief(truth.finding, truth.location, r.choice([m for m in spec.modalities if m != truth.modality]))
    if qtype == "normality":
        return Belief(None, truth.location, truth.modality)
    other = r.choice([f for f in spec.findings if f != truth.finding])
    location = truth.location if truth.location in other.locations else r.choice(other.locations)
    return Belief(other, location, truth.modality)
