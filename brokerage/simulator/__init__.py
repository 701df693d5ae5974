"""The policy simulator: replay demand through the real engine and policy state machine (no ORM).

world = generate(seed=14)                       # or a world built from the council's history
result = simulate(world, Scenario(name="24h for all"))
result.to_dict()
"""

from brokerage.simulator.demand import generate
from brokerage.simulator.model import Arrival, Behaviour, Scenario, ScenarioError, SimProvider, World
from brokerage.simulator.report import Outcome, Report, UrgencyTimes
from brokerage.simulator.run import simulate

__all__ = [
    "Arrival",
    "Behaviour",
    "Outcome",
    "Report",
    "Scenario",
    "ScenarioError",
    "SimProvider",
    "UrgencyTimes",
    "World",
    "generate",
    "simulate",
]
