"""Every kind of event the service sends to subscribers: one closed set, named ``<entity>.<past participle>``.

Each kind's payload (``data``) is documented in the README ("Outbound events") and versioned with the API
(``api_version`` in every envelope): a field is only ever added within a version, never renamed or removed.
"""

from __future__ import annotations

from django.db import models


class EventKind(models.TextChoices):
    PACKAGE_OFFERED = "package.offered", "Package offered to a provider"
    PACKAGE_AWARDED = "package.awarded", "Package awarded"
    PACKAGE_CARE_STARTED = "package.care_started", "Care started"
    # Recorded by the post-award change services (issue 10B) once they exist; the kinds and payloads are fixed here.
    PACKAGE_VARIED = "package.varied", "Package varied"
    PACKAGE_SUSPENDED = "package.suspended", "Package suspended"
    PACKAGE_RESUMED = "package.resumed", "Package resumed"
    PACKAGE_ENDED = "package.ended", "Care ended"
    PACKAGE_HANDED_BACK = "package.handed_back", "Package handed back"
    DPS_APPLICATION_DECIDED = "dps_application.decided", "DPS application decided"
    ALERT_RAISED = "alert.raised", "Alert raised"


API_VERSION = "v1"
