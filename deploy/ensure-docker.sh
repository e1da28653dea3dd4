#!/usr/bin/env bash
# Make sure a Docker engine answers: install Debian's docker.io and start dockerd when
# `docker info` fails (a new machine has only the client). Idempotent.
set -euo pipefail
if docker info >/dev/null 2>&1; then exit 0; fi
if ! command -v dockerd >/dev/null 2>&1; then
  echo "==> installing docker.io (Debian)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q docker.io >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q docker.io >/dev/null; }
fi
echo "==> starting dockerd"
mkdir -p /var/log/tugboat
nohup dockerd --storage-driver=overlay2 >/var/log/tugboat/dockerd.log 2>&1 &
for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then echo "==> dockerd is up"; exit 0; fi
  sleep 0.5
done
echo "dockerd did not start; see /var/log/tugboat/dockerd.log" >&2
tail -20 /var/log/tugboat/dockerd.log >&2 || true
exit 1
