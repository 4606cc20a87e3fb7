"""From one text to one candidate verdict: run the object and line rules on each window,
add the prose reading when no stated verdict is complete, choose, then apply what the
judge said *after* (or in the reason of) the chosen verdict:

* an explicit correction ("Update: accuracy should go to A", "更正：准确性应为A") wins;
* a statement that contradicts a winner ("reason": "B is more accurate" beside
  ``"accuracy": "A"``) leaves that dimension None, with a note: never a guess.
"""

from __future__ import annotations

import dataclasses

from ..constants import DIMENSIONS, Dimension, Winner
from .candidates import choose
from .json_scan import mask, scan_json
from .lines import scan_lines
from .lone import REFUSAL_RE, lists_options
from .methods import METHOD_LONE_VERDICT, METHOD_PROSE
from .model import Candidate, Context, Findings
from .prose import Statement, statements
from .scores import legend_of, numbered_legend, states_pair_order
from .text import windows

__all__ = ["decide", "find"]

# A sentence in the last lines of the output may conclude it ("我选择B。").
_CONCLUDING_LINES = 3
# Prose candidates sort after line candidates that end at the same position.
_AFTER_LINES = 1 << 20


def find(text: str) -> Findings:
    """The candidates of one text (what the judge said, or what it thought), from all its windows."""
    findings = Findings()
    context = Context()
    base = 0
    parts = windows(text)
    for window in parts:
        if not context.legend:
            context.legend = legend_of(window)
        context.pair_order = context.pair_order or states_pair_order(window)
    for window in parts:
        if not context.legend:
            context.legend = numbered_legend(window)
    for number, window in enumerate(parts):
        json_candidates, masked, cut_off = scan_json(window, base, context)
        findings.cut_off = findings.cut_off or cut_off
        plain = mask(window, masked)
        findings.candidates.extend(json_candidates)
        findings.candidates.extend(
            scan_lines(
                plain, base, context, at_start=number == 0, at_end=number == len(parts) - 1, had_objects=bool(masked)
            )
        )
        findings.plain.append((base, plain))
        findings.refusal = findings.refusal or REFUSAL_RE.search(plain) is not None
        findings.options = findings.options or lists_options(plain)
        base += len(window) + 1
    findings.candidates.sort(key=lambda candidate: candidate.order)
    return findings


def decide(findings: Findings, *, thinking: bool = False) -> Candidate | None:
    """The verdict of one text's findings, corrections applied. thinking: the text is what
    the judge thought (<think>), where a hedged sentence ("A is probably more accurate, but
    ...") is deliberation, not a verdict."""
    if findings.options:
        findings.candidates = [c for c in findings.candidates if c.kind != "lone"]
    chosen = choose(findings.candidates)
    settled = (
        chosen is not None and chosen.kind == "structured" and chosen.explicit and chosen.decided == len(DIMENSIONS)
    )
    if not settled and not _opened_with_verdict(findings.candidates):
        said = _withdrawn_dropped(_statements(findings))
        if thinking:
            said = [s for s in said if not s.tentative]
        extra = _prose_candidates(said, findings)
        if findings.options:
            extra = [c for c in extra if c.kind != "lone"]
        if extra:
            findings.candidates.extend(extra)
            findings.candidates.sort(key=lambda candidate: candidate.order)
            chosen = choose(findings.candidates)
    if chosen is not None and chosen.kind == "structured":
        chosen = _revise(chosen, findings)
    return chosen


def _opened_with_verdict(candidates: list[Candidate]) -> bool:
    """The output opens with a lone letter ("B") and explains it below: the explanation is
    that verdict's reason, not a verdict per dimension, unless a stated one says otherwise."""
    stated = any(c.kind == "structured" and c.decided for c in candidates)
    return not stated and any(c.kind == "lone" and c.opening for c in candidates)


def _statements(findings: Findings, start: int = 0) -> list[Statement]:
    """The prose statements of all windows from position start, with positions made absolute."""
    found: list[Statement] = []
    for base, plain in findings.plain:
        end = base + len(plain)
        if end <= start:
            continue
        offset = max(0, start - base)
        for said in statements(plain[offset:]):
            found.append(_shifted(said, base + offset))
    return found


def _withdrawn_dropped(said: list[Statement]) -> list[Statement]:
    """The statements after the judge's last retraction ("Hmm, I have this backwards."):
    what it withdrew and did not restate is no verdict. A dimension reopened ("Let me
    reconsider accuracy.") keeps only the verdicts stated on it after."""
    last = max((s.pos for s in said if s.retraction), default=-1)
    kept: list[Statement] = []
    reopened: frozenset[Dimension] = frozenset()  # by a later "Let me reconsider accuracy."
    for statement in reversed(said):
        if statement.pos <= last or statement.retraction:
            continue
        if statement.reopen:
            reopened |= statement.dims
            continue
        if statement.dims & reopened:
            if not statement.dims - reopened:
                continue
            statement = dataclasses.replace(statement, dims=statement.dims - reopened)
        kept.append(statement)
    kept.reverse()
    return kept


def _shifted(said: Statement, by: int) -> Statement:
    return dataclasses.replace(said, pos=said.pos + by)


def _prose_candidates(said: list[Statement], findings: Findings) -> list[Candidate]:
    """The prose verdict (per-dimension statements) and, from a concluding sentence that
    names no dimension ("我选择B。"), a lone overall verdict."""
    found: list[Candidate] = []
    closing: Statement | None = None
    if findings.plain:
        base, plain = findings.plain[-1]
        concluding_from = base + _concluding_start(plain)
        ends = [s for s in said if not s.dims and s.winner is not None and s.pos > concluding_from]
        # "I would choose the second answer." at the end; "B is better." only as a sentence of
        # its own (not "A is better at naming the lesion, but B is more comprehensive").
        if ends and (ends[-1].choice or (ends[-1].short and not any(s.dims and s.pos == ends[-1].pos for s in said))):
            closing = ends[-1]
    dimensional = [s for s in said if s.dims]
    if dimensional:
        # Values stated in the same text (a partial list, "Overall winner: A") are statements too.
        dimensional += _stated(findings.candidates)
        if closing is not None:
            # Beside verdicts per dimension, a closing choice is the overall one.
            dimensional.append(dataclasses.replace(closing, dims=frozenset(("overall",)), conclusion=True))
        dimensional.sort(key=lambda s: s.pos)
    choices, notes, last = _aggregate(dimensional)
    decided = {dim for dim, winner in choices.items() if winner is not None}
    if decided == {"overall"}:
        # "Overall, Assistant B is better." alone is a lone overall verdict, as in its line form.
        found.append(_lone(choices["overall"], last))
    elif decided:
        found.append(
            Candidate(
                order=(last, _AFTER_LINES),
                kind="prose",
                method=METHOD_PROSE,
                choices=choices,
                notes=notes,
                reason=None,
                explicit=False,
                noted=frozenset(dim for dim in DIMENSIONS if any(note.endswith(f" {dim}") for note in notes)),
            )
        )
    if closing is not None:
        found.append(_lone(closing.winner, closing.pos))
    return found


def _lone(winner: Winner | None, pos: int) -> Candidate:
    """A lone overall verdict read from prose."""
    choices: dict[Dimension, Winner | None] = {dim: None for dim in DIMENSIONS}
    choices["overall"] = winner
    return Candidate(
        order=(pos, _AFTER_LINES), kind="lone", method=METHOD_LONE_VERDICT, choices=choices, notes=[], reason=None
    )


def _stated(candidates: list[Candidate]) -> list[Statement]:
    """The winners (and stated ties) of the structured and lone candidates, as statements at
    their position."""
    found: list[Statement] = []
    for candidate in candidates:
        if candidate.kind == "prose":
            continue
        for dim, winner in candidate.choices.items():
            tie = winner is None and any(note.endswith(f" {dim}") and "tie" in note for note in candidate.notes)
            if winner is not None or tie:
                found.append(Statement(frozenset((dim,)), winner, candidate.order[0]))
    return found


def _concluding_start(plain: str) -> int:
    """Where the last few non-blank lines of a text start."""
    seen = 0
    end = len(plain.rstrip())
    pos = end
    while pos > 0:
        newline = plain.rfind("\n", 0, pos)
        if plain[newline + 1 : pos].strip():
            seen += 1
            if seen == _CONCLUDING_LINES:
                return newline + 1
        if newline < 0:
            return 0
        pos = newline
    return 0


def _aggregate(said: list[Statement]) -> tuple[dict[Dimension, Winner | None], list[str], int]:
    """Per dimension, the winner all statements agree on; a later correction or conclusion
    settles a disagreement; otherwise a disagreement (or a tie) is None with a note."""
    choices: dict[Dimension, Winner | None] = {dim: None for dim in DIMENSIONS}
    notes: list[str] = []
    last = 0
    for dim in DIMENSIONS:
        about = [s for s in said if dim in s.dims]
        if not about:
            continue
        letters = {s.winner for s in about if s.winner is not None}
        ties = any(s.winner is None for s in about)
        if len(letters) == 1 and not ties:
            (choices[dim],) = letters
            last = max(last, about[-1].pos)
            continue
        final = about[-1]
        if (final.correction or final.conclusion) and final.winner is not None and len(about) > 1:
            choices[dim] = final.winner
            last = max(last, final.pos)
            continue
        if letters:
            notes.append(f"the judge's sentences name both answers as the winner for {dim}")
        else:
            notes.append(f"tie/both/neither for {dim}")
    return choices, notes, last


def _revise(chosen: Candidate, findings: Findings) -> Candidate:
    """Apply the corrections and contradictions the judge wrote after (or in the reason of)
    its verdict."""
    # The reason was written with the verdict: it can contradict a winner but not correct it.
    reason = statements(chosen.reason, labels=False) if chosen.reason else []
    said = [dataclasses.replace(s, correction=False) for s in reason]
    said += _statements(findings, start=chosen.order[0])
    said = [s for s in said if s.dims]
    if not said:
        return chosen
    choices = dict(chosen.choices)
    notes = list(chosen.notes)
    noted = set(chosen.noted)
    corrected: set[Dimension] = set()
    reopened: set[Dimension] = set()
    for statement in said:
        for dim in DIMENSIONS:
            if dim not in statement.dims:
                continue
            if statement.reopen and dim not in corrected:
                if choices[dim] is not None:
                    notes.append(f"the judge reopened {dim} after its verdict without settling it")
                    choices[dim] = None
                    noted.add(dim)
                reopened.add(dim)
            elif (statement.correction or dim in reopened) and statement.winner is not None:
                choices[dim] = statement.winner
                corrected.add(dim)
                notes = [
                    note
                    for note in notes
                    if not (note.endswith(f" {dim}") or note.endswith(f"{dim} after its verdict without settling it"))
                    or "contradict" in note
                ]
                noted.discard(dim)
                reopened.discard(dim)
            elif statement.winner is not None and choices[dim] not in (None, statement.winner) and dim not in corrected:
                notes.append(
                    f"contradiction for {dim}: the verdict says {choices[dim]} but the judge's own text says "
                    f"{statement.winner} is better"
                )
                choices[dim] = None
                noted.add(dim)
            elif statement.winner is None and choices[dim] is not None and dim not in corrected:
                notes.append(
                    f"contradiction for {dim}: the verdict says {choices[dim]} but the judge's own text calls it a tie"
                )
                choices[dim] = None
                noted.add(dim)
    if choices == dict(chosen.choices):
        return chosen
    return Candidate(
        order=chosen.order,
        kind=chosen.kind,
        method=chosen.method,
        choices=choices,
        notes=notes,
        reason=chosen.reason,
        template=chosen.template,
        noted=frozenset(noted),
        explicit=chosen.explicit,
    )
