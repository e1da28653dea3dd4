"""`tug --help` lists the verbs under kubectl's headings (Basic Commands (Beginner), Deploy
Commands, Troubleshooting and Debugging Commands...), in kubectl's order, so a kubectl user
finds each verb where they expect it; Click would print one flat list in registration
order, with every sub-app (create, set, rollout...) at the end."""

from __future__ import annotations

import typer.core
from typer import _click

# kubectl's own groups (kubectl/pkg/cmd/cmd.go), then the verbs only tug has.
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Basic Commands (Beginner)", ("create", "expose", "run", "set")),
    ("Basic Commands (Intermediate)", ("explain", "get", "edit", "delete")),
    ("Deploy Commands", ("rollout", "scale", "autoscale")),
    ("Cluster Management Commands", ("certificate", "cluster-info", "top", "cordon",
                                     "uncordon", "drain", "taint")),
    ("Troubleshooting and Debugging Commands", ("describe", "logs", "attach", "exec",
                                                "port-forward", "proxy", "cp", "auth",
                                                "debug", "events")),
    ("Advanced Commands", ("diff", "apply", "patch", "replace", "wait", "kustomize")),
    ("Settings Commands", ("label", "annotate", "completion")),
    ("Local Cluster Commands", ("up", "down")),
)
OTHER = "Other Commands"


class KubectlGroups(typer.core.TyperGroup):
    """The root command group, its help sectioned as kubectl's."""

    def format_commands(self, ctx: _click.Context, formatter: _click.HelpFormatter) -> None:
        visible = {}
        for name in self.list_commands(ctx):
            cmd = self.get_command(ctx, name)
            if cmd is not None and not cmd.hidden:
                visible[name] = cmd
        if not visible:
            return
        limit = formatter.width - 6 - max(len(name) for name in visible)
        placed: set[str] = set()
        sections: list[tuple[str, list[str]]] = []
        for heading, names in GROUPS:
            present = [n for n in names if n in visible]
            placed.update(present)
            sections.append((heading, present))
        sections.append((OTHER, sorted(n for n in visible if n not in placed)))
        for heading, names in sections:
            if names:
                with formatter.section(heading):
                    formatter.write_dl([(n, visible[n].get_short_help_str(limit))
                                        for n in names])
