"""`tug`, Tugboat's kubectl: the same verbs, flags, output and errors, on the shared client.

One module per verb family under `commands/`, the printers (tables, YAML/JSON, JSONPath,
custom columns) under `printers/`, the describers under `describe/`, the local cluster
(`tug up`) under `up/`. `app` assembles the Typer application; `__main__` runs it and turns
every failure into one line on stderr. Imports only tugboat.api and tugboat.client of ours.
"""
