#!/bin/sh
# `make bench`: runs every bench/bench_*.sh in turn against the build folder
# given as $1. Each prints its own table; this prints the machine first.
set -eu
BUILD=${1:-build}
TOP=$(cd "$(dirname "$0")/.." && pwd)
export BUILD TOP
echo "cartel benchmarks on $(uname -m), $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB"
for b in "$TOP"/bench/bench_*.sh; do
	[ -f "$b" ] || continue
	echo
	sh "$b"
done
