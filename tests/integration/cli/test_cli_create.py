"""`tug create`: files, and kubectl's generators against a real API server — the objects
created, the lines printed, the refusals, and `--dry-run=client -o yaml` manifests that
match real kubectl's for the generators kubectl needs a server for (role, job)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import httpx
import yaml

from tests.integration.cli.conftest import Tug

KUBECTL = "/usr/bin/kubectl"


def get(api: httpx.Client, path: str) -> dict:
    r = api.get(path, headers={"Accept": "application/json"})
    assert r.status_code == 200, r.text
    return r.json()


def kubectl_json(tug: Tug, *args: str) -> dict:
    cut = args.index("--") if "--" in args else len(args)
    argv = [KUBECTL, "-s", tug.server, "-n", tug.namespace, "create", *args[:cut],
            "--dry-run=client", "-o", "json", *args[cut:]]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60,
                          env={"HOME": str(tug.home), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_create_from_file_and_namespace(tug: Tug, api: httpx.Client, tmp_path: Path) -> None:
    manifest = tmp_path / "cm.yaml"
    manifest.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-file}\n"
                        "data: {a: '1'}\n")
    assert tug.ok("create", "-f", str(manifest)) == "configmap/from-file created\n"
    r = tug("create", "-f", str(manifest))
    assert r.code == 1
    assert r.err == ('Error from server (AlreadyExists): error when creating '
                     f'"{manifest}": configmaps "from-file" already exists\n')
    name = f"{tug.namespace}-x"
    assert tug.ok("create", "namespace", name) == f"namespace/{name} created\n"
    assert api.get(f"/api/v1/namespaces/{name}").status_code == 200
    r = tug("create", "ns", name)
    assert (r.code, r.err) == (1, f'Error from server (AlreadyExists): namespaces "{name}" '
                                  f"already exists\n")
    assert tug("create").err == "error: must specify one of -f and -k\n"


def test_create_deployment(tug: Tug, api: httpx.Client) -> None:
    out = tug.ok("create", "deployment", "web", "--image=busybox:1.36", "--replicas=2",
                 "--port=8080", "--", "sleep", "3600")
    assert out == "deployment.apps/web created\n"
    d = get(api, f"/apis/apps/v1/namespaces/{tug.namespace}/deployments/web")
    assert d["metadata"]["labels"] == {"app": "web"}
    assert d["spec"]["replicas"] == 2
    assert d["spec"]["selector"] == {"matchLabels": {"app": "web"}}
    [c] = d["spec"]["template"]["spec"]["containers"]
    assert (c["name"], c["image"], c["command"], c["ports"]) == (
        "busybox", "busybox:1.36", ["sleep", "3600"], [{"containerPort": 8080,
                                                        "protocol": "TCP"}])
    r = tug("create", "deploy", "web", "--image=busybox")
    assert (r.code, r.err) == (1, 'error: failed to create deployment: deployments.apps "web" '
                                  "already exists\n")
    assert tug("create", "deployment", "x").err == 'error: required flag(s) "image" not set\n'


def test_dry_run_prints_the_manifest(tug: Tug, api: httpx.Client) -> None:
    out = tug.ok("create", "deployment", "web", "--image=nginx:1.27", "--dry-run=client",
                 "-o", "yaml")
    ours = yaml.safe_load(out)
    assert ours == kubectl_json(tug, "deployment", "web", "--image=nginx:1.27")
    assert ours["metadata"]["namespace"] == tug.namespace
    assert api.get(f"/apis/apps/v1/namespaces/{tug.namespace}/deployments/web").status_code == 404
    out = tug.ok("create", "configmap", "cm", "--from-literal=a=b", "--dry-run=server")
    assert out == "configmap/cm created (server dry run)\n"
    assert api.get(f"/api/v1/namespaces/{tug.namespace}/configmaps/cm").status_code == 404


def test_job_and_role_match_kubectl(tug: Tug) -> None:
    for args in (("job", "once", "--image=busybox:1.36", "--", "echo", "hi"),
                 ("role", "reader", "--verb=get,list", "--verb=watch",
                  "--resource=pods,deployments.apps,pods/log,rs/scale",
                  "--resource-name=a"),
                 ("clusterrole", "nodes", "--verb=get", "--resource=nodes",
                  "--non-resource-url=/healthz")):
        cut = args.index("--") if "--" in args else len(args)
        argv = [*args[:cut], "--dry-run=client", "-o", "json", *args[cut:]]
        assert json.loads(tug.ok("create", *argv)) == kubectl_json(tug, *args), args
    r = tug("create", "job", "nightly", "--from=cronjob/backup")
    assert (r.code, r.err) == (1, 'Error from server (NotFound): cronjobs.batch "backup" not '
                                  "found\n")
    # a served type that is not a CronJob: read, then refused by its Go type
    r = tug("create", "job", "nightly", "--from=deployment/ghost")
    assert (r.code, r.err) == (1, 'Error from server (NotFound): deployments.apps "ghost" not '
                                  "found\n")
    tug.ok("create", "deployment", "web", "--image=busybox:1.35")
    r = tug("create", "job", "nightly", "--from=deployment/web")
    assert (r.code, r.err) == (1, "error: unknown object type *v1.Deployment\n")
    r = tug("create", "role", "r", "--verb=fly", "--resource=pods", "--dry-run=client")
    assert r.err == "Warning: 'fly' is not a standard resource verb\n"


def test_create_config_and_secrets(tug: Tug, api: httpx.Client, tmp_path: Path) -> None:
    (tmp_path / "app.conf").write_text("mode: fast\n")
    assert tug.ok("create", "configmap", "settings", "--from-literal=level=3",
                  f"--from-file={tmp_path / 'app.conf'}") == "configmap/settings created\n"
    cm = get(api, f"/api/v1/namespaces/{tug.namespace}/configmaps/settings")
    assert cm["data"] == {"app.conf": "mode: fast\n", "level": "3"}
    assert tug.ok("create", "secret", "generic", "pw", "--from-literal=password=s3cret"
                  ) == "secret/pw created\n"
    s = get(api, f"/api/v1/namespaces/{tug.namespace}/secrets/pw")
    assert (s["type"], s["data"]) == ("Opaque", {"password": "czNjcmV0"})
    assert tug.ok("create", "secret", "docker-registry", "reg", "--docker-username=me",
                  "--docker-password=pw") == "secret/reg created\n"
    r = tug("create", "secret", "generic", "pw")
    assert (r.code, r.err) == (1, 'error: failed to create secret secrets "pw" already '
                                  "exists\n")


def test_create_services_and_rbac(tug: Tug, api: httpx.Client) -> None:
    ns = tug.namespace
    assert tug.ok("create", "service", "clusterip", "web", "--tcp=80:8080") == \
        "service/web created\n"
    svc = get(api, f"/api/v1/namespaces/{ns}/services/web")
    assert svc["spec"]["ports"][0] == {"name": "80-8080", "protocol": "TCP", "port": 80,
                                       "targetPort": 8080}
    assert svc["spec"]["selector"] == {"app": "web"}
    assert tug.ok("create", "svc", "nodeport", "np", "--tcp=80") == "service/np created\n"
    assert tug.ok("create", "service", "externalname", "db", "--external-name=db.example.com"
                  ) == "service/db created\n"
    r = tug("create", "service", "clusterip", "web", "--tcp=80")
    assert r.err == 'error: failed to create ClusterIP service: services "web" already exists\n'
    assert tug.ok("create", "serviceaccount", "robot") == "serviceaccount/robot created\n"
    assert tug.ok("create", "role", "reader", "--verb=get", "--resource=pods") == \
        "role.rbac.authorization.k8s.io/reader created\n"
    assert tug.ok("create", "rolebinding", "rb", "--role=reader",
                  f"--serviceaccount={ns}:robot") == \
        "rolebinding.rbac.authorization.k8s.io/rb created\n"
    rb = get(api, f"/apis/rbac.authorization.k8s.io/v1/namespaces/{ns}/rolebindings/rb")
    assert rb["subjects"] == [{"kind": "ServiceAccount", "name": "robot", "namespace": ns}]
    assert tug.ok("create", "clusterrole", f"{ns}-view", "--verb=get", "--resource=nodes") == \
        f"clusterrole.rbac.authorization.k8s.io/{ns}-view created\n"
    assert tug.ok("create", "clusterrolebinding", f"{ns}-view", f"--clusterrole={ns}-view",
                  "--user=ann", "-o", "name") == \
        f"clusterrolebinding.rbac.authorization.k8s.io/{ns}-view\n"
    r = tug("create", "rolebinding", "bad", "--role=reader", "--serviceaccount=robot")
    assert (r.code, r.err) == (1, "error: serviceaccount must be <namespace>:<name>\n")
    # a RESTMapper miss: kubectl prints it without "error: "
    r = tug("create", "role", "bad", "--verb=get", "--resource=widgets")
    assert (r.code, r.err) == (1, 'the server doesn\'t have a resource type "widgets"\n')


def test_kubectl_reads_what_tug_created(tug: Tug) -> None:
    """A generated object is a normal object: kubectl gets it back."""
    tug.ok("create", "deployment", "web", "--image=busybox:1.36")
    done = subprocess.run([KUBECTL, "-s", tug.server, "-n", tug.namespace, "get",
                           "deployment", "web", "-o", "jsonpath={.spec.template.spec."
                           "containers[0].name}"], capture_output=True, text=True,
                          timeout=60, env={"HOME": str(tug.home), "PATH": "/usr/bin:/bin"})
    assert (done.returncode, done.stdout) == (0, "busybox")


def test_save_config(tug: Tug, api: httpx.Client) -> None:
    """--save-config records the generated object as the last applied configuration."""
    tug.ok("create", "configmap", "cm", "--from-literal=a=b", "--save-config")
    cm = get(api, f"/api/v1/namespaces/{tug.namespace}/configmaps/cm")
    recorded = json.loads(cm["metadata"]["annotations"][
        "kubectl.kubernetes.io/last-applied-configuration"])
    assert recorded["data"] == {"a": "b"}
    assert recorded["metadata"]["name"] == "cm"
