"""Officer pages for tenders: set-up summary, declarations, independent scoring, moderation and the report."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from commissioning import forms, selectors
from commissioning.models import Bid, Evaluator, IndependentScore, ModeratedScore, Tender, TenderStatus
from commissioning.services import tenders as services
from contracts.views import _form_page
from homecare.accounts.audiences import Audience, audience_required, request_user
from homecare.audit.selectors import audit_events_for
from homecare.spreadsheets import FILE_FORMATS, spreadsheet_response


def _tender_url(tender: Tender) -> str:
    return reverse("commissioning:procurement:tender_detail", args=[tender.pk])


@audience_required(Audience.OFFICER)
def tender_list(request: HttpRequest) -> HttpResponse:
    return render(request, "procurement/tender_list.html", {"tenders": selectors.tender_list()})


@audience_required(Audience.OFFICER)
def tender_create(request: HttpRequest) -> HttpResponse:
    form = forms.TenderCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        agreement = data["agreement"]
        lots = [services.LotInput(lot.name, lot, 1, data["additional_places"]) for lot in agreement.lots.all()]
        try:
            tender = services.tender_create(
                actor=request_user(request),
                agreement=agreement,
                reference=data["reference"],
                title=data["title"],
                questions=[services.QuestionInput(text, weight) for weight, text in data["questions"]],
                lots=lots or [services.LotInput("Whole agreement", None, 0, data["additional_places"] or 1)],
                social_value_question=data["social_value_question"],
                quality_weight=data["quality_weight"],
                price_weight=data["price_weight"],
                social_value_weight=data["social_value_weight"],
                social_value_mode=data["social_value_mode"],
                evaluation_method=data["evaluation_method"],
                divergence_threshold=data["divergence_threshold"],
                panel=[(request_user(request), "")],
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, "Tender created, with one lot per lot of the agreement and you on its panel.")
            return redirect(_tender_url(tender))
    return _form_page(
        request, form=form, title="Create a tender", back_url=reverse("commissioning:procurement:tender_list")
    )


@audience_required(Audience.OFFICER)
def bid_record(request: HttpRequest, tender_id: int) -> HttpResponse:
    tender = selectors.tender_get(tender_id=tender_id)
    form = forms.BidForm(request.POST or None, tender_id=tender.pk)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.bid_record(
                actor=request_user(request), lot=data["lot"], provider=data["provider"], price=data["price"]
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, f"Recorded {data['provider']}'s bid.")
            return redirect(_tender_url(tender))
    return _form_page(request, form=form, title="Record a bid", back_url=_tender_url(tender), caption=str(tender))


@audience_required(Audience.OFFICER)
def tender_detail(request: HttpRequest, tender_id: int) -> HttpResponse:
    tender = selectors.tender_get(tender_id=tender_id)
    user = request_user(request)
    model = services.evaluation_model(tender)
    quality, social, price = model.points()
    evaluator = next((e for e in tender.evaluators.all() if e.user_id == user.pk), None)
    context = {
        "tender": tender,
        "points": {"quality": quality, "social_value": social, "price": price},
        "questions": tender.questions.all(),
        "descriptors": sorted(tender.scale_descriptors.items(), key=lambda item: int(item[0])),
        "evaluator": evaluator,
        "missing": services.missing_scores(tender) if tender.status == TenderStatus.SCORING else [],
        "gaps": services.moderation_gaps(tender) if tender.status == TenderStatus.MODERATION else [],
        "report_header": None,
        "audit_events": audit_events_for(target=tender)[:30],
    }
    if tender.status in (TenderStatus.STANDSTILL, TenderStatus.AWARDED):
        context["report_header"], context["report_rows"] = selectors.tender_report_rows(tender=tender)
    return render(request, "procurement/tender_detail.html", context)


DONE = {
    "open_scoring": "Independent scoring is open.",
    "start_moderation": "Moderation has started: every evaluator's scores are now visible to the panel.",
    "finish_moderation": "Moderation is finished.",
    "recommend": "The bids are ranked and the standstill period has started.",
    "award": "Awarded: the agreement's memberships are created.",
}
STEPS = {
    "open_scoring": services.tender_open_scoring,
    "start_moderation": services.tender_start_moderation,
    "finish_moderation": services.tender_finish_moderation,
}


@audience_required(Audience.OFFICER)
@require_POST
def tender_advance(request: HttpRequest, tender_id: int, step: str) -> HttpResponse:
    tender = selectors.tender_get(tender_id=tender_id)
    user = request_user(request)
    try:
        if step in STEPS:
            STEPS[step](actor=user, tender=tender)
        elif step == "recommend":
            services.tender_recommend(actor=user, tender=tender)
        elif step == "award":
            services.tender_award(actor=user, tender=tender)
        else:
            raise ValidationError("Unknown step.")
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, DONE.get(step, "Done."))
    return redirect(_tender_url(tender))


@audience_required(Audience.OFFICER)
def tender_declare(request: HttpRequest, tender_id: int) -> HttpResponse:
    tender = selectors.tender_get(tender_id=tender_id)
    form = forms.DeclarationForm(request.POST or None, tender_id=tender.pk)
    if request.method == "POST" and form.is_valid():
        try:
            services.conflict_of_interest_declare(
                evaluator_user=request_user(request),
                tender=tender,
                declaration=form.cleaned_data["declaration"],
                conflicted_bid_ids=[bid.pk for bid in form.cleaned_data["conflicted_bids"]],
            )
        except (ValidationError, PermissionDenied) as error:
            for message in getattr(error, "messages", [str(error)]):
                form.add_error(None, message)
        else:
            messages.success(request, "Your declaration is recorded.")
            return redirect(_tender_url(tender))
    return _form_page(
        request, form=form, title="Declare conflicts of interest", back_url=_tender_url(tender), caption=str(tender)
    )


def _cells(tender: Tender, evaluator: Evaluator) -> list[tuple[Bid, list[tuple[str, int, str]]]]:
    """The bids this evaluator may score, each with (field name, question number, question text)."""
    conflicted = set(evaluator.conflicted_bids.values_list("pk", flat=True))
    bids = Bid.objects.filter(lot__tender=tender).exclude(pk__in=conflicted).select_related("provider", "lot")
    questions = list(tender.questions.all())
    return [(bid, [(f"score-{bid.pk}-{q.pk}", q.number, q.text) for q in questions]) for bid in bids]


@audience_required(Audience.OFFICER)
def tender_score(request: HttpRequest, tender_id: int) -> HttpResponse:
    """The evaluator's own score sheet: only their own scores are ever shown here."""
    tender = selectors.tender_get(tender_id=tender_id)
    user = request_user(request)
    evaluator = Evaluator.objects.filter(tender=tender, user=user).first()
    if evaluator is None or evaluator.declared_at is None:
        messages.error(request, "Declare any conflict of interest before scoring.")
        return redirect(_tender_url(tender))
    own = {
        f"score-{s.bid_id}-{s.question_id}": s.score
        for s in selectors.scores_visible_to(tender=tender, user=user)
        if s.evaluator_id == evaluator.pk
    }
    errors: list[str] = []
    if request.method == "POST":
        questions = {q.pk: q for q in tender.questions.all()}
        for bid, cells in _cells(tender, evaluator):
            for name, number, _ in cells:
                raw = request.POST.get(name, "").strip()
                if not raw:
                    continue
                question = questions[int(name.rsplit("-", 1)[1])]
                try:
                    services.independent_score_record(evaluator_user=user, bid=bid, question=question, score=int(raw))
                    own[name] = int(raw)
                except ValueError:
                    errors.append(f"{bid.provider} Q{number}: choose a score from the scale.")
                except (ValidationError, PermissionDenied) as error:
                    errors.extend(f"{bid.provider} Q{number}: {m}" for m in getattr(error, "messages", [str(error)]))
        if not errors:
            messages.success(request, "Your scores are saved.")
            return redirect(_tender_url(tender))
    context = {
        "tender": tender,
        "rows": _cells(tender, evaluator),
        "own": own,
        "scale": range(tender.scale_max + 1),
        "errors": errors,
    }
    return render(request, "procurement/tender_score.html", context, status=400 if errors else 200)


@audience_required(Audience.OFFICER)
def tender_moderate(request: HttpRequest, tender_id: int) -> HttpResponse:
    tender = selectors.tender_get(tender_id=tender_id)
    if tender.status != TenderStatus.MODERATION:
        messages.error(request, "This tender is not in moderation.")
        return redirect(_tender_url(tender))
    user = request_user(request)
    questions = list(tender.questions.all())
    independent: dict[tuple[int, int], list[IndependentScore]] = {}
    for score in selectors.scores_visible_to(tender=tender, user=user):
        independent.setdefault((score.bid_id, score.question_id), []).append(score)
    agreed = {(m.bid_id, m.question_id): m for m in ModeratedScore.objects.filter(bid__lot__tender=tender)}
    bids = list(Bid.objects.filter(lot__tender=tender).select_related("provider", "lot"))
    errors: list[str] = []
    if request.method == "POST":
        for bid in bids:
            for question in questions:
                raw = request.POST.get(f"agreed-{bid.pk}-{question.pk}", "").strip()
                if not raw:
                    continue
                rationale = request.POST.get(f"rationale-{bid.pk}-{question.pk}", "")
                try:
                    agreed[(bid.pk, question.pk)] = services.moderated_score_agree(
                        actor=user, bid=bid, question=question, score=int(raw), rationale=rationale
                    )
                except ValueError:
                    errors.append(f"{bid.provider} Q{question.number}: choose a score from the scale.")
                except ValidationError as error:
                    errors.extend(f"{bid.provider} Q{question.number}: {m}" for m in error.messages)
        if not errors:
            messages.success(request, "The agreed scores are saved.")
            return redirect(reverse("commissioning:procurement:tender_moderate", args=[tender.pk]))
    rows = []
    for bid in bids:
        for question in questions:
            scores = independent.get((bid.pk, question.pk), [])
            spread = max((s.score for s in scores), default=0) - min((s.score for s in scores), default=0)
            rows.append(
                {
                    "bid": bid,
                    "question": question,
                    "scores": scores,
                    "spread": spread,
                    "divergent": spread > tender.divergence_threshold,
                    "agreed": agreed.get((bid.pk, question.pk)),
                    "name": f"{bid.pk}-{question.pk}",
                }
            )
    context = {
        "tender": tender,
        "rows": rows,
        "scale": range(tender.scale_max + 1),
        "errors": errors,
        "gaps": services.moderation_gaps(tender),
    }
    return render(request, "procurement/tender_moderate.html", context, status=400 if errors else 200)


@audience_required(Audience.OFFICER)
def tender_report(request: HttpRequest, tender_id: int, fmt: str = "html") -> HttpResponse:
    """The printable evaluation report, and the same table as CSV or XLSX."""
    tender = selectors.tender_get(tender_id=tender_id)
    header, rows = selectors.tender_report_rows(tender=tender)
    if fmt in FILE_FORMATS:
        return spreadsheet_response(
            header=header,
            rows=rows,
            file_format=fmt,
            filename_stem=f"evaluation-report-{tender.reference}",
            sheet_title="Evaluation",
            document_title=f"Evaluation report: {tender}",
        )
    model = services.evaluation_model(tender)
    quality, social, price = model.points()
    context = {
        "tender": tender,
        "header": header,
        "rows": rows,
        "points": {"quality": quality, "social_value": social, "price": price},
    }
    return render(request, "procurement/tender_report.html", context)


@audience_required(Audience.OFFICER)
def evaluator_add(request: HttpRequest, tender_id: int) -> HttpResponse:
    tender = selectors.tender_get(tender_id=tender_id)
    form = forms.EvaluatorAddForm(request.POST or None, tender_id=tender.pk)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.evaluator_add(
                actor=request_user(request), tender=tender, user=data["user"], organisation=data["organisation"]
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(
                request, f"Added {data['user'].get_full_name() or data['user'].get_username()} to the panel."
            )
            return redirect(_tender_url(tender))
    return _form_page(
        request,
        form=form,
        title="Add an evaluator to the panel",
        back_url=_tender_url(tender),
        caption=str(tender),
        intro="Evaluators declare their conflicts of interest before they see any bid.",
    )
