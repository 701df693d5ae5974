"""Exclusion grounds under the Procurement Act 2023, as criteria with evidence (pure, no ORM).

A supplier joining a dynamic market is checked against:

* the **mandatory** exclusion grounds (Schedule 6): where one applies, the supplier must be excluded;
* the **discretionary** grounds (Schedule 7): where one applies, the officer decides, so the check fails
  and the decision records the officer's reasons (an appointment despite it is an override, as in DPS);
* the **debarment list** (section 62): a supplier on the list for a mandatory ground is excluded.

The supplier self-declares each ground; the debarment list is checked by Companies House number and by
name. The result of each check is a :class:`dps.criteria.ExclusionCheck`, the same shape as the CQC entry
criteria, so the decision, the evidence and the page are the ones DPS applications already use.

:class:`ExclusionCheck` has the fields of ``dps.criteria.ExclusionCheck``; its criterion is a plain key
because the grounds are not DPS criteria.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any


class GroundKind(StrEnum):
    MANDATORY = "mandatory"
    DISCRETIONARY = "discretionary"


@dataclass(frozen=True)
class ExclusionGround:
    key: str
    kind: GroundKind
    title: str


# A plain-English selection of the grounds; the Act's schedules are the authority.
EXCLUSION_GROUNDS: tuple[ExclusionGround, ...] = (
    ExclusionGround("corruption_bribery", GroundKind.MANDATORY, "Corruption or bribery offences (Schedule 6)"),
    ExclusionGround("fraud_theft", GroundKind.MANDATORY, "Fraud, theft or money-laundering offences (Schedule 6)"),
    ExclusionGround("organised_crime_terrorism", GroundKind.MANDATORY, "Organised crime or terrorism (Schedule 6)"),
    ExclusionGround(
        "modern_slavery", GroundKind.MANDATORY, "Labour-market, slavery or trafficking offences (Schedule 6)"
    ),
    ExclusionGround("tax_misconduct", GroundKind.MANDATORY, "Failure to pay tax or tax evasion (Schedule 6)"),
    ExclusionGround("cartel", GroundKind.MANDATORY, "Competition law: cartel offences (Schedule 6)"),
    ExclusionGround("national_security_mandatory", GroundKind.MANDATORY, "Threat to national security (Schedule 6)"),
    ExclusionGround("insolvency", GroundKind.DISCRETIONARY, "Insolvency or bankruptcy (Schedule 7)"),
    ExclusionGround("labour_market_misconduct", GroundKind.DISCRETIONARY, "Labour-market misconduct (Schedule 7)"),
    ExclusionGround("environmental_misconduct", GroundKind.DISCRETIONARY, "Environmental misconduct (Schedule 7)"),
    ExclusionGround("professional_misconduct", GroundKind.DISCRETIONARY, "Professional misconduct (Schedule 7)"),
    ExclusionGround(
        "poor_performance", GroundKind.DISCRETIONARY, "Breach of contract and poor performance (Schedule 7)"
    ),
    ExclusionGround("competition_other", GroundKind.DISCRETIONARY, "Other competition law infringements (Schedule 7)"),
)
GROUND_TITLES = {ground.key: ground.title for ground in EXCLUSION_GROUNDS}
DEBARMENT_CRITERION = "debarment_list"
DEBARMENT_TITLE = "Not on the debarment list (section 62)"


@dataclass(frozen=True)
class ExclusionCheck:
    criterion: str
    title: str
    passed: bool
    reason: str
    evidence: dict[str, Any]


@dataclass(frozen=True)
class DebarmentFact:
    supplier_name: str
    companies_house_number: str
    ground: str
    mandatory: bool
    entered_on: date
    ends_on: date | None


@dataclass(frozen=True)
class SupplierFacts:
    name: str
    companies_house_number: str
    # ground key -> (applies, supplier's explanation); a ground missing from the answers is not declared.
    declarations: Mapping[str, tuple[bool, str]]


def _normalised(name: str) -> str:
    words = re.sub(r"[^a-z0-9 ]", " ", name.lower()).split()
    return " ".join(word for word in words if word not in {"ltd", "limited", "plc", "llp", "the"})


def _check_ground(ground: ExclusionGround, supplier: SupplierFacts) -> ExclusionCheck:
    answer = supplier.declarations.get(ground.key)
    evidence: dict[str, Any] = {"kind": ground.kind.value, "declared": answer is not None}
    if answer is None:
        return ExclusionCheck(ground.key, ground.title, False, "The supplier has not answered this ground.", evidence)
    applies, explanation = answer
    evidence.update({"applies": applies, "explanation": explanation})
    if not applies:
        return ExclusionCheck(ground.key, ground.title, True, "Declared not to apply.", evidence)
    if ground.kind is GroundKind.MANDATORY:
        reason = "Declared to apply: a mandatory ground, so the supplier must be excluded."
    else:
        reason = "Declared to apply: a discretionary ground; the officer must decide and record why."
    return ExclusionCheck(ground.key, ground.title, False, reason, evidence)


def check_debarment(supplier: SupplierFacts, entries: Sequence[DebarmentFact], *, on: date) -> ExclusionCheck:
    number = supplier.companies_house_number.strip().upper()
    name = _normalised(supplier.name)
    current = [entry for entry in entries if entry.entered_on <= on and (entry.ends_on is None or entry.ends_on >= on)]
    matches = [
        entry
        for entry in current
        if (number and entry.companies_house_number.strip().upper() == number)
        or _normalised(entry.supplier_name) == name
    ]
    evidence = {
        "checked_on": on.isoformat(),
        "entries_checked": len(current),
        "matched_by": "Companies House number and name" if number else "name only (no Companies House number)",
        "matches": [
            {
                "supplier_name": entry.supplier_name,
                "companies_house_number": entry.companies_house_number,
                "ground": entry.ground,
                "mandatory": entry.mandatory,
                "entered_on": entry.entered_on.isoformat(),
            }
            for entry in matches
        ],
    }
    if matches:
        reason = (
            "; ".join(f"{entry.supplier_name} is on the debarment list ({entry.ground})" for entry in matches) + "."
        )
        return ExclusionCheck(DEBARMENT_CRITERION, DEBARMENT_TITLE, False, reason, evidence)
    return ExclusionCheck(
        DEBARMENT_CRITERION,
        DEBARMENT_TITLE,
        True,
        f"Not on the debarment list ({len(current)} current entries checked).",
        evidence,
    )


def evaluate(supplier: SupplierFacts, entries: Sequence[DebarmentFact], *, on: date) -> list[ExclusionCheck]:
    """The debarment check, then every ground in order, each with pass/fail, reason and evidence."""
    return [
        check_debarment(supplier, entries, on=on),
        *(_check_ground(ground, supplier) for ground in EXCLUSION_GROUNDS),
    ]
