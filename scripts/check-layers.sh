#!/bin/sh
# Checks the include graph of the library and its front ends.
#
# Layers, bottom up; a module sits on the ones below it:
#   core                              errors, buffers, UTF-8, dates
#   register                          the person, fields, the creation record
#   store                             SQLite: every SQL statement, the audit
#   io match plan round backup account  siblings, above the store
#   print report                        also siblings: the printed list and
#                                       the charts, through public headers
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
#   core/text_lock.h      print report: one thread at a time sets text
#                         with pango, fontconfig and cairo
#   register/record.h     store io: the creation record, which the store
#                         writes into the "created" event and the import
#                         encodes while it reads
#   store/round_rows.h    round: the round's tables, row by row
#   store/import_rows.h   io: the writes of a bulk import
#   store/match_rows.h    match: the search's, inquiries' and review's rows
#   store/backup_store.h  backup: the online copy, the checks, the lock
#   store/report_rows.h   report: the counts behind the charts
#   store/account_rows.h  account: users, sessions, access log, case codes
#   store/transfer_rows.h io: the transfer log's rows
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
'

# Public headers owned by a module other than the store (for the rule on
# what the store defines): <cartel/match.h> is match's, and so on.
PUBLIC_ABOVE="match plan round csv gen backup print report"

out=$(mktemp)
trap 'rm -f "$out" "$out.allowed"' EXIT

# One awk pass over every source file (a process per line is minutes on a
# loaded machine): first the public headers above the store, to learn the
# functions they declare, then every file under src.
pubs=""
for pub in $PUBLIC_ABOVE; do
	[ -f "include/cartel/$pub.h" ] && pubs="$pubs include/cartel/$pub.h"
done
# shellcheck disable=SC2086
ALLOW="$ALLOW" awk -v npub="$(echo $pubs | wc -w)" -v out="$out" '
function rank(m) {
	if (m == "core") return 0
	if (m == "register") return 1
	if (m == "store") return 2
	if (m ~ /^(io|match|plan|round|backup|account|print|report)$/) return 3
	if (m == "gen") return 4
	if (m == "cli" || m == "server") return 5
	return 99
}
# The modules that may include a private header, or "" when none.
function interface(h) {
	if (h == "core/why.h") return "register store io match plan round backup account print report gen"
	if (h == "core/intl.h") return "register store io match plan round backup account print report gen"
	if (h == "core/text_lock.h") return "print report"
	if (h == "store/account_rows.h") return "account"
	if (h == "register/record.h") return "store io"
	if (h == "store/round_rows.h") return "round"
	if (h == "store/import_rows.h") return "io"
	if (h == "store/transfer_rows.h") return "io"
	if (h == "store/match_rows.h") return "match"
	if (h == "store/backup_store.h") return "backup"
	if (h == "store/report_rows.h") return "report"
	return ""
}
function module_of(f,   p) {
	if (f ~ /^src\/lib\//) { split(f, p, "/"); return p[3] }
	if (f ~ /^src\/cli\//) return "cli"
	if (f ~ /^src\/server\//) return "server"
	return ""
}
function report(f, n, what, key) {
	if ((f " " key) in allowed) print f ":" n ": " what >> (out ".allowed")
	else print f ":" n ": " what >> out
}
BEGIN {
	na = split(ENVIRON["ALLOW"], al, "\n")
	for (i = 1; i <= na; i++) if (al[i] != "" && al[i] !~ /^#/) allowed[al[i]] = 1
}
FNR == 1 {
	fileno++
	f = FILENAME; m = module_of(f); mr = rank(m)
	if (fileno > npub && mr == 99) report(f, 1, "file in no known layer (" m ")", "layer " m)
}
fileno <= npub {
	# The public header of a module above the store: the calls it declares.
	split(FILENAME, hp, "/"); pub = hp[3]; sub(/\.h$/, "", pub)
	line = $0
	while (match(line, /[^a-z0-9_]cartel_[a-z0-9_]*\(/)) {
		fn = substr(line, RSTART + 1, RLENGTH - 2)
		if (!(fn in declared)) declared[fn] = pub
		line = substr(line, RSTART + RLENGTH)
	}
	next
}
/^[ \t]*#[ \t]*include/ {
	inc = $0
	sub(/^[ \t]*#[ \t]*include[ \t]*/, "", inc)
	if (inc ~ /^<sqlite3\.h>/) {
		if (m != "store")
			report(f, FNR, "includes <sqlite3.h>: only the store speaks SQL", "<sqlite3.h>")
		next
	}
	if (inc !~ /^"/) next
	h = inc; sub(/^"/, "", h); sub(/".*/, "", h)
	if (index(h, "/")) { owner = h; sub(/\/.*/, "", owner) } else owner = m
	if (owner == m) next
	if (m == "cli" || m == "server") {
		report(f, FNR, "front end includes " h ": only <cartel/*.h>", h)
		next
	}
	users = interface(h)
	if (users == "") { report(f, FNR, "includes " h ", private to " owner, h); next }
	if (index(" " users " ", " " m " ") == 0) {
		report(f, FNR, "includes " h ", an interface of " owner " for " users " only", h)
		next
	}
	if (rank(owner) >= mr)
		report(f, FNR, "upward include: " m " includes " h " (" owner " is not below it)", h)
	next
}
# Only the store calls SQLite (a header may bring sqlite3.h in unseen).
m != "store" && /sqlite3_[a-z_0-9]*/ {
	report(f, FNR, "calls SQLite: only the store speaks SQL", "sqlite3_")
}
# The store defines no function of a public header above it.
m == "store" && f ~ /\.c$/ && /^cartel_[a-z0-9_]*\(/ {
	fn = $0; sub(/\(.*/, "", fn)
	if (fn in declared)
		report(f, FNR, "the store defines " fn " of <cartel/" declared[fn] ".h>: " declared[fn] "'"'"'s logic", "defines " fn)
}
' $pubs $(find src -name '*.[ch]' | LC_ALL=C sort)

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
