"""Demo step: the agreement (``contracts.demo``), then its DPS rounds and applications (``dps.demo``).

The two apps' demo data meet here, in the orchestration, because contracts does not import dps.
"""

from __future__ import annotations

from django.core.management.base import OutputWrapper
from django.utils import timezone

from contracts import demo as contracts_demo
from dps import demo as dps_demo


def load_demo_agreements(*, stdout: OutputWrapper) -> None:
    # The DPS demo applicants are to join through the open round, so they are not made members up front.
    agreement = contracts_demo.load_demo_agreement(stdout=stdout, not_members=dps_demo.DEMO_APPLICANT_NAMES)
    stdout.write(dps_demo.load_demo_dps(agreement=agreement, now=timezone.now()))
