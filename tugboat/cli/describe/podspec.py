"""The parts of a pod's page that pod templates share (describeContainers,
describeVolumes, DescribePodTemplate in kubectl): containers with their state, probes,
resources, environment and mounts; volumes; a template's labels and scheduling hints."""

from __future__ import annotations

from typing import Any

from tugboat.cli.describe.writer import (
    PrefixWriter,
    annotations_multiline,
    labels_multiline,
    rfc1123z,
    tolerations_multiline,
)

Obj = dict[str, Any]


def _ports(ports: list[Obj], field: str) -> str:
    return ", ".join(f"{p.get(field) or 0}/{p.get('protocol') or 'TCP'}" for p in ports)


def describe_probe(probe: Obj) -> str:
    attrs = (f"delay={probe.get('initialDelaySeconds') or 0}s "
             f"timeout={probe.get('timeoutSeconds', 1)}s period={probe.get('periodSeconds', 10)}s "
             f"#success={probe.get('successThreshold', 1)} "
             f"#failure={probe.get('failureThreshold', 3)}")
    if probe.get("exec") is not None:
        return f"exec [{' '.join(probe['exec'].get('command') or [])}] {attrs}"
    if probe.get("httpGet") is not None:
        h = probe["httpGet"]
        scheme = str(h.get("scheme") or "HTTP").lower()
        return f"http-get {scheme}://{h.get('host') or ''}:{h.get('port')}{h.get('path') or ''} {attrs}"
    if probe.get("tcpSocket") is not None:
        t = probe["tcpSocket"]
        return f"tcp-socket {t.get('host') or ''}:{t.get('port')} {attrs}"
    if probe.get("grpc") is not None:
        return f"grpc <pod>:{probe['grpc'].get('port')} {probe['grpc'].get('service') or ''} {attrs}"
    return f"unknown {attrs}"


def _state(w: PrefixWriter, title: str, state: Obj) -> None:
    if state.get("running") is not None:
        w.write(2, f"{title}:\tRunning\n")
        w.write(3, f"Started:\t{rfc1123z(state['running'].get('startedAt'))}\n")
    elif state.get("terminated") is not None:
        t = state["terminated"]
        w.write(2, f"{title}:\tTerminated\n")
        if t.get("reason"):
            w.write(3, f"Reason:\t{t['reason']}\n")
        if t.get("message"):
            w.write(3, f"Message:\t{t['message']}\n")
        w.write(3, f"Exit Code:\t{t.get('exitCode', 0)}\n")
        if t.get("signal"):
            w.write(3, f"Signal:\t{t['signal']}\n")
        w.write(3, f"Started:\t{rfc1123z(t.get('startedAt'))}\n")
        w.write(3, f"Finished:\t{rfc1123z(t.get('finishedAt'))}\n")
    else:
        w.write(2, f"{title}:\tWaiting\n")
        reason = (state.get("waiting") or {}).get("reason")
        if reason:
            w.write(3, f"Reason:\t{reason}\n")


def _resources(w: PrefixWriter, resources: Obj) -> None:
    for title, key in (("Limits", "limits"), ("Requests", "requests")):
        values = resources.get(key) or {}
        if values:
            w.write(2, f"{title}:\n")
        for name in sorted(values):
            w.write(3, f"{name}:\t{values[name]}\n")


def _env(w: PrefixWriter, env: list[Obj]) -> None:
    w.write(2, "Environment:" + ("" if env else "\t<none>") + "\n")
    for e in env:
        source = e.get("valueFrom")
        if source is None:
            for i, line in enumerate(str(e.get("value") or "").split("\n")):
                w.write(3, f"{e.get('name')}:\t{line}\n" if i == 0 else f"\t{line}\n")
        elif source.get("fieldRef"):
            ref = source["fieldRef"]
            w.write(3, f"{e.get('name')}:\t ({ref.get('apiVersion', 'v1')}:"
                       f"{ref.get('fieldPath')})\n")
        else:
            kind, ref = next(iter(source.items()))
            w.write(3, f"{e.get('name')}:\t<set to the key '{ref.get('key')}' of "
                       f"{kind.removesuffix('KeyRef')} '{ref.get('name')}'>\n")


def _mounts(w: PrefixWriter, mounts: list[Obj]) -> None:
    w.write(2, "Mounts:" + ("" if mounts else "\t<none>") + "\n")
    for m in sorted(mounts, key=lambda m: m.get("mountPath", "")):
        flags = ["ro" if m.get("readOnly") else "rw"]
        if m.get("subPath"):
            flags.append(f'path="{m["subPath"]}"')
        w.write(3, f"{m.get('mountPath')} from {m.get('name')} ({','.join(flags)})\n")


def describe_containers(w: PrefixWriter, label: str, containers: list[Obj],
                        statuses: list[Obj] | None, space: str = "") -> None:
    by_name = {s.get("name"): s for s in statuses or []}
    w.write(0, f"{space}{label}:" + ("" if containers else "\t<none>") + "\n")
    for c in containers:
        status = by_name.get(c.get("name"))
        w.write(1, f"{' ' if space else ''}{c.get('name')}:\n")
        if status is not None:
            w.write(2, f"Container ID:\t{status.get('containerID') or ''}\n")
        w.write(2, f"Image:\t{c.get('image')}\n")
        if status is not None:
            w.write(2, f"Image ID:\t{status.get('imageID') or ''}\n")
        ports = c.get("ports") or []
        port, host_port = _ports(ports, "containerPort"), _ports(ports, "hostPort")
        w.write(2, f"{'Ports' if ',' in port else 'Port'}:\t{port or '<none>'}\n")
        w.write(2, f"{'Host Ports' if ',' in host_port else 'Host Port'}:\t"
                   f"{host_port or '<none>'}\n")
        for title, key in (("Command", "command"), ("Args", "args")):
            if c.get(key):
                w.write(2, f"{title}:\n")
                for arg in c[key]:
                    for line in str(arg).split("\n"):
                        w.write(3, f"{line}\n")
        if status is not None:
            _state(w, "State", status.get("state") or {})
            if (status.get("lastState") or {}).get("terminated") is not None:
                _state(w, "Last State", status["lastState"])
            w.write(2, f"Ready:\t{'True' if status.get('ready') else 'False'}\n")
            w.write(2, f"Restart Count:\t{status.get('restartCount', 0)}\n")
        _resources(w, c.get("resources") or {})
        for title, key in (("Liveness", "livenessProbe"), ("Readiness", "readinessProbe"),
                           ("Startup", "startupProbe")):
            if c.get(key):
                w.write(2, f"{title}:\t{describe_probe(c[key])}\n")
        _env(w, c.get("env") or [])
        _mounts(w, c.get("volumeMounts") or [])


def describe_volumes(w: PrefixWriter, volumes: list[Obj], space: str = "") -> None:
    if not volumes:
        w.write(0, f"{space}Volumes:\t<none>\n")
        return
    w.write(0, f"{space}Volumes:\n")
    for v in volumes:
        w.write(1, f"{' ' if space else ''}{v.get('name')}:\n")
        if v.get("hostPath") is not None:
            hp = v["hostPath"]
            w.write(2, "Type:\tHostPath (bare host directory volume)\n"
                       f"    Path:\t{hp.get('path')}\n"
                       f"    HostPathType:\t{'<none>' if hp.get('type') is None else hp['type']}\n")
        elif v.get("emptyDir") is not None:
            ed = v["emptyDir"]
            w.write(2, "Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n"
                       f"    Medium:\t{ed.get('medium') or ''}\n"
                       f"    SizeLimit:\t{ed.get('sizeLimit') or '<unset>'}\n")
        elif v.get("configMap") is not None:
            w.write(2, "Type:\tConfigMap (a volume populated by a ConfigMap)\n"
                       f"    Name:\t{v['configMap'].get('name')}\n"
                       f"    Optional:\t{str(bool(v['configMap'].get('optional'))).lower()}\n")
        elif v.get("secret") is not None:
            w.write(2, "Type:\tSecret (a volume populated by a Secret)\n"
                       f"    SecretName:\t{v['secret'].get('secretName')}\n"
                       f"    Optional:\t{str(bool(v['secret'].get('optional'))).lower()}\n")
        else:
            w.write(2, "<unknown>\n")


def describe_pod_template(w: PrefixWriter, template: Obj | None) -> None:
    w.write(0, "Pod Template:\n")
    if not template:
        w.write(1, "<unset>")
        return
    meta, spec = template.get("metadata") or {}, template.get("spec") or {}
    labels_multiline(w, "  Labels", meta.get("labels"))
    if meta.get("annotations"):
        annotations_multiline(w, "  Annotations", meta.get("annotations"))
    if spec.get("serviceAccountName"):
        w.write(1, f"Service Account:\t{spec['serviceAccountName']}\n")
    if spec.get("initContainers"):
        describe_containers(w, "Init Containers", spec["initContainers"], None, "  ")
    describe_containers(w, "Containers", spec.get("containers") or [], None, "  ")
    describe_volumes(w, spec.get("volumes") or [], "  ")
    labels_multiline(w, "  Node-Selectors", spec.get("nodeSelector"))
    tolerations_multiline(w, "  Tolerations", spec.get("tolerations"))
