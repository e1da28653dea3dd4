"""The kubelet's own server on --port: container logs, exec over WebSocket (the v5/v4
channel protocol), the stats summary, the pods it runs, /healthz and /metrics. The API
server proxies pods/{name}/log and pods/{name}/exec here. Plain HTTP and open by default;
with --tls-cert-file it serves HTTPS and every request is authenticated (client
certificate, TokenReview) and authorized (SubjectAccessReview) first — see serving.py."""
