"""`tug explain RESOURCE[.field.path]`: the documentation of a type or one of its fields, read
from the server's OpenAPI v3 document of the group-version and printed in kubectl's
explain layout (KIND / VERSION / FIELD / DESCRIPTION / FIELDS with `<type>` and
`-required-`), so what a user learns here is what the server accepts.

The kind's schema is the component carrying its x-kubernetes-group-version-kind; a field
path walks `properties`, looking through `$ref`/`allOf` and into list items and map values
as kubectl does. A type is named as kubectl's template names it: a referenced object by its
component's last name (`PodSpec`, `IntOrString`), a referenced scalar by its type (`Time`
is a `string`), lists as `[]T` and maps as `map[string]T`."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

import typer

from tugboat.api import resources
from tugboat.api.resources import RESOURCES, ResourceInfo
from tugboat.cli import targets
from tugboat.cli.errors import CliError
from tugboat.cli.options import CONTEXT, examples, session_of
from tugboat.cli.session import Session

Obj = dict[str, Any]
REF = "#/components/schemas/"
WIDTH = 80  # kubectl wraps descriptions to this many columns, indentation included

EXAMPLES = examples("""
    # The documentation of a type and its fields
    tug explain pods

    # One field, or every field below it
    tug explain pods.spec.containers
    tug explain deployments.spec.strategy --recursive

    # A type in a version other than the preferred one
    tug explain horizontalpodautoscalers --api-version=autoscaling/v2
""")


@dataclass
class Document:
    """One group-version's OpenAPI document, with the $ref lookups explain needs."""

    schemas: dict[str, Obj]

    def resolve(self, schema: Obj) -> Obj:
        """The schema a property stands for: through `allOf: [$ref]` and `$ref`."""
        for _ in range(8):
            if "$ref" in schema:
                schema = self.schemas.get(schema["$ref"].removeprefix(REF), {})
            elif len(schema.get("allOf") or []) == 1 and not schema.get("properties"):
                schema = schema["allOf"][0]
            else:
                break
        return schema

    def element(self, schema: Obj) -> Obj:
        """What a list or map holds, else the schema itself: a path steps through them."""
        schema = self.resolve(schema)
        while "items" in schema or isinstance(schema.get("additionalProperties"), dict):
            schema = self.resolve(schema.get("items") or schema["additionalProperties"])
        return schema

    def type_name(self, schema: Obj) -> str:
        if "items" in schema:
            return "[]" + self.type_name(schema["items"])
        if isinstance(schema.get("additionalProperties"), dict):
            return "map[string]" + self.type_name(schema["additionalProperties"])
        if len(schema.get("allOf") or []) == 1 and not schema.get("properties"):
            return self.type_name(schema["allOf"][0])
        if "$ref" in schema:
            name = schema["$ref"].removeprefix(REF)
            target = self.schemas.get(name) or {}
            if target.get("type") in (None, "object"):
                return name.rsplit(".", 1)[-1] or "Object"
            return str(target["type"])
        kind = schema.get("type")
        return "Object" if kind in (None, "object") else str(kind)


def _wrap(text: str, indent: int) -> list[str]:
    """go-wordwrap's greedy wrap, each line indented; blank lines keep the indentation."""
    limit = WIDTH - indent
    out: list[str] = []
    for para in text.split("\n"):
        line = ""
        for word in para.split(" "):
            if line and len(line) + 1 + len(word) > limit:
                out.append(line.rstrip(" "))
                line = word
            else:
                line = f"{line} {word}" if line else word
        out.append(line)
    return [" " * indent + line for line in out]


def _schema_for_kind(doc: Obj, info: ResourceInfo) -> Obj | None:
    want = {"group": info.group, "version": info.version, "kind": info.kind}
    for schema in doc.get("components", {}).get("schemas", {}).values():
        if want in (schema.get("x-kubernetes-group-version-kind") or []):
            return schema
    return None


def _fields(doc: Document, schema: Obj, recursive: bool, depth: int,
            seen: tuple[int, ...]) -> list[str]:
    props = schema.get("properties") or {}
    required = set(schema.get("required") or [])
    lines: list[str] = []
    pad = "  " * depth
    for name in sorted(props):
        prop = props[name]
        mark = " -required-" if name in required else ""
        lines.append(f"{pad}{name}\t<{doc.type_name(prop)}>{mark}")
        if recursive:
            inner = doc.element(prop)
            if inner.get("properties") and id(inner) not in seen:
                lines += _fields(doc, inner, True, depth + 1, (*seen, id(inner)))
        else:
            text = prop.get("description")
            lines += _wrap(text, 4) if text else ["    <no description>"]
            lines.append("")
    return lines


def render(doc: Document, info: ResourceInfo, kind_schema: Obj, path: list[str],
           recursive: bool) -> str:
    head = [f"GROUP:      {info.group}"] if info.group else []
    head += [f"KIND:       {info.kind}", f"VERSION:    {info.version}", ""]
    schema, texts = kind_schema, [kind_schema.get("description")]
    for i, name in enumerate(path):
        props = doc.element(schema).get("properties") or {}
        if name not in props:
            raise CliError(f'field "{name}" does not exist')
        field = props[name]
        if i == len(path) - 1:
            head += [f"FIELD: {name} <{doc.type_name(field)}>", "", ""]
        schema = field
        texts = [field.get("description"), doc.element(field).get("description")
                 if doc.element(field) is not field else None]
    texts = [t for t in texts if t]
    body = ["DESCRIPTION:"]
    body += [line for t in texts for line in _wrap(t, 4)] + ["    "] if texts else ["    <empty>"]
    target = doc.element(schema)
    if target.get("properties"):
        body += ["FIELDS:", *_fields(doc, target, recursive, 1, (id(target),))]
    return "\n".join(head + body) + "\n\n"


def _resource(name: str, api_version: str | None) -> ResourceInfo:
    info = resources.resolve(name)
    if info is None:
        # kubectl's CheckErr prints a RESTMapper miss without "error: "
        raise CliError(f'the server doesn\'t have a resource type "{name}"', raw=True)
    if api_version and api_version != info.group_version:
        found = [r for r in RESOURCES if r.resource == info.resource
                 and r.group == info.group and r.group_version == api_version]
        if not found:
            raise CliError(f'couldn\'t find resource for "{api_version}, '
                           f'Resource={info.resource}"')
        info = found[0]
    return info


def _document(session: Session, info: ResourceInfo) -> Obj:
    index = session.request("GET", "/openapi/v3")
    key = f"apis/{info.group_version}" if info.group else f"api/{info.version}"
    entry = (index.get("paths") or {}).get(key)
    if entry is None:
        raise CliError(f"the server has no OpenAPI document for {info.group_version}")
    return session.request("GET", entry["serverRelativeURL"])


def explain(ctx: typer.Context,
            resource: str = typer.Argument(None, help="RESOURCE or RESOURCE.field.path",
                                           autocompletion=targets.complete_type),
            recursive: bool = typer.Option(False, "--recursive",
                                           help="Print the fields of fields, without "
                                           "descriptions."),
            api_version: str = typer.Option(None, "--api-version",
                                            help="The group/version of the type to explain "
                                            "(default: the server's preferred one)."),
            output: str = typer.Option("plaintext", "--output",
                                       help="Format in which to render the schema: "
                                            "plaintext (kubectl's "
                                            "plaintext-openapiv2 is not offered).")) -> None:
    """Describe the fields of a resource type, from the server's OpenAPI schema."""
    if not resource:
        raise CliError('You must specify the type of resource to explain. Use "tug '
                       'api-resources" for a complete list of supported resources.')
    if output == "plaintext-openapiv2":
        raise CliError("tug explain renders the OpenAPI v3 schema only: use "
                       "--output=plaintext")
    if output != "plaintext":
        raise CliError(f"unrecognized format: {output}")
    name, *path = resource.split(".")
    info = _resource(name, api_version)
    raw = _document(session_of(ctx), info)
    kind_schema = _schema_for_kind(raw, info)
    if kind_schema is None:
        raise CliError(f"couldn't find resource for \"{info.group_version}, "
                       f"Kind={info.kind}\"")
    doc = Document(raw.get("components", {}).get("schemas", {}))
    sys.stdout.write(render(doc, info, kind_schema, path, recursive))


def register(app: typer.Typer) -> None:
    app.command("explain", epilog=EXAMPLES, context_settings=CONTEXT)(explain)
