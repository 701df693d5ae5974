"""A package's care as plain JSON (a change's ``pattern`` and ``previous``), and back to visits.

Times are stored "HH:MM", hours as a decimal string, so a stored change reads the same in any year.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import time
from decimal import Decimal
from typing import Any

from brokerage.isa import VisitData
from brokerage.models import CarePackage, Visit


@dataclass(frozen=True)
class CarePattern:
    """What a variation can change: the visits (hours, times, carers) and the needs."""

    visits: tuple[VisitData, ...]
    required_skills: tuple[str, ...] = ()
    carer_gender: str = "any"
    special_requirements: str = ""

    @property
    def hours_per_week(self) -> Decimal:
        return sum((visit.carer_hours for visit in self.visits), start=Decimal(0)).quantize(Decimal("0.01"))

    def to_json(self) -> dict[str, Any]:
        return {
            "visits": [
                {
                    "day_of_week": v.day_of_week,
                    "window_start": v.window_start.strftime("%H:%M"),
                    "window_end": v.window_end.strftime("%H:%M"),
                    "duration_minutes": v.duration_minutes,
                    "carers": v.carers,
                }
                for v in sorted(self.visits, key=lambda v: (v.day_of_week, v.window_start))
            ],
            "hours_per_week": str(self.hours_per_week),
            "required_skills": sorted(self.required_skills),
            "carer_gender": self.carer_gender,
            "special_requirements": self.special_requirements,
        }


def pattern_from_json(document: dict[str, Any]) -> CarePattern:
    return CarePattern(
        visits=tuple(
            VisitData(
                day_of_week=int(v["day_of_week"]),
                window_start=time.fromisoformat(v["window_start"]),
                window_end=time.fromisoformat(v["window_end"]),
                duration_minutes=int(v["duration_minutes"]),
                carers=int(v.get("carers", 1)),
            )
            for v in document.get("visits", [])
        ),
        required_skills=tuple(document.get("required_skills", ())),
        carer_gender=str(document.get("carer_gender", "any")),
        special_requirements=str(document.get("special_requirements", "")),
    )


def visits_of(rows: Iterable[Visit]) -> tuple[VisitData, ...]:
    return tuple(
        VisitData(
            day_of_week=row.day_of_week,
            window_start=row.window_start,
            window_end=row.window_end,
            duration_minutes=row.duration_minutes,
            carers=row.carers,
        )
        for row in rows
    )


def pattern_of(package: CarePackage) -> CarePattern:
    """The package's care as it stands (its visit rows and needs)."""
    return CarePattern(
        visits=visits_of(package.visits.all()),
        required_skills=tuple(package.required_skills),
        carer_gender=package.carer_gender,
        special_requirements=package.special_requirements,
    )


def same_visits(a: Sequence[VisitData], b: Sequence[VisitData]) -> bool:
    def key(v: VisitData) -> tuple[int, time, time, int, int]:
        return (v.day_of_week, v.window_start, v.window_end, v.duration_minutes, v.carers)

    return sorted(map(key, a)) == sorted(map(key, b))
