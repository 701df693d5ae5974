"""The ordered steps of ``manage.py load_demo``. Each capability appends its own step here.

The contract for a step (a dotted path to a function):

* signature ``def step(*, stdout: OutputWrapper) -> None`` (``django.core.management.base.OutputWrapper``);
  write a line or two about what it did to ``stdout``;
* idempotent: running ``load_demo`` again updates the demo data in place, never duplicates it
  (use ``update_or_create`` keyed on a stable natural key);
* runs in its own transaction (the command wraps it in ``transaction.atomic()``), so a failing step
  leaves no half-loaded data and stops the command with its error; a step that runs the real services'
  durable entry points marks itself ``manages_own_transactions = True`` and removes what it made if it fails;
* creates only fictional data, clearly marked (``Provider.is_demo=True``, names beginning "Demo:"),
  and may rely on the steps listed before it (e.g. the demo providers and accounts).
"""

from __future__ import annotations

DEMO_STEPS: list[str] = [
    "demo.accounts.load_demo_accounts",
    # About 100 fictional homecare providers with CQC-shaped records; Leeds wards and locality areas.
    "providers.demo.load_demo_providers",
    # After the providers step (if any): the agreement (lots linked to locality areas, every demo provider
    # appointed) and its DPS rounds and applications.
    "demo.agreements.load_demo_agreements",
    # After the providers step: a login for every other demo provider, to answer offers as any of them.
    "demo.provider_logins.load_demo_provider_logins",
    # After the agreements step: months of brokerage history made by the real engine and services.
    "brokerage.demo.load_demo_brokerage",
    # After the brokerage history: the CCC's alert check runs once, so the dashboard opens with its alerts.
    "brokerage.alerts.demo.load_demo_alerts",
    # After the areas and brokerage history: a tender, timetables, a dynamic market, the funding formula and
    # the neighbourhood (CHWS) pilot beside a time-and-task area.
    "commissioning.demo.load_demo_commissioning",
    # Independent of the others: two policies compared in the simulator (generated demand), stored.
    "brokerage.demo_simulator.load_demo_simulations",
    # After the brokerage history: four weeks of actual visits, pay runs (one approved) and a disputed line.
    "visits.demo.load_demo_visits",
]
