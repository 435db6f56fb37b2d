#!/usr/bin/env bash
# scripts/need.sh <group> <command>...: install <group> via deps.sh if any
# command is missing from PATH. Used by make targets before they run a tool.
set -eu
group=$1; shift
for c in "$@"; do
	command -v "$c" >/dev/null 2>&1 || exec "$(dirname "$0")/deps.sh" "$group"
done
