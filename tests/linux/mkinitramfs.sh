#!/usr/bin/env bash
# tests/linux/mkinitramfs.sh BUSYBOX OUT: a gzipped newc cpio holding a
# static busybox and tests/linux/init.sh as /init. Timestamps are fixed so
# the same inputs give the same bytes.
set -euo pipefail
bb=$1 out=$2
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$tmp/proc" "$tmp/sys" "$tmp/dev" "$tmp/tmp"
cp "$bb" "$tmp/bin/busybox"
cp "$here/init.sh" "$tmp/init"
chmod 755 "$tmp/init" "$tmp/bin/busybox"
find "$tmp" -exec touch -h -d @0 {} +
(cd "$tmp" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -9n >"$out.tmp"
mv "$out.tmp" "$out"
