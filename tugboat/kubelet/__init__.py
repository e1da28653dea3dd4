"""tug-kubelet: the node agent that registers its Node, runs the pods bound to it as real
containers (through a Runtime: Docker, or the fake one), probes them, applies their restart
policy and reports their status through the API server (DESIGN §7)."""
