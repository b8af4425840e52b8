#!/bin/sh
# The built command carries the hardening a register of evidence needs:
# a position-independent executable (address randomisation), full RELRO
# (the relocation table read-only and bound at start), the stack
# protector, and, in optimised builds, _FORTIFY_SOURCE's checked calls.
# What a build does not apply (fortify at -O0, the sanitizers' own
# instrumentation, a build configured with CARTEL_HARDEN=OFF) is skipped
# and said.
set -eu
fail() { echo "FAIL: $*" >&2; exit 1; }
cache="$BUILD/CMakeCache.txt"
[ -f "$cache" ] || fail "no $cache"
val() { sed -n "s/^$1:[A-Z]*=//p" "$cache"; }
harden=$(val CARTEL_HARDEN)
sanitize=$(val CARTEL_SANITIZE)
type=$(val CMAKE_BUILD_TYPE)
: "${type:=RelWithDebInfo}" # CMakeLists.txt's default
case "$harden" in
OFF|0|FALSE|NO|off) echo "skip: built with CARTEL_HARDEN=OFF"; exit 0 ;;
esac
bin="$CARTEL"

readelf -h "$bin" | grep -q 'Type:[[:space:]]*DYN' ||
	fail "not a position-independent executable: $(readelf -h "$bin" | grep Type:)"
readelf -lW "$bin" | grep -q 'GNU_RELRO' || fail "no RELRO segment"
readelf -dW "$bin" | grep -Eq 'BIND_NOW|FLAGS.*NOW' ||
	fail "RELRO is partial: no BIND_NOW"

syms=$(nm -D "$bin"; nm "$bin" 2>/dev/null || true)
had="PIE, full RELRO"
case "$sanitize" in
ON|1|TRUE|YES|on)
	echo "skip: stack protector and fortify symbols in a sanitizer build" ;;
*)
	echo "$syms" | grep -q '__stack_chk_fail' ||
		fail "no __stack_chk_fail: the stack protector is not on"
	had="$had, stack protector"
	case "$type" in
	Release|RelWithDebInfo|MinSizeRel)
		echo "$syms" | grep -E '__[a-z0-9_]+_chk' |
			grep -qv '__stack_chk_fail' ||
			fail "no __*_chk calls: _FORTIFY_SOURCE is not applied"
		had="$had, fortify" ;;
	*)
		echo "skip: fortify in a $type build (not optimised)" ;;
	esac ;;
esac
echo "ok: $had ($type build)"
