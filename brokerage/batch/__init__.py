"""Batch allocation: place a whole backlog at once, fairly, within declared capacity (pure Python and numpy).

    problem = build_problem([BatchPackage(isa=..., candidates=...), ...], as_of=today, load_hours={...})
    proposal = propose(problem, BatchSettings(fairness_weight=10, method=Method.FLOW))
    proposal.lines / proposal.totals / proposal.to_dict()

No ORM: `brokerage.services.batch` turns rows into these inputs and approved lines into offers.
"""

from brokerage.batch.problem import BatchInputError, BatchPackage, BatchProblem, build_problem, pair_cost
from brokerage.batch.proposal import Line, Proposal, Totals, Why, explain, propose
from brokerage.batch.solver import BatchSettings, BatchSolution, Method, SolverFailed, solve

__all__ = [
    "BatchInputError",
    "BatchPackage",
    "BatchProblem",
    "BatchSettings",
    "BatchSolution",
    "Line",
    "Method",
    "Proposal",
    "SolverFailed",
    "Totals",
    "Why",
    "build_problem",
    "explain",
    "pair_cost",
    "propose",
    "solve",
]
