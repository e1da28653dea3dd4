"""Nodes: the kubelet registers its Node with a status (capacity, addresses, conditions)
in one create, so a Node keeps the status it was created with."""

from __future__ import annotations

from tugboat.apiserver.strategies.generic import Strategy


class NodeStrategy(Strategy):
    keep_status_on_create = True
