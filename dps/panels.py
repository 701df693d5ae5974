"""The DPS rounds panel on an agreement's page (registered in ``DpsConfig.ready``)."""

from __future__ import annotations

from contracts.models import Agreement
from contracts.panels import AgreementPanel
from dps.selectors import rounds_for_agreement


def agreement_rounds_panel(agreement: Agreement) -> AgreementPanel:
    """The agreement's DPS rounds, and the button that schedules them from its term."""
    return AgreementPanel("dps/_agreement_rounds.html", {"rounds": rounds_for_agreement(agreement=agreement)})
