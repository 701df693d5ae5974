"""Template helpers for showing CQC ratings as GOV.UK tags."""

from __future__ import annotations

from django import template

from providers.quality import Rating

register = template.Library()

_TAG_COLOURS: dict[str, str] = {
    Rating.OUTSTANDING: "govuk-tag--green",
    Rating.GOOD: "govuk-tag--blue",
    Rating.REQUIRES_IMPROVEMENT: "govuk-tag--yellow",
    Rating.INADEQUATE: "govuk-tag--red",
}


@register.inclusion_tag("providers/_rating_tag.html")
def rating_tag(rating: str | None) -> dict[str, str]:
    """A coloured tag for a rating; anything that is not a published rating is grey."""
    text = rating or "Not yet rated"
    return {"text": text, "colour": _TAG_COLOURS.get(text, "govuk-tag--grey")}
