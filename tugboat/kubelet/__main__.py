"""`tug-kubelet`: parse flags, set up logging, run the kubelet until SIGTERM or Ctrl-C."""

from __future__ import annotations

import asyncio
import errno
import logging
import signal
import sys

from tugboat.kubelet.agent import run_kubelet
from tugboat.kubelet.config import KubeletConfig, parse_args


async def _serve(config: KubeletConfig) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await run_kubelet(config, stop=stop)


def main(argv: list[str] | None = None) -> None:
    config = parse_args(argv)
    logging.basicConfig(level=config.log_level.upper(), stream=sys.stderr,
                        format="ts=%(asctime)s level=%(levelname)s component=kubelet "
                               "logger=%(name)s msg=%(message)s")
    for noisy in ("httpx", "httpcore", "urllib3", "docker", "websockets", "asyncio"):
        logging.getLogger(noisy).setLevel(max(logging.INFO, logging.getLogger().level))
    try:
        asyncio.run(_serve(config))
    except OSError as e:
        if e.errno == errno.EADDRINUSE:  # the kubelet port (a busy healthz port is only logged)
            sys.exit(f"tug-kubelet: port {config.port} is already in use on {config.address}; "
                     f"stop what uses it or pick another port with --port")
        sys.exit(f"tug-kubelet: {e}")


if __name__ == "__main__":
    main()
