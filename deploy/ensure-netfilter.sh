#!/usr/bin/env bash
# What the service proxy and its tests use beside Docker: iptables (iptables-restore/-save),
# iproute2 (ip: the tug-svc0 link, network namespaces) and util-linux (nsenter). Debian's
# docker.io brings iptables and a base system has the others; install them when missing.
# Idempotent.
set -euo pipefail
missing=()
command -v iptables-restore >/dev/null 2>&1 || missing+=(iptables)
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
command -v nsenter >/dev/null 2>&1 || missing+=(util-linux)
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
echo "==> installing ${missing[*]} (Debian)"
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q "${missing[@]}" >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q "${missing[@]}" >/dev/null; }
