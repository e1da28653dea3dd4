"""`tug-dns`: parse flags, build the DNS server, serve until SIGTERM."""

from __future__ import annotations

import asyncio
import errno
import logging
import signal
import sys

from tugboat.client import ApiClient, ConfigError, daemon_config
from tugboat.dns.app import DNSApp, ListenError
from tugboat.dns.options import Options, parse_options


async def serve(options: Options) -> int:
    config = daemon_config(options.kubeconfig, options.server)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with ApiClient.from_config(config, user_agent="tug-dns") as client:
        return await DNSApp(options, client).run(stop)


def main(argv: list[str] | None = None) -> None:
    options = parse_options(argv)
    logging.basicConfig(level=options.log_level.upper(), stream=sys.stderr,
                        format="ts=%(asctime)s level=%(levelname)s component=dns "
                               "logger=%(name)s msg=%(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        sys.exit(asyncio.run(serve(options)))
    except ConfigError as e:
        sys.exit(f"tug-dns: {e}")
    except ListenError as e:  # one line naming the port and its flag
        if e.error.errno == errno.EADDRINUSE:
            sys.exit(f"tug-dns: port {e.port} is already in use on {e.host}; "
                     f"stop what uses it or pick another port with {e.flag}")
        if e.error.errno == errno.EACCES:
            sys.exit(f"tug-dns: cannot listen on port {e.port}: {e.error.strerror} (ports "
                     f"below 1024 need root or CAP_NET_BIND_SERVICE); pick another with "
                     f"{e.flag}")
        sys.exit(f"tug-dns: cannot listen on {e}")


if __name__ == "__main__":
    main()
