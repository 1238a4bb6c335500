"""Labelled cases: (profile, programme, expected decision) written from the legal texts.

``python -m recommender.policy`` decides every case with the rules and prints
the accuracy on the yes/no cases, the agreement on the unknown ones and every
disagreement.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ..resources import corpus_file
from .catalogue import DEFAULT_CATALOGUE, CatalogueError, Program, load_catalogue
from .facts import FirmFacts
from .matching import evaluate
from .rules import NO, UNKNOWN, YES

DEFAULT_CASES = corpus_file("policy_cases.jsonl")


@dataclass(frozen=True)
class PolicyCase:
    """A labelled (profile, programme, expected decision) case written from the texts."""

    case_id: str
    program: str
    profile: Mapping[str, Any]
    expected: str
    clause: str
    as_of: date
    expected_status: str | None = None


@dataclass
class CaseReport:
    """How the rules fare on the labelled cases."""

    cases: int = 0
    decided: int = 0
    """Cases labelled yes or no."""
    correct: int = 0
    """Of those, decided as labelled."""
    unknown_cases: int = 0
    unknown_agree: int = 0
    status_cases: int = 0
    status_agree: int = 0
    failures: list[dict[str, Any]] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.correct / self.decided if self.decided else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"cases": self.cases, "yes_no_cases": self.decided, "yes_no_correct": self.correct,
                "yes_no_accuracy": round(100 * self.accuracy, 2),
                "unknown_cases": self.unknown_cases, "unknown_agree": self.unknown_agree,
                "status_cases": self.status_cases, "status_agree": self.status_agree,
                "failures": self.failures}


def load_cases(path: str | Path | None = None) -> list[PolicyCase]:
    path = Path(path or DEFAULT_CASES)
    cases = []
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
                expected = raw["expected"]
                if expected not in (YES, NO, UNKNOWN):
                    raise ValueError(f"expected must be yes, no or unknown, got {expected!r}")
                cases.append(PolicyCase(
                    case_id=raw["case_id"], program=raw["program"], profile=raw["profile"],
                    expected=expected, clause=raw["clause"],
                    as_of=date.fromisoformat(raw["as_of"]),
                    expected_status=raw.get("expected_status")))
            except (KeyError, ValueError, TypeError) as exc:
                raise CatalogueError(f"{path}:{lineno}: {exc}") from None
    return cases


def evaluate_cases(cases: Iterable[PolicyCase], programs: Sequence[Program]) -> CaseReport:
    """Decide every case and compare with its label."""
    by_code = {p.code: p for p in programs}
    report = CaseReport()
    for case in cases:
        if case.program not in by_code:
            raise CatalogueError(f"case {case.case_id}: unknown programme {case.program!r}")
        m = evaluate(by_code[case.program], FirmFacts.from_mapping(case.profile), case.as_of)
        report.cases += 1
        ok = m.outcome == case.expected
        if case.expected in (YES, NO):
            report.decided += 1
            report.correct += ok
        else:
            report.unknown_cases += 1
            report.unknown_agree += ok
        if case.expected_status is not None:
            report.status_cases += 1
            report.status_agree += m.status == case.expected_status
            ok = ok and m.status == case.expected_status
        if not ok:
            report.failures.append({"case_id": case.case_id, "program": case.program,
                                    "expected": case.expected, "got": m.outcome,
                                    "status": m.status, "reason": m.reason})
    return report


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m recommender.policy``: score the rules on the labelled cases."""
    parser = argparse.ArgumentParser(
        prog="python -m recommender.policy",
        description="Decide every labelled policy case (corpora/policy_cases.jsonl) with the "
                    "rules and print one JSON line: accuracy on the yes/no cases, agreement "
                    "on the unknown ones, and every disagreement.")
    parser.add_argument("--cases", default=str(DEFAULT_CASES))
    parser.add_argument("--catalogue", default=str(DEFAULT_CATALOGUE))
    args = parser.parse_args(argv)
    try:
        report = evaluate_cases(load_cases(args.cases), load_catalogue(args.catalogue))
    except (CatalogueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(report.to_dict(), ensure_ascii=False))
    return 0
