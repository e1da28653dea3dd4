"""Pod Security Admission (Kubernetes' built-in `PodSecurity` plugin): the Pod Security
Standards' privileged / baseline / restricted levels, chosen per namespace with the
`pod-security.kubernetes.io/` labels. `PodSecurity(cache)` is the plugin."""

from tugboat.apiserver.admission.podsecurity.admission import PodSecurity

__all__ = ["PodSecurity"]
