"""Template helpers for showing CQC ratings as GOV.UK tags."""

from __future__ import annotations

from django import template

register = template.Library()

_TAG_COLOURS = {
    "Outstanding": "govuk-tag--green",
    "Good": "govuk-tag--blue",
    "Requires improvement": "govuk-tag--yellow",
    "Inadequate": "govuk-tag--red",
}


@register.inclusion_tag("providers/_rating_tag.html")
def rating_tag(rating: str | None) -> dict[str, str]:
    """A coloured tag for a rating; anything that is not a published rating is grey."""
    text = rating or "Not yet rated"
    return {"text": text, "colour": _TAG_COLOURS.get(text, "govuk-tag--grey")}
