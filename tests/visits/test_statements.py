"""Statements, disputes, credit notes and finance exports: every document adds up to the same money."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import make_provider_user
from tests.visits.fixtures import PERIOD_START, make_pay_world
from tests.visits.test_pay_run_by_hand import load_actuals
from visits.models import CreditNote, PayDispute
from visits.services.pay_runs import (
    PayRunError,
    pay_dispute_raise,
    pay_dispute_resolve,
    pay_run_approve,
    pay_run_compute,
)
from visits.statements import controcc_rows, finance_rows, total_with_credits

pytestmark = pytest.mark.django_db


def _approved_run(officer):
    world = make_pay_world(officer)
    load_actuals(world)
    run = pay_run_compute(
        agreement=world.market.agreement, provider=world.provider, period_start=PERIOD_START, computed_by=officer
    )
    pay_run_approve(pay_run_id=run.pk, approved_by=officer)
    return world, run


def test_a_disputed_missed_visit_upheld_becomes_a_credit_note_and_the_exports_add_up(officer):
    world, run = _approved_run(officer)
    missed = run.lines.get(package=world.a, day=date(2026, 3, 3))
    dispute = pay_dispute_raise(
        line_id=missed.pk,
        provider_user=world.provider_user,
        reason="The carer visited; the phone had no signal. Rota attached.",
        amount_claimed=Decimal("20.00"),
    )
    with pytest.raises(PayRunError):  # one open dispute per line
        pay_dispute_raise(
            line_id=missed.pk, provider_user=world.provider_user, reason="Again", amount_claimed=Decimal(1)
        )
    pay_dispute_resolve(dispute_id=dispute.pk, officer=officer, uphold=True, resolution="Rota and notes confirm it.")

    dispute.refresh_from_db()
    assert dispute.status == PayDispute.Status.UPHELD
    note = CreditNote.objects.get(dispute=dispute)
    assert note.amount == Decimal("20.00")
    assert total_with_credits(run) == Decimal("555.67")

    finance = finance_rows([run])
    assert sum((Decimal(str(row[-1])) for row in finance), start=Decimal(0)) == Decimal("555.67")
    statement_total = sum((Decimal(str(row[-1])) for row in finance if row[0] == "statement"), start=Decimal(0))
    assert statement_total == run.total == Decimal("535.67")
    assert sum((Decimal(str(row[-1])) for row in controcc_rows([run])), start=Decimal(0)) == Decimal("555.67")

    # The downloads carry the same figures as the statement.
    officer_client = client_for(officer)
    url = reverse("commissioning:visits:pay_run_download", args=[run.pk, "finance", "csv"])
    rows = list(csv.DictReader(io.StringIO(officer_client.get(url).content.decode("utf-8-sig"))))
    assert sum((Decimal(r["amount"]) for r in rows), start=Decimal(0)) == Decimal("555.67")
    provider_client = client_for(world.provider_user)
    url = reverse("portal:visits:statement_download", args=[run.pk, "csv"])
    lines = list(csv.DictReader(io.StringIO(provider_client.get(url).content.decode("utf-8-sig"))))
    assert sum((Decimal(r["Amount"]) for r in lines), start=Decimal(0)) == run.total


def test_a_rejected_dispute_issues_nothing(officer):
    world, run = _approved_run(officer)
    late = run.lines.get(package=world.a, day=date(2026, 3, 4))
    dispute = pay_dispute_raise(
        line_id=late.pk, provider_user=world.provider_user, reason="Traffic", amount_claimed=Decimal("20.00")
    )
    pay_dispute_resolve(dispute_id=dispute.pk, officer=officer, uphold=False, resolution="Paid as delivered.")
    assert not CreditNote.objects.exists()
    assert total_with_credits(run) == run.total


def test_another_provider_cannot_see_or_dispute_the_statement(officer):
    _, run = _approved_run(officer)
    stranger = make_provider_user()
    client = client_for(stranger)
    assert client.get(reverse("portal:visits:statement", args=[run.pk])).status_code == 404
    line = run.lines.first()
    assert client.get(reverse("portal:visits:dispute", args=[line.pk])).status_code == 404


def test_an_approved_pay_run_is_not_recomputed(officer):
    world, _ = _approved_run(officer)
    with pytest.raises(PayRunError):
        pay_run_compute(
            agreement=world.market.agreement, provider=world.provider, period_start=PERIOD_START, computed_by=officer
        )


def test_the_pages_show_the_statement_and_the_pay_run(officer):
    world, run = _approved_run(officer)
    page = client_for(world.provider_user).get(reverse("portal:visits:statement", args=[run.pk]))
    assert page.status_code == 200 and b"535.67" in page.content
    page = client_for(officer).get(reverse("commissioning:visits:pay_run", args=[run.pk]))
    assert page.status_code == 200 and b"Agrees to the penny" in page.content
