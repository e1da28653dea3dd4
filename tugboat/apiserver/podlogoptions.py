"""The checks `pods/{name}/log` makes before it dials a kubelet, as Kubernetes' log REST
does: the query decodes into PodLogOptions (400 when it does not) and passes
ValidatePodLogOptions (422 Invalid, kind PodLogOptions); what is forwarded is the
options re-encoded, so the kubelet never sees a parameter the server did not check."""

from __future__ import annotations

from collections.abc import Mapping

from tugboat.api.meta import StatusDetails
from tugboat.api.podlogoptions import PodLogOptions
from tugboat.api.validation.podlogoptions import validate_pod_log_options
from tugboat.apiserver import errors


def checked_log_params(query: Mapping[str, str], name: str) -> dict[str, str]:
    """The query parameters to forward to the kubelet (the container travels in the path)."""
    try:
        opts = PodLogOptions.from_query(query)
    except ValueError as e:
        raise errors.bad_request(str(e)) from None
    causes = validate_pod_log_options(opts)
    if causes:
        summary = ", ".join(f"{c.field}: {c.message}" if c.field else c.message or ""
                            for c in causes)
        raise errors.ApiError(422, "Invalid", f'PodLogOptions "{name}" is invalid: {summary}',
                              StatusDetails(name=name, kind="PodLogOptions", causes=causes))
    params = opts.query()
    params.pop("container", None)
    return params
