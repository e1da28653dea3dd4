#!/usr/bin/env bash
# Build, offline, the images examples and tests use (no registry is reachable here):
# busybox:latest and busybox:1.35 from Debian's busybox-static, and the pause image that
# holds each pod's network namespace. `docker import` of a tiny root filesystem.
set -euo pipefail
PAUSE=${PAUSE_IMAGE:-tugboat/pause:3.9}
have() { docker image inspect "$1" >/dev/null 2>&1; }
if have busybox:latest && have busybox:1.35 && have "$PAUSE"; then exit 0; fi
BB=/bin/busybox
if ! [ -x "$BB" ] || ! file -L "$BB" 2>/dev/null | grep -q static; then
  if ! dpkg -s busybox-static >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q busybox-static >/dev/null 2>&1 || \
      { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q busybox-static >/dev/null; }
  fi
fi
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,tmp,proc,sys,dev,var/www,root}
cp /bin/busybox "$root/bin/busybox"
for app in $("$root/bin/busybox" --list); do
  [ "$app" = busybox ] || ln -sf /bin/busybox "$root/bin/$app"
done
echo 'root:x:0:0:root:/root:/bin/sh' > "$root/etc/passwd"
echo 'root:x:0:' > "$root/etc/group"
echo 'nobody:x:65534:65534:nobody:/:/bin/false' >> "$root/etc/passwd"
chmod 1777 "$root/tmp"
echo "==> building busybox:latest, busybox:1.35 and $PAUSE"
tar -C "$root" -c . | docker import -c 'CMD ["sh"]' -c 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin' - busybox:latest >/dev/null
docker tag busybox:latest busybox:1.35
tar -C "$root" -c . | docker import -c 'ENTRYPOINT ["/bin/sleep", "2147483647"]' - "$PAUSE" >/dev/null
