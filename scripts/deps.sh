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
gettext
locales
chromium
fonts-dejavu-core
libzip-dev
libexpat1-dev
libxlsxwriter-dev
zip
"

# The UTF-8 locales of the languages cartel speaks (docs/i18n.md): without
# them a fresh Debian machine has only C, under which gettext says nothing
# but English. cartel falls back to C.UTF-8 for one language per process;
# a server answering each request in its own language needs these.
LOCALES="uk_UA ru_RU en_US"

missing_locales() {
	have=$(locale -a 2>/dev/null | tr 'A-Z' 'a-z')
	for l in $LOCALES; do
		want=$(echo "$l.utf8" | tr 'A-Z' 'a-z')
		echo "$have" | grep -qx "$want" || printf ' %s' "$l"
	done
}

make_locales() {
	for l in $(missing_locales); do
		echo "generating the locale $l.UTF-8" >&2
		localedef -i "$l" -c -f UTF-8 -A /usr/share/locale/locale.alias \
			"$l.UTF-8" >&2 || echo "could not generate $l.UTF-8" >&2
	done
}

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

if [ -z "$missing" ]; then
	if [ -n "$(missing_locales)" ]; then
		if [ "$(id -u)" -eq 0 ]; then
			make_locales
		else
			echo "cartel speaks Ukrainian and Russian best with the" \
				"locales:$(missing_locales) (as root: scripts/deps.sh)" >&2
		fi
	fi
	exit 0
fi

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
make_locales
