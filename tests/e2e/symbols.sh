#!/bin/sh
# Every external symbol libcartel defines starts with cartel_ (public
# calls cartel_, internal ones cartel__), so that a program linking the
# library never collides with it. The sanitizers' own symbols
# (__asan_*, __odr_asan_gen_*, and the leak report's suppressions,
# __lsan_default_suppressions) are not the library's and are left out.
set -eu
fail() { echo "FAIL: $*" >&2; exit 1; }
lib="$BUILD/libcartel.a"
[ -f "$lib" ] || fail "no $lib"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
nm -g --defined-only "$lib" | awk 'NF == 3 { print $3 }' | sort -u > "$T/all"
[ -s "$T/all" ] || fail "nm found no symbols in $lib"
grep -q '^cartel_db_open$' "$T/all" || fail "cartel_db_open not among them"
grep -v -e '^cartel_' -e '^__odr_asan' -e '^__asan' -e '^__ubsan' \
	-e '^__sancov' -e '^__lsan_default_suppressions$' "$T/all" > "$T/bad" || true
if [ -s "$T/bad" ]; then
	echo "external symbols of libcartel without the cartel_ prefix:" >&2
	sed 's/^/  /' "$T/bad" >&2
	fail "$(wc -l < "$T/bad") symbol(s) outside the cartel_ name space"
fi
echo "ok: $(wc -l < "$T/all") symbols, all cartel_"
