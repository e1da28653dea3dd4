"""Who is asking and may they: authenticators (x509, tokens), authorizers (RBAC, Node)
and the ASGI filters that run them before any handler, as kube-apiserver's filter chain."""
