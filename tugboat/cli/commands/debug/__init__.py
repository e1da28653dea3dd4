"""`tug debug`: kubectl debug — a throwaway container to look inside a running workload.

Three ways, as kubectl's, one module each: an ephemeral container added to the running pod
(`ephemeral`), a copy of the pod with a debug container or other images (`podcopy`:
`--copy-to`, `--set-image`, `--share-processes`), or a pod on a node in its host
namespaces with the node's filesystem at /host (`node`: `node/NAME`). The flags are
checked in `choices`; with `-i` tug waits for the container to run and attaches to it
(`attaching`). The "general" profile is kubectl's default; "legacy" changes nothing beyond
what the flags say. This module holds the command and its flags.
"""

from __future__ import annotations

import typer

from tugboat.api.resources import lookup
from tugboat.cli import targets
from tugboat.cli.commands.debug.attaching import attach
from tugboat.cli.commands.debug.choices import Debugger
from tugboat.cli.commands.debug.ephemeral import add_ephemeral
from tugboat.cli.commands.debug.node import node_pod
from tugboat.cli.commands.debug.podcopy import copy_pod
from tugboat.cli.errors import CliError
from tugboat.cli.options import CONTEXT, examples, session_of

PODS = lookup("", "v1", "pods")
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


def debug(ctx: typer.Context,
          args: list[str] = typer.Argument(None, help="(POD | TYPE/NAME) [-- COMMAND "
                                                      "[args...]]",
                                           autocompletion=targets.complete_pod),
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
    info = targets.resolve_type(kind)[0] if kind else PODS
    if info.kind == "Node" and not info.group:
        node = session.client.get("nodes", name)
        pod, container_name = node_pod(session, dbg, node["metadata"]["name"])
    elif info != PODS:
        # kubectl reads the object, then refuses its kind
        session.client.get(info, name, session.ns_for(info))
        raise CliError(f'"{info.group}/{info.version}, Kind={info.kind}" not supported by '
                       f"debug")
    else:
        target_pod = session.client.get(PODS, name, session.namespace)
        pod, container_name = (copy_pod(session, dbg, target_pod) if dbg.copy_to
                               else add_ephemeral(session, dbg, target_pod))
    if dbg.attach and container_name:
        attach(session, pod, container_name, dbg)


def register(app: typer.Typer) -> None:
    app.command("debug", epilog=EXAMPLES, context_settings=CONTEXT)(debug)
