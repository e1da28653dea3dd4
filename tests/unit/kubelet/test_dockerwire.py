"""Docker API JSON in and out: create arguments (labels on everything, restart policy "no",
ports on the sandbox, namespaces joined), inspect parsing, the attach stream, stats."""

from __future__ import annotations

from tugboat.kubelet.runtime import (
    SECCOMP_RUNTIME_DEFAULT,
    ContainerConfig,
    Mount,
    PodRef,
    PortMapping,
    SandboxConfig,
    SecurityConfig,
    State,
    dockerwire,
    labels,
)

REF = PodRef("uid-1", "web", "default", "node-a")


def test_sandbox_create_owns_ports_and_carries_labels() -> None:
    args = dockerwire.sandbox_create(SandboxConfig(REF, 2, "web", [
        PortMapping(80, 8080), PortMapping(9090)]), "tugboat/pause:3.9")
    assert args["image"] == "tugboat/pause:3.9"
    assert args["labels"][labels.CONTAINER_NAME] == "POD"
    assert args["labels"][labels.CONTAINER_ATTEMPT] == "2"
    assert args["labels"][labels.NODE] == "node-a"
    assert args["ports"] == [(80, "tcp")]
    host = args["host_config"]
    assert host["network_mode"] == "bridge" and host["restart_policy"] == {"Name": "no"}
    assert host["port_bindings"] == {"80/tcp": [("0.0.0.0", 8080)]}


def test_container_create_joins_the_sandbox() -> None:
    config = ContainerConfig(REF, "app", 1, "busybox:1.35", entrypoint=["sleep"], cmd=["9"],
                             env={"A": "1"}, working_dir="/w",
                             mounts=[Mount("/h", "/c", True)], cpu_limit_millis=500,
                             cpu_request_millis=100, memory_limit_bytes=1 << 20)
    args = dockerwire.container_create(config, "sandbox-id")
    assert (args["entrypoint"], args["command"]) == (["sleep"], ["9"])
    assert args["environment"] == ["A=1"] and args["working_dir"] == "/w"
    assert set(args["labels"]) == {labels.POD_UID, labels.POD_NAME, labels.POD_NAMESPACE,
                                   labels.CONTAINER_NAME, labels.CONTAINER_ATTEMPT,
                                   labels.NODE, labels.POD_SOURCE}
    host = args["host_config"]
    assert host["network_mode"] == "container:sandbox-id"
    assert host["ipc_mode"] == "container:sandbox-id"
    assert host["restart_policy"] == {"Name": "no"}
    assert host["binds"] == ["/h:/c:ro"]
    assert (host["nano_cpus"], host["cpu_shares"], host["mem_limit"]) == \
        (500_000_000, 102, 1 << 20)
    assert args["name"] == "tug_app_web_default_uid-1_1"


def _inspect(status: str, **state: object) -> dict:
    return {"Id": "abc", "Image": "sha256:img", "Created": "2025-01-01T00:00:00.5Z",
            "Config": {"Image": "busybox:1.35",
                       "Labels": labels.container_labels(REF, "app", 3)},
            "State": {"Status": status, "StartedAt": "2025-01-01T00:00:01.25Z",
                      "FinishedAt": "0001-01-01T00:00:00Z", **state},
            "NetworkSettings": {"IPAddress": "", "Networks": {"bridge": {
                "IPAddress": "172.17.0.5"}}}}


def test_from_inspect() -> None:
    rc = dockerwire.from_inspect(_inspect("running"))
    assert rc is not None
    assert (rc.name, rc.attempt, rc.state, rc.ip) == ("app", 3, State.RUNNING, "172.17.0.5")
    assert rc.image_id == "docker://sha256:img" and rc.started_at == 1735689601.25
    done = dockerwire.from_inspect(_inspect("exited", ExitCode=2, OOMKilled=True,
                                            FinishedAt="2025-01-01T00:00:03Z"))
    assert done is not None and (done.exit_code, done.oom_killed) == (2, True)
    never = dockerwire.from_inspect(_inspect("created", Error="exec: no such file"))
    assert never is not None and never.state == State.EXITED and never.exit_code == 128
    assert dockerwire.from_inspect({"Id": "x", "Config": {"Labels": {}}}) is None


def test_demux_keeps_partial_frames() -> None:
    buf = bytearray(b"\x01\x00\x00\x00\x00\x00\x00\x02hi\x02\x00\x00\x00\x00\x00\x00\x03er")
    assert dockerwire.demux(buf) == [(1, b"hi")]
    buf += b"r"
    assert dockerwire.demux(buf) == [(2, b"err")] and not buf


def test_stats() -> None:
    raw = {"read": "2025-01-01T00:00:02Z", "preread": "2025-01-01T00:00:01Z",
           "cpu_stats": {"cpu_usage": {"total_usage": 3_000_000_000}},
           "precpu_stats": {"cpu_usage": {"total_usage": 2_500_000_000}},
           "memory_stats": {"usage": 10_000, "stats": {"total_inactive_file": 4_000}}}
    s = dockerwire.stats_from("abc", raw, 0)
    assert s.cpu_usage_nanocores == 500_000_000 and s.memory_working_set_bytes == 6_000


def test_event() -> None:
    ev = dockerwire.event_from({"Action": "die", "Actor": {"ID": "abc", "Attributes": {
        labels.POD_UID: "uid-1"}}})
    assert ev is not None and (ev.pod_uid, ev.action) == ("uid-1", "die")


def test_seccomp_and_privileges_reach_docker() -> None:
    sandbox = dockerwire.sandbox_create(SandboxConfig(REF, 0, "web"), "tugboat/pause:3.9")
    assert sandbox["host_config"]["security_opt"] == ["seccomp=unconfined"]
    security = SecurityConfig(seccomp=SECCOMP_RUNTIME_DEFAULT, user="1000:3000",
                              group_add=(2000,), read_only_rootfs=True, cap_drop=("ALL",),
                              no_new_privileges=True)
    args = dockerwire.container_create(
        ContainerConfig(REF, "app", 0, "busybox:1.35", security=security), "sandbox-id")
    host = args["host_config"]
    assert args["user"] == "1000:3000"
    assert host["security_opt"] == ["no-new-privileges"]  # Docker's profile is its default
    assert (host["read_only"], host["cap_drop"], host["group_add"]) == (True, ["ALL"], ["2000"])
    profile = '{"defaultAction": "SCMP_ACT_ALLOW"}'
    assert dockerwire.security_options(SecurityConfig(seccomp=profile)) == \
        [f"seccomp={profile}"]
