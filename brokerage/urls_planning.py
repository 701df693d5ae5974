"""Officer pages for planning: the backlog's batch allocation and the policy simulator."""

from django.urls import URLPattern, URLResolver, path

from brokerage import views_planning as views

app_name = "planning"

urlpatterns: list[URLPattern | URLResolver] = [
    path("backlog/", views.backlog_view, name="backlog"),
    path("backlog/<int:proposal_id>/", views.proposal_view, name="proposal"),
    path("simulator/", views.simulator_view, name="simulator"),
    path("simulator/compare/", views.compare_view, name="compare"),
    path("simulator/compare.<str:file_format>", views.compare_download_view, name="compare-download"),
    path("simulator/<int:simulation_id>/", views.simulation_view, name="simulation"),
]
