"""The Care Communications Centre's area, mounted at /ccc/: its home is the dashboard (``ccc:home``)."""

from django.urls import URLPattern, URLResolver, include, path, re_path

from brokerage import views_ccc, views_changes

app_name = "ccc"

dashboard_patterns: list[URLPattern | URLResolver] = [
    path("live/", views_ccc.dashboard_live, name="live"),
    path("figures/", views_ccc.dashboard_figures, name="figures"),
    path("packages/", views_ccc.packages, name="packages"),
    path("changes/", views_changes.ccc_changes_view, name="changes"),
    re_path(r"^export/(?P<slug>[a-z-]+)\.(?P<file_format>csv|xlsx)$", views_ccc.export, name="export"),
    path("alerts/<int:alert_id>/acknowledge/", views_ccc.acknowledge, name="acknowledge_alert"),
    path("packages/<int:package_id>/", views_ccc.package_detail, name="package"),
    path("packages/<int:package_id>/notes/", views_ccc.package_note, name="package_note"),
    path("packages/<int:package_id>/refer/", views_ccc.package_refer, name="package_refer"),
    path("packages/<int:package_id>/rebroker/", views_ccc.package_rebroker, name="package_rebroker"),
    path("packages/<int:package_id>/award/", views_ccc.package_award, name="package_award"),
    path("packages/<int:package_id>/award/by-hand/", views_ccc.package_award_by_hand, name="package_award_by_hand"),
]

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views_ccc.dashboard, name="home"),
    path("", include((dashboard_patterns, "brokerage"))),
]
