"""Changes to a care package after award: variations, suspensions, ends, reviews and provider requests.

The rows are in ``models``; the rules that write them are in ``brokerage.services.changes``; reads and the
cost of a package over any period (changes applied from their effective dates) are in ``selectors``.
"""
