"""One `tug debug` run's choices, checked as kubectl's debug Validate checks them, and the
debug container those choices describe — shared by the three ways of debugging
(ephemeral container, pod copy, node pod)."""

from __future__ import annotations

import secrets
from typing import Any

from tugboat.cli.errors import CliError

Obj = dict[str, Any]
PROFILES = ("general", "legacy")
KUBECTLS = ("general", "baseline", "restricted", "netadmin", "sysadmin", "legacy")
PULL_POLICIES = ("", "Always", "IfNotPresent", "Never")


def suffix() -> str:
    # utilrand.String(5): lowercase consonants and digits.
    alphabet = "bcdfghjklmnpqrstvwxz2456789"
    return "".join(secrets.choice(alphabet) for _ in range(5))


def all_containers(pod: Obj) -> list[Obj]:
    spec = pod.get("spec") or {}
    return ((spec.get("containers") or []) + (spec.get("initContainers") or []) +
            (spec.get("ephemeralContainers") or []))


def allow_process_tracing(c: Obj) -> None:
    """The general profile lets the debug container trace (SYS_PTRACE)."""
    caps = c.setdefault("securityContext", {}).setdefault("capabilities", {})
    if "SYS_PTRACE" not in (caps.get("add") or []):
        caps.setdefault("add", []).append("SYS_PTRACE")


def _pair(text: str, flag: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise CliError(f'invalid argument "{text}" for "{flag}" flag: {text} must be '
                       f"formatted as key=value")
    return key, value


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
            raise CliError(f"unknown profile: {self.profile}" if self.profile not in KUBECTLS
                           else f'profile "{self.profile}" is not offered by tug (it has '
                                f"general, legacy)")
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
        taken = {c.get("name") for c in all_containers(pod)}
        name = ""
        while not name or name in taken:
            name = f"debugger-{suffix()}"
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
