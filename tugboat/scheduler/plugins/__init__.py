"""The in-tree plugins, one per module, and the default profile that wires them."""

from tugboat.scheduler.plugins.registry import DEFAULT_WEIGHTS, PLUGIN_NAMES, default_plugins

__all__ = ["DEFAULT_WEIGHTS", "PLUGIN_NAMES", "default_plugins"]
