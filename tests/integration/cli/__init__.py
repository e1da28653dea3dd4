"""`tug` driven as a user drives it: subprocesses against a real API server."""
