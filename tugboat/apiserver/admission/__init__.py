"""Admission: plugins every write passes after authorization — mutating ones first (they
may change the object), then validating ones (they may only refuse), as Kubernetes'."""
