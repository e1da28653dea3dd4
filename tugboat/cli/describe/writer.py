"""The pieces every describer shares, as kubectl's describe.go has them: a PrefixWriter
over one tabwriter (minwidth 0, padding 2) with two-space levels, and the formatters for
labels, annotations, tolerations, times and ages that every kind's page reuses."""

from __future__ import annotations

import io
import time
from datetime import datetime
from typing import Any

from tugboat.api.durations import human_duration
from tugboat.api.meta import parse_rfc3339
from tugboat.cli.tabwriter import TabWriter

Obj = dict[str, Any]
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
MAX_ANNOTATION_LEN = 140


class PrefixWriter:
    """`write(level, text)`: text indented by two spaces per level; `str()` is the page."""

    def __init__(self) -> None:
        self.buf = io.StringIO()
        self.tw = TabWriter(self.buf, minwidth=0, padding=2)

    def write(self, level: int, text: str) -> None:
        self.tw.write("  " * level + text)

    def flush(self) -> None:
        self.tw.flush()

    def page(self) -> str:
        self.tw.flush()
        return self.buf.getvalue()


def get(obj: Any, *path: str) -> Any:
    cur = obj
    for key in path:
        if not isinstance(cur, dict):
            return None
        cur = cur.get(key)
    return cur


def rfc1123z(stamp: str | None) -> str:
    """Go's time.RFC1123Z in local time: `Mon, 02 Jan 2006 15:04:05 -0700`."""
    if not stamp:
        return "<unset>"
    try:
        moment = parse_rfc3339(stamp)
    except (TypeError, ValueError):
        return str(stamp)
    return moment.astimezone().strftime("%a, %d %b %Y %H:%M:%S %z")


def since(stamp: str | None, now: float | None = None) -> str:
    """translateTimestampSince: the age of a timestamp, `<unknown>` when unset."""
    if not stamp:
        return "<unknown>"
    try:
        then = parse_rfc3339(stamp).timestamp()
    except (TypeError, ValueError):
        return "<unknown>"
    return human_duration((time.time() if now is None else now) - then)


def until(stamp: str | None) -> str:
    if not stamp:
        return "<unknown>"
    return human_duration(parse_rfc3339(stamp).timestamp() - time.time())


def labels_multiline(w: PrefixWriter, title: str, labels: dict[str, str] | None) -> None:
    w.write(0, f"{title}:\t")
    if not labels:
        w.write(0, "<none>\n")
        return
    for i, key in enumerate(sorted(labels)):
        if i:
            w.write(0, "\t")
        w.write(0, f"{key}={labels[key]}\n")


def annotations_multiline(w: PrefixWriter, title: str, annotations: dict[str, str] | None) -> None:
    shown = {k: v for k, v in (annotations or {}).items() if k != LAST_APPLIED}
    w.write(0, f"{title}:\t")
    if not shown:
        w.write(0, "<none>\n")
        return
    for i, key in enumerate(sorted(shown)):
        if i:
            w.write(0, "\t")
        value = str(shown[key]).removesuffix("\n")
        if len(value) + len(key) + 2 > MAX_ANNOTATION_LEN or "\n" in value:
            w.write(0, f"{key}:\n")
            for line in value.split("\n"):
                text = line if len(line) <= MAX_ANNOTATION_LEN - 2 else \
                    line[:MAX_ANNOTATION_LEN - 2] + "..."
                w.write(0, f"\t  {text}\n")
        else:
            w.write(0, f"{key}: {value}\n")


def tolerations_multiline(w: PrefixWriter, title: str, tolerations: list[Obj] | None) -> None:
    w.write(0, f"{title}:\t")
    if not tolerations:
        w.write(0, "<none>\n")
        return
    for i, t in enumerate(tolerations):
        if i:
            w.write(0, "\t")
        text = t.get("key") or ""
        if t.get("value"):
            text += f"={t['value']}"
        if t.get("effect"):
            text += f":{t['effect']}"
        if t.get("operator") == "Exists" and not t.get("value"):
            text += " op=Exists" if (t.get("key") or t.get("effect")) else "op=Exists"
        if t.get("tolerationSeconds") is not None:
            text += f" for {t['tolerationSeconds']}s"
        w.write(0, text + "\n")


def selector_text(selector: Any) -> str:
    """A LabelSelector (or an RC's plain map) as kubectl prints it: `app=web,tier in (a)`."""
    if not selector:
        return "<none>"
    if "matchLabels" not in selector and "matchExpressions" not in selector:
        return ",".join(f"{k}={v}" for k, v in sorted(selector.items()))
    parts = [f"{k}={v}" for k, v in sorted((selector.get("matchLabels") or {}).items())]
    for e in selector.get("matchExpressions") or []:
        op, key, values = e.get("operator"), e.get("key"), e.get("values") or []
        if op == "Exists":
            parts.append(key)
        elif op == "DoesNotExist":
            parts.append(f"!{key}")
        else:
            word = "in" if op == "In" else "notin"
            parts.append(f"{key} {word} ({','.join(sorted(values))})")
    return ",".join(parts) or "<none>"


def controller_of(obj: Obj) -> str:
    for ref in get(obj, "metadata", "ownerReferences") or []:
        if ref.get("controller"):
            return f"{ref.get('kind')}/{ref.get('name')}"
    return ""


def local_now() -> datetime:
    return datetime.now().astimezone()
