"""Alerts to the Care Communications Centre: deadline breaches and providers that stop responding.

The model is registered through ``brokerage.models``; the beat task in ``BrokerageConfig.ready``.
"""
