"""`tug-controller-manager`: parse flags, build the manager, run it until SIGTERM."""

from __future__ import annotations

import asyncio
import errno
import logging
import signal
import sys

from tugboat.client import ApiClient, ConfigError, daemon_config
from tugboat.controller.manager import ControllerManager
from tugboat.controller.options import ManagerOptions, parse_args


async def run(opts: ManagerOptions) -> int:
    config = daemon_config(opts.kubeconfig, opts.server)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with ApiClient.from_config(config, user_agent="tug-controller-manager") as client:
        return await ControllerManager(opts, client).run(stop)


def main(argv: list[str] | None = None) -> None:
    opts = parse_args(argv)
    logging.basicConfig(level=opts.log_level.upper(), stream=sys.stderr,
                        format="ts=%(asctime)s level=%(levelname)s component=controller-manager "
                               "logger=%(name)s msg=%(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        sys.exit(asyncio.run(run(opts)))
    except ConfigError as e:
        sys.exit(f"tug-controller-manager: {e}")
    except OSError as e:
        if e.errno == errno.EADDRINUSE:  # one line naming the port and its flag
            sys.exit(f"tug-controller-manager: port {opts.port} is already in use on "
                     f"{opts.bind_address}; stop what uses it or pick another port with --port")
        raise


if __name__ == "__main__":
    main()
