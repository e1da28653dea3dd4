"""`tug debug`: kubectl debug — a throwaway container to look inside a running workload.

Three ways, as kubectl's: an ephemeral container added to the running pod (a strategic
merge patch on `pods/{name}/ephemeralcontainers`; `--target` joins a container's process
namespace), a copy of the pod with a debug container or other images (`--copy-to`,
`--set-image`, `--share-processes`), or a pod on a node in its host namespaces with the
node's filesystem at /host (`node/NAME`). With `-i` tug waits for the container to run
and attaches to it (as `tug exec` streams, over `pods/{name}/attach`); a container that
has already ended has its logs printed instead. The "general" profile is kubectl's
default; "legacy" changes nothing beyond what the flags say.
"""

from __future__ import annotations

import copy
import secrets
import sys
from typing import Any

import typer

from tugboat.api.resources import lookup
from tugboat.cli.commands.exec import exec_request, stream
from tugboat.cli.errors import CliError
from tugboat.cli.options import CONTEXT, FOREVER, examples, session_of
from tugboat.cli.session import Session
from tugboat.cli.waiting import watch_until
from tugboat.client import ApiError

Obj = dict[str, Any]
PODS = lookup("", "v1", "pods")
PROFILES = ("general", "legacy")
PULL_POLICIES = ("", "Always", "IfNotPresent", "Never")
EXAMPLES = examples("""
    # Create an interactive debugging session in pod mypod and immediately attach to it.
    tug debug mypod -it --image=busybox:1.35

    # Create a debug container named debugger using a custom automated debugging image.
    tug debug --image=myproj/debug-tools -c debugger mypod

    # Create a debug container that shares the process namespace of the container "main"
    tug debug mypod -it --image=busybox:1.35 --target=main

    # Create a copy of mypod adding a debug container and attach to it
    tug debug mypod -it --image=busybox:1.35 --copy-to=my-debugger

    # Create a copy of mypod changing all container images to busybox
    tug debug mypod --copy-to=my-debugger --set-image=*=busybox:1.35

    # Create an interactive debugging session on a node and immediately attach to it.
    # The container will run in the host namespaces and the host's filesystem will be
    # mounted at /host
    tug debug node/mynode -it --image=busybox:1.35
""")


def _suffix() -> str:
    # utilrand.String(5): lowercase consonants and digits.
    alphabet = "bcdfghjklmnpqrstvwxz2456789"
    return "".join(secrets.choice(alphabet) for _ in range(5))


def _all_containers(pod: Obj) -> list[Obj]:
    spec = pod.get("spec") or {}
    return ((spec.get("containers") or []) + (spec.get("initContainers") or []) +
            (spec.get("ephemeralContainers") or []))


class Debugger:
    """One `tug debug` run's choices, checked as kubectl's Validate does."""

    def __init__(self, args: list[str], *, image: str | None, container: str | None,
                 target: str | None, stdin: bool, tty: bool, attach: bool | None,
                 copy_to: str | None, replace: bool, same_node: bool,
                 share_processes: bool | None, set_image: list[str], pull_policy: str,
                 env: list[str], quiet: bool, arguments_only: bool, profile: str,
                 keep: dict[str, bool]):
        self.target_name = args[0] if args else ""
        self.command = args[1:]
        self.image, self.container, self.target = image or "", container or "", target or ""
        self.stdin, self.tty = stdin, tty
        self.attach = stdin if attach is None else attach
        self.copy_to, self.replace, self.same_node = copy_to or "", replace, same_node
        self.share_processes = share_processes
        self.set_images = dict(_pair(s, "--set-image") for item in set_image
                               for s in item.split(","))
        self.pull_policy = pull_policy or ""
        self.env = [{"name": k, "value": v} for k, v in
                    (_pair(e, "--env") for item in env for e in item.split(","))]
        self.quiet, self.arguments_only, self.profile, self.keep = (
            quiet, arguments_only, profile, keep)
        self._validate()

    def _validate(self) -> None:
        if self.attach and not self.container and not self.image:
            raise CliError("you must specify --container or create a new container using "
                           "--image in order to attach.")
        if self.copy_to:
            if not self.image and not self.set_images and not self.command:
                raise CliError("you must specify --image, --set-image or command arguments.")
            if self.command and not self.container and not self.image:
                raise CliError("you must specify an existing container or a new image when "
                               "specifying args.")
        else:
            for flag, used in (("--replace", self.replace), ("--same-node", self.same_node),
                               ("--set-image", bool(self.set_images))):
                if used:
                    raise CliError(f"{flag} may only be used with --copy-to.")
            if not self.image:
                raise CliError("you must specify --image when not using --copy-to.")
        if not self.target_name:
            raise CliError("NAME or filename is required for debug")
        if self.pull_policy not in PULL_POLICIES:
            raise CliError(f"invalid image pull policy: {self.pull_policy}")
        if self.profile not in PROFILES:
            raise CliError(f'unknown profile "{self.profile}" (tug knows: general, legacy)')
        if self.target and self.copy_to:
            raise CliError("--target is incompatible with --copy-to. Use --share-processes "
                           "instead.")
        if self.tty and not self.stdin:
            raise CliError("-i/--stdin is required for containers with -t/--tty=true")
        if self.target:
            print(f'Targeting container "{self.target}". If you don\'t see processes from '
                  f"this container it may be because the container runtime doesn't support "
                  f"this feature.")

    def container_name(self, pod: Obj) -> str:
        if self.container:
            return self.container
        taken = {c.get("name") for c in _all_containers(pod)}
        name = ""
        while not name or name in taken:
            name = f"debugger-{_suffix()}"
        if not self.quiet:
            print(f"Defaulting debug container name to {name}.")
        return name

    def new_container(self, name: str) -> Obj:
        c: Obj = {"name": name, "image": self.image, "stdin": self.stdin, "tty": self.tty,
                  "terminationMessagePolicy": "File"}
        if self.pull_policy:
            c["imagePullPolicy"] = self.pull_policy
        if self.env:
            c["env"] = self.env
        if self.command:
            c["args" if self.arguments_only else "command"] = self.command
        return c

    # The three styles of debugging.

    def ephemeral(self, session: Session, pod: Obj) -> tuple[Obj, str]:
        name = self.container_name(pod)
        ec = self.new_container(name)
        if self.target:
            ec["targetContainerName"] = self.target
        if self.profile == "general":
            _allow_process_tracing(ec)
        meta = pod["metadata"]
        patch = {"spec": {"ephemeralContainers": [ec]}}
        try:
            result = session.client.patch(PODS, meta["name"], patch, meta["namespace"],
                                          patch_type="strategic",
                                          subresource="ephemeralcontainers")
        except ApiError as e:
            # A 404 without a name: the subresource itself is missing.
            details = e.status.details
            if e.code == 404 and (details is None or not details.name):
                raise CliError(f'ephemeral containers are disabled for this cluster (error '
                               f'from server: "{e.message}")') from None
            raise
        return result, name

    def pod_copy(self, session: Session, pod: Obj) -> tuple[Obj, str]:
        meta = pod["metadata"]
        copied: Obj = {"apiVersion": "v1", "kind": "Pod",
                       "metadata": {"name": self.copy_to, "namespace": meta["namespace"]},
                       "spec": copy.deepcopy(pod.get("spec") or {})}
        for key in ("labels", "annotations"):
            if meta.get(key):
                copied["metadata"][key] = dict(meta[key])
        spec = copied["spec"]
        spec.pop("ephemeralContainers", None)
        if self.share_processes is not None:
            spec["shareProcessNamespace"] = self.share_processes
        if not self.same_node:
            spec.pop("nodeName", None)
        for c in spec.get("containers") or []:
            image = self.set_images.get(c["name"], self.set_images.get("*"))
            if image:
                c["image"] = image
        name = self._copy_container(copied)
        if self.profile == "general":
            self._general_copy(copied, name)
        created = session.client.create(PODS, copied, meta["namespace"])
        if self.replace:
            session.client.delete(PODS, meta["name"], meta["namespace"],
                                  grace_period_seconds=0)
        return created, name

    def _copy_container(self, copied: Obj) -> str:
        spec = copied["spec"]
        by_name = {c["name"]: c for c in _all_containers(copied)}
        c = by_name.get(self.container)
        if c is None:
            if not self.image:
                if self.set_images:
                    return ""  # only images changed: nothing to attach to
                raise CliError("you must specify image when creating new container")
            name = self.container or self.container_name(copied)
            c = {"name": name, "terminationMessagePolicy": "File"}
            spec.setdefault("containers", []).append(c)
        if self.command:
            if self.arguments_only:
                c["args"] = self.command
            else:
                c["command"] = self.command
                c.pop("args", None)
        if self.env:
            c["env"] = self.env
        if self.image:
            c["image"] = self.image
        if self.pull_policy:
            c["imagePullPolicy"] = self.pull_policy
        c["stdin"], c["tty"] = self.stdin, self.tty
        return str(c["name"])

    def _general_copy(self, copied: Obj, name: str) -> None:
        """The general profile on a copy: no labels (so no Service or controller picks the
        copy up), no annotations, no probes, no init containers unless kept; the debug
        container may trace the others, which share its process namespace."""
        meta, spec = copied["metadata"], copied["spec"]
        if not self.keep["labels"]:
            meta.pop("labels", None)
        if not self.keep["annotations"]:
            meta.pop("annotations", None)
        for c in spec.get("containers") or []:
            for probe in ("liveness", "readiness", "startup"):
                if not self.keep[probe]:
                    c.pop(f"{probe}Probe", None)
        if not self.keep["init-containers"]:
            spec.pop("initContainers", None)
        for c in spec.get("containers") or []:
            if c["name"] == name:
                _allow_process_tracing(c)
        spec["shareProcessNamespace"] = True

    def node_pod(self, session: Session, node: str) -> tuple[Obj, str]:
        name = self.container or "debugger"
        pod_name = f"node-debugger-{node}-{_suffix()}"
        if not self.quiet:
            print(f"Creating debugging pod {pod_name} with container {name} on node {node}.")
        c = self.new_container(name)
        pod: Obj = {"apiVersion": "v1", "kind": "Pod",
                    "metadata": {"name": pod_name,
                                 "labels": {"app.kubernetes.io/managed-by": "kubectl-debug"}},
                    "spec": {"containers": [c], "nodeName": node, "restartPolicy": "Never",
                             "tolerations": [{"operator": "Exists"}]}}
        if self.profile == "general":
            c["volumeMounts"] = [{"name": "host-root", "mountPath": "/host"}]
            pod["spec"].update(hostIPC=True, hostNetwork=True, hostPID=True,
                               volumes=[{"name": "host-root", "hostPath": {"path": "/"}}])
        return session.client.create(PODS, pod, session.namespace), name


def _allow_process_tracing(c: Obj) -> None:
    caps = c.setdefault("securityContext", {}).setdefault("capabilities", {})
    if "SYS_PTRACE" not in (caps.get("add") or []):
        caps.setdefault("add", []).append("SYS_PTRACE")


def _pair(text: str, flag: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise CliError(f'invalid argument "{text}" for "{flag}" flag: {text} must be '
                       f"formatted as key=value")
    return key, value


def _status(pod: Obj | None, name: str) -> Obj | None:
    status = (pod or {}).get("status") or {}
    for s in ((status.get("containerStatuses") or []) +
              (status.get("initContainerStatuses") or []) +
              (status.get("ephemeralContainerStatuses") or [])):
        if s.get("name") == name:
            return s
    return None


def wait_for_container(session: Session, pod: Obj, name: str, quiet: bool) -> Obj:
    """The pod once `name` runs or has ended (kubectl waits without a deadline)."""
    meta = pod["metadata"]
    warned: set[str] = set()

    def started(p: Obj | None) -> bool:
        if p is None:
            raise CliError(f'pods "{meta["name"]}" not found')
        state = (_status(p, name) or {}).get("state") or {}
        message = (state.get("waiting") or {}).get("message")
        if message and not quiet and message not in warned:
            warned.add(message)
            print(f"Warning: container {name}: {message}", file=sys.stderr)
        return bool(state.get("running") or state.get("terminated"))

    found = watch_until(session, PODS, meta["namespace"], meta["name"], started, FOREVER)
    assert found is not None
    return found


def attach(session: Session, pod: Obj, name: str, dbg: Debugger) -> None:
    pod = wait_for_container(session, pod, name, dbg.quiet)
    meta = pod["metadata"]
    state = (_status(pod, name) or {}).get("state") or {}
    if state.get("terminated"):
        path = f"/api/v1/namespaces/{meta['namespace']}/pods/{meta['name']}/log"
        with session.stream(path, {"container": name}) as resp:
            for chunk in resp.iter_raw():
                sys.stdout.buffer.write(chunk)
        sys.stdout.flush()
        return
    spec = next((c for c in _all_containers(pod) if c.get("name") == name), {})
    tty = dbg.tty and bool(spec.get("tty")) and sys.stdin.isatty()
    if not dbg.quiet:
        print("All commands and output from this session will be recorded in container logs, "
              "including credentials and sensitive information passed through the command "
              "prompt.", file=sys.stderr)
        print("If you don't see a command prompt, try pressing enter.", file=sys.stderr)
    stream(exec_request(session, pod, [], name, stdin=dbg.stdin, tty=tty,
                        subresource="attach"))
    if not dbg.quiet and dbg.stdin and tty:
        ephemeral = any(c.get("name") == name for c in
                        (pod.get("spec") or {}).get("ephemeralContainers") or [])
        where = f"tug attach {meta['name']} -c {name} -n {meta['namespace']} -i -t"
        print(f"Session ended, the ephemeral container will not be restarted but may be "
              f"reattached using '{where}' if it is still running" if ephemeral else
              f"Session ended, resume using '{where}' command")


def debug(ctx: typer.Context,
          args: list[str] = typer.Argument(None, help="(POD | TYPE/NAME) [-- COMMAND "
                                                      "[args...]]"),
          image: str = typer.Option(None, "--image",
                                    help="Container image to use for debug container."),
          container: str = typer.Option(None, "--container", "-c",
                                        help="Container name to use for debug container."),
          target: str = typer.Option(None, "--target",
                                     help="When using an ephemeral container, target "
                                          "processes in this container name."),
          stdin: bool = typer.Option(False, "--stdin", "-i",
                                     help="Keep stdin open on the container(s) in the pod, "
                                          "even if nothing is attached."),
          tty: bool = typer.Option(False, "--tty", "-t",
                                   help="Allocate a TTY for the debugging container."),
          attach_: bool = typer.Option(None, "--attach",
                                       help="Wait for the container to start running, then "
                                            "attach (default: true with -i)."),
          copy_to: str = typer.Option(None, "--copy-to",
                                      help="Create a copy of the target Pod with this name."),
          replace: bool = typer.Option(False, "--replace",
                                       help="When used with '--copy-to', delete the original "
                                            "Pod."),
          same_node: bool = typer.Option(False, "--same-node",
                                         help="When used with '--copy-to', schedule the copy "
                                              "of target Pod on the same node."),
          share_processes: bool = typer.Option(None, "--share-processes",
                                               help="When used with '--copy-to', enable "
                                                    "process namespace sharing in the copy."),
          set_image: list[str] = typer.Option([], "--set-image",
                                              help="When used with '--copy-to', name=image "
                                                   "pairs for changing container images."),
          image_pull_policy: str = typer.Option("", "--image-pull-policy",
                                                help="The image pull policy for the "
                                                     "container."),
          env: list[str] = typer.Option([], "--env",
                                        help="Environment variables to set in the container "
                                             "(NAME=value)."),
          quiet: bool = typer.Option(False, "--quiet", "-q",
                                     help="If true, suppress informational messages."),
          arguments_only: bool = typer.Option(False, "--arguments-only",
                                              help="Pass everything after -- to the new "
                                                   "container as Args instead of Command."),
          profile: str = typer.Option("general", "--profile",
                                      help='Options are "general" or "legacy".'),
          keep_labels: bool = typer.Option(False, "--keep-labels",
                                           help="With --copy-to: keep the pod's labels."),
          keep_annotations: bool = typer.Option(False, "--keep-annotations",
                                                help="With --copy-to: keep its annotations."),
          keep_liveness: bool = typer.Option(False, "--keep-liveness",
                                             help="With --copy-to: keep liveness probes."),
          keep_readiness: bool = typer.Option(False, "--keep-readiness",
                                              help="With --copy-to: keep readiness probes."),
          keep_startup: bool = typer.Option(False, "--keep-startup",
                                            help="With --copy-to: keep startup probes."),
          keep_init_containers: bool = typer.Option(True, "--keep-init-containers",
                                                    help="With --copy-to: run the init "
                                                         "containers.")) -> None:
    """Create debugging sessions for troubleshooting workloads and nodes."""
    session = session_of(ctx)
    keep = {"labels": keep_labels, "annotations": keep_annotations,
            "liveness": keep_liveness, "readiness": keep_readiness, "startup": keep_startup,
            "init-containers": keep_init_containers}
    dbg = Debugger(args or [], image=image, container=container, target=target, stdin=stdin,
                   tty=tty, attach=attach_, copy_to=copy_to, replace=replace,
                   same_node=same_node, share_processes=share_processes,
                   set_image=set_image, pull_policy=image_pull_policy, env=env, quiet=quiet,
                   arguments_only=arguments_only, profile=profile, keep=keep)
    kind, _, name = dbg.target_name.rpartition("/")
    if kind.lower() in ("node", "nodes", "no"):
        node = session.client.get("nodes", name)
        pod, container_name = dbg.node_pod(session, node["metadata"]["name"])
    elif kind and kind.lower() not in ("pod", "pods", "po"):
        raise CliError(f'"{kind}" not supported by debug')
    else:
        target_pod = session.client.get(PODS, name, session.namespace)
        pod, container_name = (dbg.pod_copy(session, target_pod) if dbg.copy_to
                               else dbg.ephemeral(session, target_pod))
    if dbg.attach and container_name:
        attach(session, pod, container_name, dbg)


def register(app: typer.Typer) -> None:
    app.command("debug", epilog=EXAMPLES, context_settings=CONTEXT)(debug)
