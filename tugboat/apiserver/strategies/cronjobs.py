"""CronJobs (Kubernetes' cronjob strategy): a generation from the start, so a controller
can tell a spec change it has not seen, and a status written only through /status — the
controller's active list and schedule times are never overwritten by a user's update."""

from __future__ import annotations

from tugboat.apiserver.strategies.generic import Strategy


class CronJobStrategy(Strategy):
    always_has_generation = True
