"""The object model: Kubernetes' types as pydantic models, with their defaults, validation,
selectors, quantities and patch semantics. Imports pydantic and nothing of ours."""
