"""The statement as a PDF: the same provider, period, lines and totals as the CSV, for its provider and officers."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

from tests.conftest import client_for
from tests.factories import make_provider_user
from tests.visits.test_statements import _approved_run
from visits.services.pay_runs import credit_note_issue

pytestmark = pytest.mark.django_db


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)


def _pounds(text: str, label: str) -> Decimal:
    found = re.search(rf"{label}: £([\d,]+\.\d\d)", text)
    assert found is not None, f"no {label!r} in the PDF"
    return Decimal(found.group(1).replace(",", ""))


def test_the_pdf_statement_totals_equal_the_csv_for_the_provider_and_the_officer(officer):
    world, run = _approved_run(officer)
    run.refresh_from_db()
    credit_note_issue(pay_run=run, amount=Decimal("12.50"), reason="Mileage agreed by phone", issued_by=officer)
    provider_client = client_for(world.provider_user)
    csv_url = reverse("portal:visits:statement_download", args=[run.pk, "csv"])
    rows = list(csv.DictReader(io.StringIO(provider_client.get(csv_url).content.decode("utf-8-sig"))))
    csv_total = sum((Decimal(row["Amount"]) for row in rows), start=Decimal(0))

    response = provider_client.get(reverse("portal:visits:statement_download", args=[run.pk, "pdf"]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert f'filename="statement-{run.reference}.pdf"' in response["Content-Disposition"]
    text = _pdf_text(response.content)
    assert world.provider.name in text and run.agreement.reference in text
    assert "02 March 2026 to 29 March 2026" in text
    assert _pounds(text, "Total of the lines") == csv_total == run.total
    assert _pounds(text, "Credit notes") == Decimal("12.50") and "Mileage agreed by phone" in text
    assert _pounds(text, "Total payable") == csv_total + Decimal("12.50")
    # Every line is there: one amount per CSV row (the amounts column, in the same order).
    assert text.count(world.a.reference) == sum(1 for row in rows if row["Package"] == world.a.reference)

    officer_response = client_for(officer).get(
        reverse("commissioning:visits:pay_run_download", args=[run.pk, "statement", "pdf"])
    )
    assert officer_response.status_code == 200
    assert _pounds(_pdf_text(officer_response.content), "Total payable") == csv_total + Decimal("12.50")


def test_another_provider_gets_a_404_for_the_pdf(officer):
    _world, run = _approved_run(officer)
    stranger = client_for(make_provider_user())
    assert stranger.get(reverse("portal:visits:statement_download", args=[run.pk, "pdf"])).status_code == 404
    assert (
        client_for(officer)
        .get(reverse("commissioning:visits:pay_run_download", args=[run.pk, "finance", "pdf"]))
        .status_code
        == 404
    )  # only the statement is a PDF


def test_the_statement_pages_link_the_pdf(officer):
    world, run = _approved_run(officer)
    page = client_for(world.provider_user).get(reverse("portal:visits:statement", args=[run.pk]))
    assert reverse("portal:visits:statement_download", args=[run.pk, "pdf"]).encode() in page.content
    page = client_for(officer).get(reverse("commissioning:visits:pay_run", args=[run.pk]))
    assert reverse("commissioning:visits:pay_run_download", args=[run.pk, "statement", "pdf"]).encode() in page.content
