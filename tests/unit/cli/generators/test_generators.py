"""The generators against real kubectl: for the same flags, `tug`'s pure functions build
the object `kubectl create ... --dry-run=client -o json` prints (kubectl needs no server
for these; role and job, which do, are compared in tests/integration/cli)."""

from __future__ import annotations

import base64
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tugboat.cli.generators import GeneratorError, configdata, rbac, services, workloads

KUBECTL = "/usr/bin/kubectl"


def kubectl(tmp_path: Path, *args: str) -> dict[str, Any]:
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    cut = args.index("--") if "--" in args else len(args)  # the flags go before a command
    argv = [KUBECTL, "create", *args[:cut], "--dry-run=client", "-o", "json", *args[cut:]]
    done = subprocess.run(argv,
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "env.txt").write_text("# settings\nA=1\n  B=two=2\n\nC=\n")
    folder = tmp_path / "conf"
    folder.mkdir()
    (folder / "app.conf").write_text("mode: fast\n")
    (folder / "blob.bin").write_bytes(b"\xff\x00\xfe")
    (folder / "sub").mkdir()  # folders inside are skipped
    return tmp_path


def test_namespace_and_service_account(tmp_path: Path) -> None:
    assert workloads.namespace("dev") == kubectl(tmp_path, "namespace", "dev")
    assert workloads.service_account("robot") == kubectl(tmp_path, "serviceaccount", "robot")


def test_deployment(tmp_path: Path) -> None:
    ours = workloads.deployment("web", ["busybox", "nginx:1.27"], replicas=3, port=8080)
    theirs = kubectl(tmp_path, "deployment", "web", "--image=busybox", "--image=nginx:1.27",
                     "--replicas=3", "--port=8080")
    assert ours == theirs
    ours = workloads.deployment("w", ["busybox:1.36"], command=["sleep", "10"])
    assert ours == kubectl(tmp_path, "deployment", "w", "--image=busybox:1.36", "--", "sleep",
                           "10")


def test_container_name_from_image(tmp_path: Path) -> None:
    image = "registry.local:5000/team/my_app.v2@sha256:abc"
    theirs = kubectl(tmp_path, "deployment", "x", f"--image={image}")
    ours = workloads.deployment("x", [image])
    pattern = re.compile(r"^my-app-v2-[bcdfghjklmnpqrstvwxz2456789]{5}$")
    for obj in (ours, theirs):
        name = obj["spec"]["template"]["spec"]["containers"][0].pop("name")
        assert pattern.match(name), name
    assert ours == theirs
    assert workloads.container_name("quay.io/org/nginx:1.27") == "nginx"


def test_deployment_refusals() -> None:
    with pytest.raises(GeneratorError, match='required flag\\(s\\) "image" not set'):
        workloads.deployment("web", [])
    with pytest.raises(GeneratorError, match="cannot specify multiple --image options and "
                                             "command"):
        workloads.deployment("web", ["a", "b"], command=["sleep"])


def test_job_refusals() -> None:
    with pytest.raises(GeneratorError, match="either --image or --from must be specified"):
        workloads.job("j", None)
    with pytest.raises(GeneratorError, match="mutually exclusive"):
        workloads.job("j", "busybox", from_="cronjob/nightly")
    with pytest.raises(GeneratorError, match='doesn\'t have a resource type "cronjob"'):
        workloads.job("j", None, from_="cronjob/nightly")  # no source: a server without it


def test_cron_job(tmp_path: Path) -> None:
    assert workloads.cron_job("tick", "busybox:1.36", "*/5 * * * *", command=["date", "-u"]) \
        == kubectl(tmp_path, "cronjob", "tick", "--image=busybox:1.36",
                   "--schedule=*/5 * * * *", "--", "date", "-u")
    assert workloads.cron_job("tick", "b", "@hourly", "Never") == kubectl(
        tmp_path, "cronjob", "tick", "--image=b", "--schedule=@hourly", "--restart=Never")
    with pytest.raises(GeneratorError, match='required flag\\(s\\) "schedule" not set'):
        workloads.cron_job("tick", "b", None)


def test_config_map(files: Path) -> None:
    sources = configdata.Sources(literals=["x=1", "y=a=b"],
                                 files=[str(files / "conf"), f"renamed={files / 'env.txt'}"],
                                 env_files=[str(files / "env.txt")])
    ours = configdata.config_map("settings", sources)
    theirs = kubectl(files, "configmap", "settings", "--from-literal=x=1", "--from-literal=y=a=b",
                     "--from-file=conf", "--from-file=renamed=env.txt")
    env_only = kubectl(files, "configmap", "settings", "--from-env-file=env.txt")
    theirs["data"].update(env_only["data"])
    assert ours == theirs
    assert base64.b64decode(ours["binaryData"]["blob.bin"]) == b"\xff\x00\xfe"


def test_config_map_refusals(files: Path) -> None:
    with pytest.raises(GeneratorError, match='cannot add key "a", another key by that name '
                                             'already exists in Data for ConfigMap "c"'):
        configdata.config_map("c", configdata.Sources(literals=["a=1", "a=2"]))
    with pytest.raises(GeneratorError, match="invalid literal source a, expected key=value"):
        configdata.config_map("c", configdata.Sources(literals=["a"]))
    with pytest.raises(GeneratorError, match="error reading /nope"):
        configdata.config_map("c", configdata.Sources(files=["/nope"]))


def test_generic_secret(files: Path) -> None:
    sources = configdata.Sources(literals=["password=s3cr=t"],
                                 files=[f"conf={files / 'conf' / 'app.conf'}"])
    ours = configdata.generic_secret("creds", sources, "Opaque")
    theirs = kubectl(files, "secret", "generic", "creds", "--from-literal=password=s3cr=t",
                     "--from-file=conf=conf/app.conf", "--type=Opaque")
    assert ours == theirs


def test_docker_registry_secret(tmp_path: Path) -> None:
    ours = configdata.docker_registry_secret("reg", "registry.local:5000", "me", "pw",
                                             "me@example.com")
    theirs = kubectl(tmp_path, "secret", "docker-registry", "reg",
                     "--docker-server=registry.local:5000", "--docker-username=me",
                     "--docker-password=pw", "--docker-email=me@example.com")
    assert ours == theirs
    no_email = configdata.docker_registry_secret("reg", configdata.DOCKER_HUB, "me", "pw")
    assert no_email == kubectl(tmp_path, "secret", "docker-registry", "reg",
                               "--docker-username=me", "--docker-password=pw")
    with pytest.raises(GeneratorError, match="either --from-file or the combination"):
        configdata.docker_registry_secret("reg", configdata.DOCKER_HUB, "me", "")


def _key_pair(tmp_path: Path, name: str) -> tuple[str, str]:
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=example.com", "-keyout", str(tmp_path / f"{name}.key"),
                    "-out", str(tmp_path / f"{name}.crt")], check=True, capture_output=True)
    return str(tmp_path / f"{name}.crt"), str(tmp_path / f"{name}.key")


def test_tls_secret(tmp_path: Path) -> None:
    cert, key = _key_pair(tmp_path, "a")
    ours = configdata.tls_secret("tls", cert, key)
    assert ours == kubectl(tmp_path, "secret", "tls", "tls", f"--cert={cert}", f"--key={key}")
    _, other_key = _key_pair(tmp_path, "b")
    with pytest.raises(GeneratorError, match="private key does not match public key"):
        configdata.tls_secret("tls", cert, other_key)


@pytest.mark.parametrize("args, build", [
    (["clusterip", "web", "--tcp=80:8080,443"],
     lambda: services.service("web", "ClusterIP", ["80:8080", "443"])),
    (["clusterip", "headless", "--clusterip=None"],
     lambda: services.service("headless", "ClusterIP", [], cluster_ip="None")),
    (["clusterip", "named", "--tcp=80:http"],
     lambda: services.service("named", "ClusterIP", ["80:http"])),
    (["nodeport", "np", "--tcp=80:8080", "--node-port=30080"],
     lambda: services.service("np", "NodePort", ["80:8080"], node_port=30080)),
    (["loadbalancer", "lb", "--tcp=80"],
     lambda: services.service("lb", "LoadBalancer", ["80"])),
    (["externalname", "db", "--external-name=db.example.com"],
     lambda: services.service("db", "ExternalName", [], external_name="db.example.com")),
])
def test_services(tmp_path: Path, args: list[str], build: Any) -> None:
    assert build() == kubectl(tmp_path, "service", *args)


def test_service_refusals() -> None:
    with pytest.raises(GeneratorError, match="at least one tcp port specifier"):
        services.service("web", "ClusterIP", [])
    with pytest.raises(GeneratorError, match="invalid service external name"):
        services.service("web", "ExternalName", [], external_name="Not_A_Name")


def test_cluster_role_and_bindings(tmp_path: Path) -> None:
    ours = rbac.cluster_role("logs", ["get"], [], [], ["/logs/*", "/healthz"])
    assert ours == kubectl(tmp_path, "clusterrole", "logs", "--verb=get",
                           "--non-resource-url=/logs/*,/healthz")
    ours = rbac.cluster_role("agg", [], [], [], [], "team=a,tier=b")
    assert ours == kubectl(tmp_path, "clusterrole", "agg", "--aggregation-rule=team=a,tier=b")
    ours = rbac.role_binding("rb", "reader", "", ["ann", "bob"], ["devs"], ["ns1:robot"])
    assert ours == kubectl(tmp_path, "rolebinding", "rb", "--role=reader", "--user=ann",
                           "--user=bob", "--group=devs", "--serviceaccount=ns1:robot")
    ours = rbac.cluster_role_binding("crb", "view", [], [], ["kube-system:default"])
    assert ours == kubectl(tmp_path, "clusterrolebinding", "crb", "--clusterrole=view",
                           "--serviceaccount=kube-system:default")


def test_rbac_refusals() -> None:
    with pytest.raises(GeneratorError, match="exactly one of clusterrole or role"):
        rbac.role_binding("rb", "a", "b", [], [], [])
    with pytest.raises(GeneratorError, match="serviceaccount must be <namespace>:<name>"):
        rbac.subjects([], [], ["robot"])
    with pytest.raises(GeneratorError, match="at least one verb must be specified"):
        rbac.role("r", [], ["pods"], [])
    with pytest.raises(GeneratorError, match='doesn\'t have a resource type "widgets"'):
        rbac.role("r", ["get"], ["widgets"], [])
    assert rbac.nonstandard_verbs(["get", "fly"], []) == ["fly"]


def test_service_port_refusals() -> None:
    with pytest.raises(GeneratorError, match='parsing "abc": invalid syntax'):
        services.service("web", "ClusterIP", ["abc"])
    with pytest.raises(GeneratorError, match='parsing "70000": value out of range'):
        services.service("web", "ClusterIP", ["70000"])
    with pytest.raises(GeneratorError, match="must be between 1 and 65535, inclusive"):
        services.service("web", "ClusterIP", ["80:0"])


def test_append_hash(files: Path) -> None:
    """--append-hash: the same suffix as kubectl's, for config maps and secrets."""
    literals = ["html=<b>&amp;</b>", "n=1"]
    sources = configdata.Sources(literals=literals, files=[str(files / "conf")])
    ours = configdata.with_hash(configdata.config_map("web", sources))
    theirs = kubectl(files, "configmap", "web", *(f"--from-literal={x}" for x in literals),
                     "--from-file=conf", "--append-hash")
    assert ours["metadata"]["name"] == theirs["metadata"]["name"]
    ours = configdata.with_hash(configdata.generic_secret("pw", sources))
    theirs = kubectl(files, "secret", "generic", "pw", *(f"--from-literal={x}" for x in literals),
                     "--from-file=conf", "--append-hash")
    assert ours["metadata"]["name"] == theirs["metadata"]["name"]


def test_tls_secret_missing_file() -> None:
    with pytest.raises(GeneratorError) as e:
        configdata.tls_secret("tls", "/nonexistent/tls.crt", "/nonexistent/tls.key")
    assert str(e.value) == ("Cannot read file /nonexistent/tls.crt, open /nonexistent/tls.crt: "
                            "no such file or directory")
