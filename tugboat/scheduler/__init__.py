"""tug-scheduler: binds every pending pod to the best node (DESIGN.md §6).

Informers on pods and nodes feed a cache (nodes with their bound and assumed pods) and a
scheduling queue (pending pods of our schedulerName, by priority then age, with
backoff). The scheduling loop pops a pod and runs kube-scheduler's framework over the
nodes — filters, scores with weights, one plugin per module — assumes the winner in the
cache and binds through `POST pods/{name}/binding`. Leader election on a Lease lets
several schedulers run with one acting. Imports only tugboat.api and tugboat.client of
ours; it meets the other daemons over HTTP.
"""
