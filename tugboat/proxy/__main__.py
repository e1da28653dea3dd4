"""`tug-proxy`: parse flags, build the proxy, run it until SIGTERM (or clean up and exit
with --cleanup)."""

from __future__ import annotations

import asyncio
import errno
import logging
import signal
import sys

from tugboat.client import ApiClient, ConfigError, daemon_config
from tugboat.proxy.app import ProxyApp, cleanup
from tugboat.proxy.options import Options, parse_options


def main(argv: list[str] | None = None) -> None:
    options = parse_options(argv)
    logging.basicConfig(level=options.log_level.upper(), stream=sys.stderr,
                        format="ts=%(asctime)s level=%(levelname)s component=proxy "
                               "logger=%(name)s msg=%(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        if options.cleanup:
            sys.exit(asyncio.run(cleanup(options)))
        sys.exit(asyncio.run(serve(options)))
    except OSError as e:
        if e.errno == errno.EADDRINUSE:
            sys.exit(f"tug-proxy: port {options.healthz_port} or {options.metrics_port} is "
                     f"already in use on {options.bind_address}; pick others with "
                     f"--healthz-port/--metrics-port")
        sys.exit(f"tug-proxy: {e}")
    except ConfigError as e:
        sys.exit(f"tug-proxy: {e}")


async def serve(options: Options) -> int:
    config = daemon_config(options.kubeconfig, options.server)
    client = ApiClient.from_config(config, user_agent="tug-proxy")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        return await ProxyApp(options, client).run(stop)
    finally:
        await client.aclose()


if __name__ == "__main__":
    main()
