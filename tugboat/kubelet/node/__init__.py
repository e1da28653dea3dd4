"""The kubelet's Node: what the host has (hostinfo), the NodeStatus built from it and from
the runtime's health (nodestatus, health), registering and keeping it current (reporter),
and the heartbeat Lease in kube-node-lease (lease)."""
