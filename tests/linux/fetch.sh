#!/usr/bin/env bash
# tests/linux/fetch.sh DIR: Debian 12's own kernels and busybox for the
# real-kernel check, unpacked under DIR (build/linux/dl). Idempotent: once
# DIR/<arch>/ is complete it is reused as is, so reruns test the same kernel
# (LINUX_REFRESH=1 fetches the newest again). Nothing is installed from the
# downloaded packages: they are unpacked with dpkg-deb -x. The host tools
# (QEMU, gdb-multiarch, cpio) come through scripts/need.sh.
set -euo pipefail
dl=${1:?usage: fetch.sh DIR}
here=$(cd "$(dirname "$0")" && pwd)
scripts=$here/../../scripts
mkdir -p "$dl"
dl=$(cd "$dl" && pwd)

"$scripts/need.sh" linux qemu-system-x86_64 qemu-system-aarch64 gdb-multiarch cpio

apt_update() {
	for _ in $(seq 1 60); do
		apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null 2>&1 && return 0
		sleep 5
	done
	return 1
}

# The newest linux-image-6.1.0-N-<flavour> the index knows (not -unsigned,
# -rt, -cloud: the plain flavour Debian boots by default).
newest_image() { # arch flavour
	apt-cache pkgnames linux-image-6.1.0- 2>/dev/null |
		grep -E "^linux-image-6\.1\.0-[0-9]+-$2\$" | sort -V | tail -n 1
}

fetch_arch() { # debarch flavour
	local a=$1 flav=$2 d=$dl/$1 q=""
	[ -f "$d/done" ] && [ -z "${LINUX_REFRESH:-}" ] && return 0
	[ "$a" = amd64 ] || q=":$a"
	if [ "$a" != amd64 ] && ! dpkg --print-foreign-architectures | grep -qx "$a"; then
		[ "$(id -u)" = 0 ] || { echo "fetch.sh: run as root once to add dpkg architecture $a" >&2; exit 1; }
		dpkg --add-architecture "$a"
		apt_update
	fi
	local img
	img=$(newest_image "$a" "$flav")
	if [ -z "$img" ]; then
		apt_update
		img=$(newest_image "$a" "$flav")
	fi
	[ -n "$img" ] || { echo "fetch.sh: no linux-image-6.1.0-*-$flav for $a" >&2; exit 1; }
	rm -rf "$d"
	mkdir -p "$d/debs" "$d/root"
	(cd "$d/debs" && apt-get -o APT::Sandbox::User=root download -qq "$img$q" "busybox-static$q")
	for p in "$d"/debs/*.deb; do dpkg-deb -x "$p" "$d/root"; done
	local kimg
	kimg=$(ls "$d"/root/boot/vmlinuz-* | head -n 1)
	ln -sf "${kimg#"$d"/}" "$d/vmlinuz"
	ln -sf "$(ls "$d"/root/boot/System.map-* | head -n 1 | sed "s|^$d/||")" "$d/System.map"
	ln -sf root/bin/busybox "$d/busybox"
	# Keep only what the check uses: the modules tree is most of the bytes.
	rm -rf "$d/root/lib/modules" "$d/root/usr/lib/linux-image-"*
	{ echo "image=$img"; dpkg-deb -f "$d"/debs/linux-image-*.deb Version | sed 's/^/version=/'; } >"$d/version"
	rm -rf "$d/debs"
	touch "$d/done"
	echo "fetch.sh: $a: $img ($(sed -n 's/^version=//p' "$d/version"))"
}

fetch_arch amd64 amd64
fetch_arch arm64 arm64
