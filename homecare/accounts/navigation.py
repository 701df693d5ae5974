"""Service navigation for each audience: (label, URL name) pairs, in display order.

Each capability adds its pages here, so every audience sees one consistent menu.
"""

from __future__ import annotations

from homecare.accounts.audiences import Audience

NAVIGATION: dict[Audience, list[tuple[str, str]]] = {
    Audience.OFFICER: [
        ("Home", "commissioning:home"),
        ("Providers", "commissioning:providers:list"),
        ("Agreements", "commissioning:contracts:list"),
        ("DPS rounds", "commissioning:dps:round_list"),
        ("Packages", "commissioning:brokerage:list"),
        ("Backlog", "commissioning:planning:backlog"),
        ("Simulator", "commissioning:planning:simulator"),
        ("Reports", "commissioning:reports:index"),
        ("Procurement", "commissioning:procurement:home"),
        ("Pay runs", "commissioning:visits:pay_runs"),
    ],
    Audience.PROVIDER: [
        ("Home", "portal:home"),
        ("DPS applications", "portal:dps:home"),
        ("Offers", "portal:brokerage:list"),
        ("My packages", "portal:packages:list"),
        ("Capacity", "portal:brokerage:capacity"),
        ("Dynamic markets", "portal:procurement:markets"),
        ("Visits", "portal:visits:upload"),
    ],
    Audience.CCC: [
        ("Dashboard", "ccc:home"),
    ],
}
