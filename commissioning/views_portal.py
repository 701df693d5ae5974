"""Provider-portal pages for dynamic markets: the open markets, a request to join, and the provider's requests."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from commissioning import forms, selectors
from commissioning.models import MarketApplication
from commissioning.services import markets as services
from dps.selectors import locations_for_provider
from dps.services import DECLARATION_FIELDS
from homecare.accounts.audiences import Audience, audience_required, request_user
from providers.selectors import provider_for_user


@audience_required(Audience.PROVIDER)
def market_home(request: HttpRequest) -> HttpResponse:
    provider = provider_for_user(user=request.user)
    context = {
        "markets": [market for market in selectors.market_list() if services.market_is_open(market)],
        "requests": MarketApplication.objects.filter(provider=provider).select_related("market__agreement"),
    }
    return render(request, "procurement/portal_markets.html", context)


@audience_required(Audience.PROVIDER)
def market_request(request: HttpRequest, market_id: int) -> HttpResponse:
    market = selectors.market_get(market_id=market_id)
    form = forms.MarketRequestForm(request.POST or None, locations=locations_for_provider(provider_user=request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.market_application_submit(
                provider_user=request_user(request),
                market=market,
                location_ids=[location.pk for location in data["locations"]],
                declarations={name: data[name] for name in DECLARATION_FIELDS.values()},
                exclusion_answers=form.exclusion_answers(),
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, "Your request to join was sent and has been assessed.")
            return redirect(reverse("portal:procurement:markets"))
    context = {"form": form, "market": market}
    return render(request, "procurement/portal_market_request.html", context, status=400 if form.errors else 200)
