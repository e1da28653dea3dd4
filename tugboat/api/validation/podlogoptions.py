"""PodLogOptions validation, after Kubernetes' ValidatePodLogOptions: no negative tail,
a positive byte limit and since, and not both kinds of since at once."""

from __future__ import annotations

from tugboat.api.podlogoptions import PodLogOptions
from tugboat.api.validation.fielderrors import Errors, forbidden, invalid

_NEGATIVE = "must be greater than or equal to 0"
_POSITIVE = "must be greater than 0"


def validate_pod_log_options(opts: PodLogOptions) -> Errors:
    errs: Errors = []
    if opts.tailLines is not None and opts.tailLines < 0:
        errs.append(invalid("tailLines", opts.tailLines, _NEGATIVE))
    if opts.limitBytes is not None and opts.limitBytes < 1:
        errs.append(invalid("limitBytes", opts.limitBytes, _POSITIVE))
    if opts.sinceSeconds is not None and opts.sinceTime is not None:
        errs.append(forbidden("", "at most one of `sinceTime` or `sinceSeconds` may be "
                                  "specified"))
    elif opts.sinceSeconds is not None and opts.sinceSeconds < 1:
        errs.append(invalid("sinceSeconds", opts.sinceSeconds, _POSITIVE))
    return errs
