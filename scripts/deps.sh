#!/bin/sh
# Installs the Debian 12 packages cartel needs to build, test and run.
# This is the one list of them; `make`, `make check` and `make demo` call it.
# As root it installs what is missing; otherwise it prints the exact
# apt-get line to run and fails.
set -eu

PACKAGES="
build-essential
cmake
pkg-config
clang
libclang-rt-dev
sqlite3
libsqlite3-dev
libicu-dev
libsodium-dev
libjansson-dev
libmicrohttpd-dev
libcmocka-dev
gcovr
libyaml-dev
libglpk-dev
time
jq
bsdutils
wrk
curl
nodejs
chromium
fonts-dejavu-core
"

missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done

# npm installs playwright-core for the web app's browser tests
# (docs/web.md). nodesource's nodejs package carries its own npm, and
# Debian's npm would conflict with it: Debian's is installed only where no
# npm is found.
command -v npm > /dev/null 2>&1 || missing="$missing npm"

[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "cartel needs these Debian packages:$missing" >&2
	echo "run as root:  apt-get update && apt-get install -y --no-install-recommends$missing" >&2
	exit 1
fi

echo "installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >&2
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >&2
