"""The kubelet's prober, in the kubelet's own three pieces: `results` (the latest result
per container, with change notification), `worker` (one periodic goroutine-like task per
probe of a container) and `manager` (starts and stops workers as pods come and go, and
answers the pod worker's questions); `probes` runs one exec, tcpSocket or httpGet check."""
