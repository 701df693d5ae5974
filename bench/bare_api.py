"""The bare DRF references that ``bench/api.py`` serves beside the project: one small API request here.

One ``APIView`` that reads ten provider rows from the same database (one query, the project's own connection
settings from ``DATABASE_URL``) and returns them as a small JSON list. Two ways to serve it, each with
gunicorn and the same workers and threads as the project:

- bare (the default): the same DRF and JSON renderer and nothing else: no middleware, no authentication,
  permissions, throttling or pagination. The floor of a DRF request on this machine.
- ``BENCH_BARE_STACK=project``: the project's own settings (every middleware, token authentication, the
  ``IsAuthenticated`` default, the throttles); only the URLconf is this module's. What any API request of the
  project costs before its view does anything.

    DATABASE_URL=postgres://... [BENCH_BARE_STACK=project] gunicorn bench.bare_api:application
"""

from __future__ import annotations

import os
from pathlib import Path

import django
from django.conf import settings

from homecare.env import database_from_env

if os.environ.get("BENCH_BARE_STACK") == "project":
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    django.setup()
    settings.ROOT_URLCONF = __name__  # read at the first request: everything else is the project's
elif not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="bench-bare-api-" + "x" * 40,  # nothing is signed: the view has no session or cookie
        ALLOWED_HOSTS=["127.0.0.1", "localhost"],
        ROOT_URLCONF=__name__,
        INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "rest_framework"],
        MIDDLEWARE=[],
        DATABASES={"default": database_from_env("DATABASE_URL", default_sqlite=Path("bare-api.sqlite3"))},
        USE_TZ=True,
        REST_FRAMEWORK={
            "DEFAULT_AUTHENTICATION_CLASSES": [],
            "DEFAULT_PERMISSION_CLASSES": [],
            "UNAUTHENTICATED_USER": None,
            "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
        },
    )
    django.setup()

from django.core.wsgi import get_wsgi_application
from django.db import connection
from django.urls import path
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


class BareList(APIView):
    def get(self, request: Request) -> Response:
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, name FROM providers_provider ORDER BY id LIMIT 10")
            rows = cursor.fetchall()
        return Response([{"id": pk, "name": name} for pk, name in rows])


urlpatterns = [path("bare/", BareList.as_view())]
application = get_wsgi_application()
