#!/bin/sh
# Compares two builds of cartel on the import and search figures, run
# interleaved (old, new, old, new, ...) so that a change of load on a
# shared machine falls on both alike. Not run by `make bench` (it needs a
# second build); the figures in docs/figures.md came from it.
#
#   sh bench/compare.sh OLD_BUILD NEW_BUILD what [ARGS]
#
#   import ROWS REPEATS   wall and CPU seconds of `import csv` of ROWS rows
#                         of `cartel generate`, REPEATS times each build;
#                         prints each run and the medians
#   search ROWS QUERIES   `cartel search` through the saved index on a
#                         register of ROWS persons made by each build: the
#                         wall milliseconds of QUERIES searches, each query
#                         run by both builds in turn; prints the medians
#   callgrind-import ROWS instructions executed by `import csv` of ROWS
#                         rows (valgrind --tool=callgrind): repeatable
#                         whatever the load
#   callgrind-search ROWS QUERIES
#                         instructions of QUERIES `cartel search` runs
#                         through the index, summed
#
# The load average is printed before and after each part.
set -eu
[ $# -ge 3 ] || { sed -n '2,22p' "$0" >&2; exit 2; }
OLD=$(cd "$1" && pwd)/cartel
NEW=$(cd "$2" && pwd)/cartel
what=$3
shift 3
[ -x "$OLD" ] && [ -x "$NEW" ] || { echo "compare: $OLD or $NEW missing" >&2; exit 1; }
W=$(mktemp -d "${TMPDIR:-/tmp}/cartel-compare.XXXXXX")
trap 'rm -rf "$W"' EXIT
load() { echo "load $1: $(cut -d' ' -f1-3 /proc/loadavg)"; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

gen() { # rows -> $W/p.csv (the same file for both builds)
	"$NEW" generate --per-side $(($1 / 2)) --seed 1 --today 2025-06-30 -o "$W/p.csv" 2>/dev/null
}

# A register of the persons of $W/p.csv made by build $1 (old|new) at $2.
make_db() {
	c=$OLD
	[ "$1" = new ] && c=$NEW
	rm -f "$2" "$2"-*
	"$c" --db "$2" init >/dev/null
	/usr/bin/time -f "%e %U %S" -o "$W/t" "$c" --db "$2" import csv "$W/p.csv" >"$W/out"
	grep -q " 0 rejected" "$W/out" || { echo "compare: $(cat "$W/out")" >&2; exit 1; }
}

# Instructions executed by a command, from callgrind's summary.
instr() {
	valgrind --tool=callgrind --callgrind-out-file="$W/cg.out" "$@" >/dev/null 2>"$W/vg"
	sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$W/vg"
}

queries() { # n -> $W/queries: names of the register's own rows
	n=$(($(wc -l <"$W/p.csv") - 1))
	step=$((n / $1))
	[ "$step" -ge 1 ] || step=1
	awk -F, -v step="$step" -v nq="$1" \
		'NR > 1 && (NR - 2) % step == 0 && k < nq {
			k++
			born = (k % 2 == 0 && $5 != "") ? "--born " $5 : ""
			print born "\t" $2 " " $3
		}' "$W/p.csv" >"$W/queries"
}

case $what in
import)
	rows=$1 reps=$2
	gen "$rows"
	load before
	echo "run build   wall s   user s    sys s"
	: >"$W/old" ; : >"$W/new"
	i=0
	while [ "$i" -lt "$reps" ]; do
		i=$((i + 1))
		for b in old new; do
			make_db $b "$W/r.db"
			read -r wall user sys <"$W/t"
			printf '%3d %5s %8.2f %8.2f %8.2f\n' "$i" $b "$wall" "$user" "$sys"
			echo "$wall $user $sys" >>"$W/$b"
		done
	done
	load after
	for b in old new; do
		printf 'median %s: wall %s s, user %s s, sys %s s\n' $b \
			"$(cut -d' ' -f1 "$W/$b" | median)" \
			"$(cut -d' ' -f2 "$W/$b" | median)" \
			"$(cut -d' ' -f3 "$W/$b" | median)"
	done
	;;
search)
	rows=$1 nq=$2
	gen "$rows"
	make_db old "$W/old.db"
	make_db new "$W/new.db"
	"$OLD" --db "$W/old.db" search --rebuild-index >/dev/null
	"$NEW" --db "$W/new.db" search --rebuild-index >/dev/null
	queries "$nq"
	load before
	: >"$W/old" ; : >"$W/new"
	while IFS='	' read -r born name; do
		for b in old new; do
			c=$OLD
			[ $b = new ] && c=$NEW
			t0=$(date +%s%N)
			# shellcheck disable=SC2086
			"$c" --db "$W/$b.db" search $born $name >/dev/null 2>&1
			t1=$(date +%s%N)
			echo $(((t1 - t0) / 1000)) >>"$W/$b"
		done
	done <"$W/queries"
	load after
	for b in old new; do
		printf 'median %s: %s us over %s searches\n' $b "$(median <"$W/$b")" "$(wc -l <"$W/$b")"
	done
	;;
callgrind-import)
	gen "$1"
	for b in old new; do
		c=$OLD
		[ $b = new ] && c=$NEW
		rm -f "$W/r.db" "$W"/r.db-*
		"$c" --db "$W/r.db" init >/dev/null
		echo "$b: $(instr "$c" --db "$W/r.db" import csv "$W/p.csv") instructions"
	done
	;;
callgrind-search)
	rows=$1 nq=$2
	gen "$rows"
	queries "$nq"
	for b in old new; do
		c=$OLD
		[ $b = new ] && c=$NEW
		make_db $b "$W/$b.db"
		"$c" --db "$W/$b.db" search --rebuild-index >/dev/null
		sum=0
		while IFS='	' read -r born name; do
			# shellcheck disable=SC2086
			n=$(instr "$c" --db "$W/$b.db" search $born $name)
			sum=$((sum + n))
		done <"$W/queries"
		echo "$b: $sum instructions over $nq searches"
	done
	;;
*)
	echo "compare: unknown '$what'" >&2
	exit 2
	;;
esac
