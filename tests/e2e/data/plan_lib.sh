# Shared by the tests/e2e/plan_*.sh cases: a scratch folder, the small
# register of data/plan_small.csv, and checks that print what they saw.
set -eu
: "${CARTEL:?the cartel binary}" "${TOP:?the source tree}"
export CARTEL_TODAY=2026-06-01
unset CARTEL_DB
WORK=$(mktemp -d "${TMPDIR:-/tmp}/cartel-plan.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
DB=$WORK/register.db
POL=$TOP/examples/policies

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# expect TEXT FILE: FILE holds TEXT.
expect() {
	grep -F -- "$1" "$2" >/dev/null || {
		echo "--- $2:" >&2
		cat "$2" >&2
		fail "expected '$1'"
	}
}

# reject TEXT FILE: FILE does not hold TEXT.
reject() {
	if grep -F -- "$1" "$2" >/dev/null; then
		echo "--- $2:" >&2
		cat "$2" >&2
		fail "did not expect '$1'"
	fi
}

# run WANT_EXIT CMD...: runs CMD, output in $WORK/out and $WORK/err.
run() {
	want=$1
	shift
	set +e
	"$@" >"$WORK/out" 2>"$WORK/err"
	got=$?
	set -e
	if [ "$got" -ne "$want" ]; then
		cat "$WORK/out" "$WORK/err" >&2
		fail "exit $got, expected $want: $*"
	fi
}

load_small() {
	run 0 "$CARTEL" --db "$DB" init
	run 0 "$CARTEL" --db "$DB" import csv "$TOP/tests/e2e/data/plan_small.csv"
}

# explain ID POLICY TEXT: the explanation of ID under POLICY holds TEXT.
explain() {
	run 0 "$CARTEL" --db "$DB" plan explain "$1" --policy "$2" --verbose
	expect "$3" "$WORK/out"
}
