"""`tug-apiserver`: parse flags, build the app, serve it with uvicorn."""

from __future__ import annotations

import argparse
import gc
import logging
import sys

import uvicorn

from tugboat.api.durations import parse_duration
from tugboat.apiserver.app import build_app


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="tug-apiserver",
                                description="Tugboat's Kubernetes API server on SQLite.")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on")
    p.add_argument("--port", type=int, default=8080, help="port to listen on")
    p.add_argument("--store", default="sqlite:///var/lib/tugboat/state.db",
                   help="store URL, e.g. sqlite:///var/lib/tugboat/state.db")
    p.add_argument("--compaction-interval", default="5m",
                   help="keep at least this much watch history (e.g. 5m)")
    p.add_argument("--event-ttl", default="1h", help="how long Events are kept (e.g. 1h)")
    p.add_argument("--log-level", default="info")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr,
                        format="ts=%(asctime)s level=%(levelname)s component=apiserver "
                               "logger=%(name)s msg=%(message)s")
    try:
        interval = parse_duration(args.compaction_interval)
        event_ttl = parse_duration(args.event_ttl)
    except ValueError as e:
        sys.exit(f"tug-apiserver: {e}")
    # The watch cache holds every object: hundreds of thousands of long-lived dicts that
    # the cyclic GC would rescan again and again, pausing every request. Collect young
    # objects less often; the cache's start-up objects are frozen out of scans (app.py).
    gc.set_threshold(20_000, 50, 100)
    app = build_app(args.store, compaction_interval=interval, event_ttl=event_ttl)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False,
                timeout_graceful_shutdown=5)


if __name__ == "__main__":
    main()
