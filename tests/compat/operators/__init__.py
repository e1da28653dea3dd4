"""Operators from the ecosystem, run against Tugboat by the compat suite."""
