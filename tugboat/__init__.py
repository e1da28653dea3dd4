"""Tugboat: a real, small Kubernetes in Python."""
