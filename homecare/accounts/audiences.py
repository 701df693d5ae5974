"""The product's three audiences, each a Django group, and the checks that keep them apart.

A person's audience is the group they belong to, never a flag scattered across views.
An app may add a further condition on an audience with :func:`audience_condition_add` (in its
``AppConfig.ready``): ``providers`` requires provider staff to be linked to exactly one provider
organisation, whose data alone they ever see.

Audiences are read from the database on every request, so a revoked membership counts at once.
:func:`with_audiences` joins what :func:`audiences_of` reads (the audience groups, and the relations the
conditions read) into the query that loads the user, e.g. the API token's: one query, not three.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group, User
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, Model, OuterRef, QuerySet
from django.http import HttpRequest, HttpResponse
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

if TYPE_CHECKING:  # rest_framework.views reads the API settings, whose token authentication imports this module
    from rest_framework.views import APIView


class Audience(StrEnum):
    OFFICER = "commissioning"
    PROVIDER = "portal"
    CCC = "ccc"

    @property
    def group_name(self) -> str:
        return GROUP_NAMES[self]

    @property
    def label(self) -> str:
        return LABELS[self]


GROUP_NAMES: dict[Audience, str] = {
    Audience.OFFICER: "Commissioning officers",
    Audience.PROVIDER: "Provider staff",
    Audience.CCC: "Care Communications Centre staff",
}
LABELS: dict[Audience, str] = {
    Audience.OFFICER: "Commissioning",
    Audience.PROVIDER: "Provider portal",
    Audience.CCC: "Care Communications Centre",
}

UserLike = User | AbstractBaseUser | AnonymousUser
AudienceCondition = Callable[[UserLike], bool]
M = TypeVar("M", bound=Model)

# Registered by the apps that own the data a condition reads, so this module imports none of them.
_conditions: dict[Audience, list[AudienceCondition]] = {}
_condition_relations: list[str] = []  # the user's relations the conditions read, for select_related
_GROUPS_READ = "_homecare_audience_groups"  # the user attribute holding the audience groups it is in


def audience_condition_add(audience: Audience, condition: AudienceCondition, *, reads: str = "") -> None:
    """Require ``condition(user)`` of every member of ``audience``, on top of the group (idempotent).

    ``reads``: the user's relation the condition reads (a ``select_related`` path from the user), which
    :func:`with_audiences` then joins into the query that loads the user.
    """
    conditions = _conditions.setdefault(audience, [])
    if condition not in conditions:
        conditions.append(condition)
    if reads and reads not in _condition_relations:
        _condition_relations.append(reads)


def _flag(audience: Audience) -> str:
    return f"_in_audience_{audience.value}"


def with_audiences(rows: QuerySet[M], *, user: str) -> QuerySet[M]:
    """``rows`` (each with a user at the foreign key ``user``) with what :func:`audiences_of` reads joined in:
    the user, whether it is in each audience's group, and the relations the conditions read. Call
    :func:`audiences_loaded` on each row read."""
    in_group = {
        _flag(audience): Exists(Group.objects.filter(user=OuterRef(user), name=audience.group_name))
        for audience in Audience
    }
    joined: QuerySet[M] = rows.select_related(user, *(f"{user}__{relation}" for relation in _condition_relations))
    annotated: QuerySet[M] = joined.annotate(**in_group)
    return annotated


def audiences_loaded(user: UserLike, row: Model) -> None:
    """Keep on ``user`` the audience groups read with it by :func:`with_audiences` into ``row``."""
    groups = {audience.group_name for audience in Audience if getattr(row, _flag(audience))}
    setattr(user, _GROUPS_READ, groups)


def audiences_of(user: UserLike) -> list[Audience]:
    """The audiences a user belongs to, in a stable order. Cached on the user object per request."""
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_homecare_audiences", None)
    if cached is not None:
        return cast(list[Audience], cached)
    group_names: set[str] | None = getattr(user, _GROUPS_READ, None)  # read with the user (with_audiences)
    if group_names is None:
        group_names = set(user.groups.values_list("name", flat=True))  # type: ignore[attr-defined]
    found = [
        audience
        for audience in Audience
        if audience.group_name in group_names and all(condition(user) for condition in _conditions.get(audience, ()))
    ]
    setattr(user, "_homecare_audiences", found)  # noqa: B010 - a per-request cache on the user object
    return found


def is_member(user: UserLike, audience: Audience) -> bool:
    return audience in audiences_of(user)


ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponse])


def audience_required(audience: Audience) -> Callable[[ViewFunc], ViewFunc]:
    """Send anonymous people to sign in, and people who still owe a second factor to give it;
    refuse (403) signed-in people of another audience."""

    def decorator(view: ViewFunc) -> ViewFunc:
        # Signed in (the second factor too) is one rule, ``fully_signed_in``; this adds the audience.
        from homecare.accounts.mfa import fully_signed_in

        @wraps(view)
        def members_only(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not is_member(request.user, audience):
                raise PermissionDenied(f"This page is for {audience.label} users.")
            return view(request, *args, **kwargs)

        return fully_signed_in(cast(ViewFunc, members_only))

    return decorator


SECOND_FACTOR_MESSAGE = "Sign in fully first: give your two-step verification code at /accounts/sign-in/code/."


def second_factor_missing(request: Request) -> bool:
    """A browser session that still owes its code. A token is a separate credential, not MFA-gated."""
    from homecare.accounts.mfa import second_factor_pending

    return isinstance(request.successful_authenticator, SessionAuthentication) and second_factor_pending(
        request._request
    )


class _AudiencePermission(BasePermission):
    audience: Audience

    def has_permission(self, request: Request, view: APIView) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        if second_factor_missing(request):
            self.message = SECOND_FACTOR_MESSAGE
            return False
        return is_member(request.user, self.audience)


class IsOfficer(_AudiencePermission):
    audience = Audience.OFFICER


class IsProviderStaff(_AudiencePermission):
    audience = Audience.PROVIDER


class IsOfficerOrCcc(BasePermission):
    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if second_factor_missing(request):
            self.message = SECOND_FACTOR_MESSAGE
            return False
        return bool({Audience.OFFICER, Audience.CCC} & set(audiences_of(user)))


def request_user(request: HttpRequest | Request) -> User:
    """The signed-in user of a request that an audience check (view decorator or API permission) admitted.

    Those checks admit only signed-in users, so anything else here is a wiring bug, not a visitor.
    """
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied("Sign in first.")
    return user
