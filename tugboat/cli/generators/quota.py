"""`create quota`'s object: `--hard=pods=2,cpu=1` as a ResourceList of canonical
quantities (kubectl parses each and prints it back: 1000m is 1) and `--scopes` as given —
the API server judges the scopes, as kubectl leaves it to."""

from __future__ import annotations

from tugboat.api.quantity import QuantityError, parse_quantity
from tugboat.cli.generators import GeneratorError, Obj, metadata


def _hard(spec: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for statement in spec.split(","):
        parts = statement.split("=")
        if len(parts) != 2:
            raise GeneratorError(f"Invalid argument syntax {statement}, expected "
                                 f"<resource>=<value>")
        try:
            out[parts[0]] = str(parse_quantity(parts[1]))
        except QuantityError as e:
            raise GeneratorError(str(e)) from None
    return dict(sorted(out.items()))


def _scopes(spec: str) -> list[str]:
    scopes = spec.split(",")
    for scope in scopes:
        if not scope:
            raise GeneratorError(f'invalid resource quota scope "{scope}"')
    return scopes


def resource_quota(name: str, hard: str = "", scopes: str = "") -> Obj:
    spec: Obj = {}
    if hard:
        spec["hard"] = _hard(hard)
    if scopes:
        spec["scopes"] = _scopes(scopes)
    return {"kind": "ResourceQuota", "apiVersion": "v1", "metadata": metadata(name),
            "spec": spec, "status": {}}
