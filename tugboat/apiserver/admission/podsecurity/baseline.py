"""The baseline level's checks (Pod Security Standards, "baseline"): nothing that breaks
out of the container by configuration alone — no host namespaces, privileged containers,
extra capabilities, hostPath volumes, host ports, unconfined AppArmor or seccomp, custom
SELinux types, unmasked /proc, unsafe sysctls or Windows host processes. Each check's
reason and detail read as Kubernetes' do, since users match on them."""

from __future__ import annotations

from tugboat.apiserver.admission.podsecurity.checks import (
    ALLOWED,
    Check,
    CheckFn,
    CheckResult,
    Obj,
    containers,
    containers_phrase,
    forbid,
    join_quote,
    pluralize,
    security_context,
    setters,
)
from tugboat.apiserver.admission.podsecurity.levels import Level

APPARMOR_ANNOTATION_PREFIX = "container.apparmor.security.beta.kubernetes.io/"
DEFAULT_CAPABILITIES = frozenset((
    "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
    "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"))
SELINUX_TYPES = frozenset(("", "container_t", "container_init_t", "container_kvm_t"))
SECCOMP_ALLOWED = ("RuntimeDefault", "Localhost")
# safe (namespaced, isolated) sysctls, by the policy version that first allowed them
SAFE_SYSCTLS = (
    (0, ("kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range",
         "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range",
         "net.ipv4.ip_unprivileged_port_start")),
    (27, ("net.ipv4.ip_local_reserved_ports",)),
    (29, ("net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout",
          "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes")),
    (32, ("net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem")),
)


def app_armor_profile(meta: Obj, spec: Obj) -> CheckResult:
    bad_values: set[str] = set()
    pod_profile = security_context(spec).get("appArmorProfile") or None
    pod_bad = pod_profile is not None and pod_profile.get("type") not in ("RuntimeDefault",
                                                                         "Localhost")
    if pod_bad:
        bad_values.add(str(pod_profile.get("type") or ""))
    bad: list[str] = []
    for c in containers(spec):
        profile = security_context(c).get("appArmorProfile")
        if profile is not None and profile.get("type") not in ("RuntimeDefault", "Localhost"):
            bad.append(c.get("name", ""))
            bad_values.add(str(profile.get("type") or ""))
    who = [setters(pod_bad, bad)] if pod_bad or bad else []
    annotations = sorted(f'{k}="{v}"' for k, v in (meta.get("annotations") or {}).items()
                         if k.startswith(APPARMOR_ANNOTATION_PREFIX)
                         and v and v != "runtime/default" and not v.startswith("localhost/"))
    values = sorted(bad_values) + annotations
    if annotations:
        who.append(pluralize("annotation", "annotations", len(annotations)))
    if not who:
        return ALLOWED
    return forbid(pluralize("forbidden AppArmor profile", "forbidden AppArmor profiles",
                            len(values)),
                  f"{' and '.join(who)} must not set AppArmor profile type to "
                  f"{join_quote(values)}")


def capabilities_baseline(meta: Obj, spec: Obj) -> CheckResult:
    bad: list[str] = []
    caps: set[str] = set()
    for c in containers(spec):
        added = [a for a in ((security_context(c).get("capabilities") or {}).get("add") or [])
                 if a not in DEFAULT_CAPABILITIES]
        if added:
            bad.append(c.get("name", ""))
            caps.update(added)
    if not bad:
        return ALLOWED
    return forbid("non-default capabilities",
                  f"{containers_phrase(bad)} must not include {join_quote(sorted(caps))} in "
                  f"securityContext.capabilities.add")


def host_namespaces(meta: Obj, spec: Obj) -> CheckResult:
    used = sorted(k for k in ("hostNetwork", "hostPID", "hostIPC") if spec.get(k))
    return forbid("host namespaces", ", ".join(used)) if used else ALLOWED


def host_path_volumes(meta: Obj, spec: Obj) -> CheckResult:
    names = [v.get("name", "") for v in spec.get("volumes") or [] if v.get("hostPath")
             is not None]
    if not names:
        return ALLOWED
    return forbid("hostPath volumes",
                  f'{pluralize("volume", "volumes", len(names))} {join_quote(names)}')


def host_ports(meta: Obj, spec: Obj) -> CheckResult:
    bad: list[str] = []
    ports: set[str] = set()
    for c in containers(spec):
        used = [str(p["hostPort"]) for p in c.get("ports") or [] if p.get("hostPort")]
        if used:
            bad.append(c.get("name", ""))
            ports.update(used)
    if not bad:
        return ALLOWED
    return forbid("hostPort",
                  f'{containers_phrase(bad)} {pluralize("uses", "use", len(bad))} '
                  f'{pluralize("hostPort", "hostPorts", len(ports))} '
                  f'{", ".join(sorted(ports))}')


def privileged(meta: Obj, spec: Obj) -> CheckResult:
    bad = [c.get("name", "") for c in containers(spec) if security_context(c).get("privileged")]
    if not bad:
        return ALLOWED
    return forbid("privileged",
                  f"{containers_phrase(bad)} must not set securityContext.privileged=true")


def proc_mount(meta: Obj, spec: Obj) -> CheckResult:
    bad: list[str] = []
    kinds: set[str] = set()
    for c in containers(spec):
        kind = security_context(c).get("procMount")
        if kind is not None and kind != "Default":
            bad.append(c.get("name", ""))
            kinds.add(kind)
    if not bad:
        return ALLOWED
    return forbid("procMount", f"{containers_phrase(bad)} must not set "
                               f"securityContext.procMount to {join_quote(sorted(kinds))}")


def se_linux_options(meta: Obj, spec: Obj) -> CheckResult:
    bad_types: set[str] = set()
    set_user = set_role = False

    def valid(opts: Obj) -> bool:
        nonlocal set_user, set_role
        ok = True
        if (opts.get("type") or "") not in SELINUX_TYPES:
            ok = False
            bad_types.add(opts.get("type") or "")
        if opts.get("user"):
            ok, set_user = False, True
        if opts.get("role"):
            ok, set_role = False, True
        return ok

    pod_opts = security_context(spec).get("seLinuxOptions")
    pod_bad = pod_opts is not None and not valid(pod_opts)
    bad = [c.get("name", "") for c in containers(spec)
           if security_context(c).get("seLinuxOptions") is not None
           and not valid(security_context(c)["seLinuxOptions"])]
    if not (pod_bad or bad):
        return ALLOWED
    data: list[str] = []
    # as Kubernetes: user and role are named only alongside a bad type
    if bad_types:
        types = sorted(bad_types)
        data.append(f'{pluralize("type", "types", len(types))} {join_quote(types)}')
        if set_user:
            data.append("user may not be set")
        if set_role:
            data.append("role may not be set")
    return forbid("seLinuxOptions", f"{setters(pod_bad, bad)} set forbidden "
                                    f"securityContext.seLinuxOptions: {'; '.join(data)}")


def seccomp_profile_baseline(meta: Obj, spec: Obj) -> CheckResult:
    bad_values: set[str] = set()
    pod_profile = security_context(spec).get("seccompProfile")
    pod_bad = pod_profile is not None and pod_profile.get("type") not in SECCOMP_ALLOWED
    if pod_bad:
        bad_values.add(str(pod_profile.get("type") or ""))
    bad: list[str] = []
    for c in containers(spec):
        profile = security_context(c).get("seccompProfile")
        if profile is not None and profile.get("type") not in SECCOMP_ALLOWED:
            bad.append(c.get("name", ""))
            bad_values.add(str(profile.get("type") or ""))
    if not (pod_bad or bad):
        return ALLOWED
    return forbid("seccompProfile", f"{setters(pod_bad, bad)} must not set "
                                    f"securityContext.seccompProfile.type to "
                                    f"{join_quote(sorted(bad_values))}")


def sysctls_since(minor: int) -> CheckFn:
    """The sysctls check of policy v1.<minor>: each version allowed a few more safe ones."""
    allowed = frozenset(name for since, names in SAFE_SYSCTLS if minor >= since
                        for name in names)

    def sysctls(meta: Obj, spec: Obj) -> CheckResult:
        bad = [s.get("name", "") for s in security_context(spec).get("sysctls") or []
               if s.get("name") not in allowed]
        return forbid("forbidden sysctls", ", ".join(bad)) if bad else ALLOWED
    return sysctls


def windows_host_process(meta: Obj, spec: Obj) -> CheckResult:
    def host_process(sc: Obj) -> bool:
        return bool((sc.get("windowsOptions") or {}).get("hostProcess"))

    pod_bad = host_process(security_context(spec))
    bad = [c.get("name", "") for c in containers(spec) if host_process(security_context(c))]
    if not (pod_bad or bad):
        return ALLOWED
    return forbid("hostProcess", f"{setters(pod_bad, bad)} must not set "
                                 f"securityContext.windowsOptions.hostProcess=true")


B = Level.BASELINE
CHECKS: tuple[Check, ...] = (
    Check("appArmorProfile", B, app_armor_profile),
    Check("capabilities_baseline", B, capabilities_baseline),
    Check("hostNamespaces", B, host_namespaces),
    Check("hostPathVolumes", B, host_path_volumes),
    Check("hostPorts", B, host_ports),
    Check("privileged", B, privileged),
    Check("procMount", B, proc_mount),
    Check("seLinuxOptions", B, se_linux_options),
    Check("seccompProfile_baseline", B, seccomp_profile_baseline, min_minor=19),
    *(Check("sysctls", B, sysctls_since(since), min_minor=since) for since, _ in SAFE_SYSCTLS),
    Check("windowsHostProcess", B, windows_host_process),
)
