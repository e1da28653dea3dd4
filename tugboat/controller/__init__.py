"""The controller manager (DESIGN §8): every built-in controller in one process, on shared
informers, each a level-triggered reconcile function run by the one loop in
`reconciling.py`. `manager.py` wires them; `__main__.py` parses the flags.

Imports only tugboat.api and tugboat.client of ours: controllers meet the other daemons
only through the API server.
"""
