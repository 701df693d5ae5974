"""Alerts to the Care Communications Centre: deadline breaches and providers that stop responding."""
