"""`tug-proxy`, kube-proxy's role in iptables mode: it watches Services and EndpointSlices
and programs the host's packet filter so a ClusterIP or NodePort reaches a ready pod.
A client-only daemon like the scheduler: it sees tugboat.api and tugboat.client, and
meets the rest of the cluster only over HTTP.
"""
