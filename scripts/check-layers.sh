#!/bin/sh
# Checks the include graph of the library and its front ends.
#
# Layers, bottom up; a module sits on the ones below it:
#   core                              errors, buffers, UTF-8, dates
#   register                          the person, fields, the creation record
#   store                             SQLite: every SQL statement, the audit
#   io match plan round backup account  siblings, above the store
#   gen                               generates data, using any of the above
#   cli server                        front ends, above the whole library
#
# The rule. A file under src/lib/MODULE/ may include:
#   - its own module's headers ("MODULE/x.h", or "x.h" beside it);
#   - the public headers <cartel/*.h> (include/cartel: types and calls any
#     layer may name, e.g. round using plan's public header);
#   - a private header of another module only where the table below names
#     it as that module's interface for the includer, and the includer sits
#     above the owner (never an upward include).
# A front end (src/cli, src/server) includes only <cartel/*.h> and its own
# headers. Only the store includes <sqlite3.h> or calls sqlite3_*. And
# no file of the store defines a function declared in the public header
# of a module above it (the store reads and writes rows; the logic is its
# owner's).
#
# Interfaces (header: modules that may include it):
#   core/why.h            every library module: core's shared internal
#                         header (error detail, string helpers)
#   core/intl.h           every library module: the marks of the words
#                         translated (_(), N_(), C_())
#   register/record.h     store io: the creation record, which the store
#                         writes into the "created" event and the import
#                         encodes while it reads
#   store/round_rows.h    round: the round's tables, row by row
#   store/import_rows.h   io: the writes of a bulk import
#   store/match_rows.h    match: the inquiry and search rows (when written)
#   store/backup_store.h  backup: the online copy, the checks, the lock
#   store/account_rows.h  account: users, sessions, access log, case codes
#
# Usage: scripts/check-layers.sh [TOP]   (TOP: the source tree, default .)
# Prints each violation as FILE:LINE: what, and exits 1 when any is not in
# the allow-list below.
set -eu
TOP=${1:-.}
cd "$TOP"

# Known violations still to be moved, one "FILE:LINE-FREE KEY" per line (the
# key is what the message names after the file). Each line is a debt: the
# check still catches every new violation. Remove a line when it is fixed.
ALLOW='
# search_store.c and match_store.c implement calls of <cartel/match.h>
# (search ranking, inquiries, review): their logic belongs in src/lib/match/
# over a store/match_rows.h; the move is not done yet.
src/lib/store/match_store.c defines cartel_inquiry_add
src/lib/store/match_store.c defines cartel_inquiry_match
src/lib/store/match_store.c defines cartel_review_list
src/lib/store/match_store.c defines cartel_review_decide
src/lib/store/search_store.c defines cartel_search_index_path
src/lib/store/search_store.c defines cartel_search
src/lib/store/search_store.c defines cartel_search_text
'

rank() {
	case $1 in
	core) echo 0 ;;
	register) echo 1 ;;
	store) echo 2 ;;
	io|match|plan|round|backup|account) echo 3 ;;
	gen) echo 4 ;;
	cli|server) echo 5 ;;
	*) echo 99 ;;
	esac
}

# The modules that may include a private header, or nothing when none.
interface() {
	case $1 in
	core/why.h) echo "register store io match plan round backup account gen" ;;
	core/intl.h) echo "register store io match plan round backup account gen" ;;
	store/account_rows.h) echo "account" ;;
	register/record.h) echo "store io" ;;
	store/round_rows.h) echo "round" ;;
	store/import_rows.h) echo "io" ;;
	store/match_rows.h) echo "match" ;;
	store/backup_store.h) echo "backup" ;;
	*) echo "" ;;
	esac
}

# Public headers owned by a module other than the store (for the rule on
# what the store defines): <cartel/match.h> is match's, and so on.
PUBLIC_ABOVE="match plan round csv gen backup"

out=$(mktemp)
trap 'rm -f "$out" "$out.allowed"' EXIT

report() { # file line what key
	if printf '%s\n' "$ALLOW" | grep -qxF "$1 $4"; then
		printf '%s:%s: %s\n' "$1" "$2" "$3" >> "$out.allowed"
	else
		printf '%s:%s: %s\n' "$1" "$2" "$3" >> "$out"
	fi
}

module_of() {
	case $1 in
	src/lib/*) echo "$1" | cut -d/ -f3 ;;
	src/cli/*) echo cli ;;
	src/server/*) echo server ;;
	esac
}

for f in $(find src -name '*.[ch]' | sort); do
	m=$(module_of "$f")
	mr=$(rank "$m")
	[ "$mr" = 99 ] && report "$f" 1 "file in no known layer ($m)" "layer $m"
	grep -n '^[[:space:]]*#[[:space:]]*include' "$f" |
	while IFS= read -r l; do
		n=${l%%:*}
		inc=$(printf '%s' "$l" | sed -n 's/.*#[[:space:]]*include[[:space:]]*\([<"][^>"]*[>"]\).*/\1/p')
		case $inc in
		\<sqlite3.h\>)
			[ "$m" = store ] ||
				report "$f" "$n" "includes <sqlite3.h>: only the store speaks SQL" "<sqlite3.h>"
			continue ;;
		\<cartel/*|\<*) continue ;;
		esac
		h=$(printf '%s' "$inc" | tr -d '"')
		case $h in
		*/*) owner=${h%%/*} ;;
		*) owner=$m ;; # beside the file
		esac
		[ "$owner" = "$m" ] && continue
		case $m in
		cli|server)
			report "$f" "$n" "front end includes $h: only <cartel/*.h>" "$h"
			continue ;;
		esac
		users=$(interface "$h")
		if [ -z "$users" ]; then
			report "$f" "$n" "includes $h, private to $owner" "$h"
			continue
		fi
		case " $users " in
		*" $m "*) ;;
		*) report "$f" "$n" "includes $h, an interface of $owner for $users only" "$h"
		   continue ;;
		esac
		orank=$(rank "$owner")
		if [ "$orank" -ge "$mr" ]; then
			report "$f" "$n" "upward include: $m includes $h ($owner is not below it)" "$h"
		fi
	done
done

# Only the store calls SQLite (a header may bring sqlite3.h in unseen).
for f in $(find src -name '*.[ch]' ! -path 'src/lib/store/*' | sort); do
	grep -n 'sqlite3_[a-z_0-9]*' "$f" | while IFS= read -r l; do
		report "$f" "${l%%:*}" "calls SQLite: only the store speaks SQL" "sqlite3_"
	done
done

# The store defines no function of a public header above it.
for pub in $PUBLIC_ABOVE; do
	ph=include/cartel/$pub.h
	[ -f "$ph" ] || continue
	for f in src/lib/store/*.c; do
		grep -n '^cartel_[a-z0-9_]*(' "$f" | while IFS= read -r l; do
			n=${l%%:*}
			fn=$(printf '%s' "${l#*:}" | sed 's/(.*//')
			if grep -q "[^a-z0-9_]$fn(" "$ph"; then
				report "$f" "$n" "the store defines $fn of <cartel/$pub.h>: $pub's logic" "defines $fn"
			fi
		done
	done
done

if [ -s "$out.allowed" ]; then
	echo "check-layers: $(wc -l < "$out.allowed") known violation(s) on the allow-list:"
	sed 's/^/  /' "$out.allowed"
fi
if [ -s "$out" ]; then
	cat "$out"
	echo "check-layers: $(wc -l < "$out") violation(s); see docs/layers.md" >&2
	exit 1
fi
echo "check-layers: the include graph holds"
