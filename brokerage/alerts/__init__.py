"""Alerts to the Care Communications Centre: deadline breaches and providers that stop responding.

Celery's autodiscovery only imports ``<app>.tasks``; importing the alert task here registers it with the
worker, because Django imports this package (through ``brokerage.models``) whenever the app loads.
"""

from brokerage.alerts import tasks as tasks
