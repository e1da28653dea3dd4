"""The kubelet's own HTTP server on --port (plain HTTP): container logs, exec over
WebSocket (the v5/v4 channel protocol), the stats summary, the pods it runs, /healthz and
/metrics. The API server proxies pods/{name}/log and pods/{name}/exec here."""
