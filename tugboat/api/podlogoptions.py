"""PodLogOptions: what a `pods/{name}/log` request asks for, read from its query string
the way Kubernetes' parameter codec reads it (Go's booleans and integers, sinceTime as
RFC 3339). The API server validates it before it dials the kubelet, and the kubelet
reads the same options from the query it forwards, so both agree on what each means."""

from __future__ import annotations

from collections.abc import Mapping

from tugboat.api.meta import K8sModel, parse_rfc3339

# strconv.ParseBool's spellings.
_TRUE = ("1", "t", "T", "TRUE", "true", "True")
_FALSE = ("0", "f", "F", "FALSE", "false", "False")
QUERY_PARAMS = ("container", "follow", "previous", "sinceSeconds", "sinceTime", "timestamps",
                "tailLines", "limitBytes")


class PodLogOptions(K8sModel):
    container: str | None = None
    follow: bool = False
    previous: bool = False
    sinceSeconds: int | None = None
    sinceTime: str | None = None  # RFC 3339, as sent
    timestamps: bool = False
    tailLines: int | None = None
    limitBytes: int | None = None

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> PodLogOptions:
        """The options a query string holds; ValueError naming the first that does not
        decode (a 400 from the API server, as Kubernetes' parameter codec answers)."""
        opts = cls(container=query.get("container") or None)
        for name in ("follow", "previous", "timestamps"):
            raw = query.get(name)
            if raw in _TRUE:
                setattr(opts, name, True)
            elif raw not in _FALSE and raw not in (None, ""):
                raise ValueError(f'strconv.ParseBool: parsing "{raw}": invalid syntax '
                                 f"(query parameter {name})")
        for name in ("sinceSeconds", "tailLines", "limitBytes"):
            raw = query.get(name)
            if raw not in (None, ""):
                try:
                    setattr(opts, name, int(raw, 10))
                except ValueError:
                    raise ValueError(f'strconv.ParseInt: parsing "{raw}": invalid syntax '
                                     f"(query parameter {name})") from None
        raw = query.get("sinceTime")
        if raw not in (None, "", "null"):
            try:
                parse_rfc3339(raw)
            except ValueError:
                raise ValueError(f'parsing time "{raw}" as "2006-01-02T15:04:05Z07:00": '
                                 f"cannot parse (query parameter sinceTime)") from None
            opts.sinceTime = raw
        return opts

    def since(self, now: float) -> float | None:
        """The earliest time (Unix seconds) a line may carry, or None for no bound."""
        if self.sinceSeconds is not None:
            return now - self.sinceSeconds
        if self.sinceTime is not None:
            return parse_rfc3339(self.sinceTime).timestamp()
        return None

    def query(self) -> dict[str, str]:
        """The options as query parameters, each only when set (to forward them)."""
        out: dict[str, str] = {}
        for name, value in self.model_dump(exclude_none=True).items():
            if value is True:
                out[name] = "true"
            elif value is not False:
                out[name] = str(value)
        return out
