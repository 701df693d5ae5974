"""Writes for brokerage, one module per idea: packages, brokering rounds, responses, capacity, imports."""
