#!/bin/sh
# The include graph holds (scripts/check-layers.sh, see docs/layers.md),
# and the check catches what it is for: a store file including a private
# header of a module above it, a sibling's private header, a front end
# reaching into the library, SQL outside the store; each named by file
# and line.
set -eu
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

sh "$TOP/scripts/check-layers.sh" "$TOP" > "$T/out" 2>&1 ||
	fail "the tree breaks its layers: $(cat "$T/out")"

# A copy of the sources, then one bad include at a time.
mkdir "$T/top"
cp -R "$TOP/src" "$TOP/include" "$T/top/"
bad() { # file text expected
	cp "$T/top/$1" "$T/saved"
	printf '%s\n' "$2" >> "$T/top/$1"
	line=$(wc -l < "$T/top/$1" | tr -d ' ')
	if sh "$TOP/scripts/check-layers.sh" "$T/top" > "$T/out" 2>&1; then
		fail "'$2' in $1 passed the check"
	fi
	grep -qF "$1:$line: $3" "$T/out" ||
		fail "no '$1:$line: $3' in: $(cat "$T/out")"
	cp "$T/saved" "$T/top/$1"
}
bad src/lib/store/db.c '#include "round/round_int.h"' 'includes round/round_int.h, private to round'
bad src/lib/io/export.c '#include "store/store_int.h"' 'includes store/store_int.h, private to store'
bad src/lib/round/doc.c '#include "plan/plan_int.h"' 'includes plan/plan_int.h, private to plan'
bad src/lib/match/query.c '#include "store/round_rows.h"' 'includes store/round_rows.h, an interface of store for round only'
bad src/lib/core/date.c '#include "register/record.h"' 'includes register/record.h, an interface of register for store io only'
bad src/cli/cmd_init.c '#include "core/why.h"' 'front end includes core/why.h'
bad src/lib/plan/policy.c '#include <sqlite3.h>' 'includes <sqlite3.h>'
bad src/lib/io/export.c '	sqlite3_step(st);' 'calls SQLite: only the store speaks SQL'
# A new function of a public header above the store, defined in it.
bad src/lib/store/stats.c 'cartel_plan_free(void)' 'the store defines cartel_plan_free of <cartel/plan.h>'
grep -q 'cartel_plan_free(' "$TOP/include/cartel/plan.h" ||
	fail "the last case needs a function of <cartel/plan.h>"
echo ok
