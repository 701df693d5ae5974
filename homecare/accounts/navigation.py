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
    ],
    Audience.PROVIDER: [
        ("Home", "portal:home"),
        ("DPS applications", "portal:dps:home"),
        ("Offers", "portal:brokerage:list"),
        ("Capacity", "portal:brokerage:capacity"),
    ],
    Audience.CCC: [
        ("Dashboard", "ccc:home"),
    ],
}
