"""`tug-scheduler`: parse flags, build the scheduler, run it until SIGTERM."""

from __future__ import annotations

import asyncio
import errno
import logging
import signal
import sys

from tugboat.client import ApiClient, ConfigError, daemon_config
from tugboat.client.tls import transport_verify
from tugboat.scheduler.app import SchedulerApp
from tugboat.scheduler.options import Options, parse_options
from tugboat.scheduler.transport import make_transport

# Bindings (16 in flight) and reports (4 workers) share one pool of kept-alive connections.
CONNECTIONS = 20


def main(argv: list[str] | None = None) -> None:
    options = parse_options(argv)
    logging.basicConfig(level=options.log_level.upper(), stream=sys.stderr,
                        format="ts=%(asctime)s level=%(levelname)s component=scheduler "
                               "logger=%(name)s msg=%(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        sys.exit(asyncio.run(serve(options)))
    except OSError as e:
        if e.errno == errno.EADDRINUSE:  # one line naming the port and its flag
            sys.exit(f"tug-scheduler: port {options.port} is already in use on "
                     f"{options.bind_address}; stop what uses it or pick another port with "
                     f"--port")
        sys.exit(f"tug-scheduler: {e}")
    except ConfigError as e:  # a bad kubeconfig
        sys.exit(f"tug-scheduler: {e}")


async def serve(options: Options) -> int:
    config = daemon_config(options.kubeconfig, options.server)
    client = ApiClient.from_config(config, transport=make_transport(transport_verify(config),
                                                                    CONNECTIONS),
                                   user_agent="tug-scheduler")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        return await SchedulerApp(options, client).run(stop)
    finally:
        await client.aclose()


if __name__ == "__main__":
    main()
