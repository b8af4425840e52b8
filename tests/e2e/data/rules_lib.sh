# Shared by the tests/e2e/rules_*.sh cases: one register holding both
# sides (data/round_persons.csv and a few more men whose records break a
# rule), both keys, a good plan and a good agreed list, and helpers that
# edit a plan or a list by hand (jq) and check that every step refuses it.
set -eu
: "${CARTEL:?the cartel binary}" "${TOP:?the source tree}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
D="$TOP/tests/e2e/data"
DB="$T/r.db"
C="$CARTEL --db $DB"
fail() { echo "FAIL: $*" >&2; exit 1; }
export CARTEL_NOW=2026-06-01T10:00:00Z

$C init >/dev/null
$C import csv "$D/round_persons.csv" >/dev/null
# RU-6 refused repatriation; RU-7 died; RU-8 was released; UA-10 awaits
# direct repatriation (Art. 110).
cat >"$T/more.csv" <<'EOF'
id,family_name,given_name,birth_date,rank,service_number,held_by,depends_on,category,health,direct_repatriation,consent,status,captured_on
RU-6,Орлов,Павел,1995,рядовой,B206,UA,RU,military,good,no,refuses,confirmed_captive,2023-06-01
RU-7,Лебедев,Иван,1996,рядовой,B207,UA,RU,military,good,no,willing,confirmed_captive,2023-06-02
RU-8,Козлов,Олег,1997,рядовой,B208,UA,RU,military,good,no,willing,confirmed_captive,2023-06-03
EOF
$C import csv "$T/more.csv" >/dev/null
$C event add RU-7 status deceased --by bureau --source official_list \
	>/dev/null
$C event add RU-8 status released --by bureau --source official_list \
	>/dev/null
$C key new --party UA -o "$T" >/dev/null
$C key new --party RU -o "$T" >/dev/null
$C plan --policy "$D/round_policy.yaml" -o "$T/plan.json" >/dev/null
$C round new --plan "$T/plan.json" --kind agreed --id R-G -o "$T/good.json" \
	>/dev/null || fail "the good plan made no list"
# A register that knows none of the persons signs on its parties' word:
# it is where a list edited by hand gets both signatures.
X="$CARTEL --db $T/x.db"
$X init >/dev/null
$X key import "$T/UA.pub" --party UA >/dev/null
$X key import "$T/RU.pub" --party RU >/dev/null

# reseal IN OUT: what a forger does after editing a list by hand: the
# manifest and the digest computed again (RFC 8785 canonical form: jq's
# sorted compact output, for these documents), the signatures dropped.
reseal() {
	jq -c 'del(.manifest, .digest, .signatures)' "$1" >"$T/rs.body"
	jq -c '
	  def m($p; $v):
	    if ($v | type) == "object" and ($v | length) > 0 then
	      $v | to_entries[] | m($p + "." + .key; .value)
	    elif ($v | type) == "array" and ($v | length) > 0 and
	         all($v[]; type == "object" and (.id | type) == "string") then
	      [$p, [$v[].id]], ($v[] | [$p + "[" + .id + "]", .])
	    else [$p, $v] end;
	  . as $d | keys_unsorted[] | m(.; $d[.]) | .[0] |= ltrimstr(".")
	' "$T/rs.body" >"$T/rs.pairs"
	: >"$T/rs.man"
	while IFS= read -r line; do
		p=$(printf '%s' "$line" | jq -r '.[0]')
		h=$(printf '%s' "$line" | jq -cS '.[1]' | tr -d '\n' |
			sha256sum | cut -c1-32)
		printf '%s\t%s\n' "$p" "$h" >>"$T/rs.man"
	done <"$T/rs.pairs"
	jq -Rn '[inputs | split("\t") | {(.[0]): .[1]}] | add' "$T/rs.man" \
		>"$T/rs.m"
	jq -cS --slurpfile m "$T/rs.m" '. + {manifest: $m[0]}' "$T/rs.body" \
		>"$T/rs.full"
	d=$(tr -d '\n' <"$T/rs.full" | sha256sum | cut -d' ' -f1)
	jq --arg d "sha256:$d" '. + {digest: $d}' "$T/rs.full" >"$2"
}

# says FILE TEXT...: FILE holds each TEXT.
says() {
	sf=$1
	shift
	for t in "$@"; do
		grep -qF -- "$t" "$sf" || fail "no '$t' in: $(cat "$sf")"
	done
}

# refused_new PLAN TEXT...: round new refuses the plan with each TEXT and
# writes no list.
refused_new() {
	p=$1
	shift
	if $C round new --plan "$p" --kind agreed --id R-X -o "$T/new.json" \
		>/dev/null 2>"$T/err"; then
		fail "round new took $p"
	fi
	says "$T/err" "$@"
	[ ! -e "$T/new.json" ] || fail "round new left a file"
}

# refused_sign DOC TEXT...: round sign refuses DOC with each TEXT and
# leaves the file as it was.
refused_sign() {
	f=$1
	shift
	cp "$f" "$T/before.json"
	if $C round sign "$f" --key "$T/UA.key" >/dev/null 2>"$T/err"; then
		fail "round sign signed $f"
	fi
	says "$T/err" "$@"
	cmp -s "$f" "$T/before.json" || fail "a refused sign changed the file"
}

# refused_start DOC TEXT...: DOC signed by both parties in a register that
# knows none of its persons (the signatures hold), then refused by handover
# start with each TEXT; nothing is loaded and nobody's status moves.
refused_start() {
	f=$1
	shift
	$X round sign "$f" --key "$T/UA.key" >/dev/null
	$X round sign "$f" --key "$T/RU.key" >/dev/null
	$C round verify "$f" >/dev/null || fail "the signatures do not hold"
	st=$($C stats --json)
	if $C handover start "$f" --by mediator >/dev/null 2>"$T/err"; then
		fail "handover start loaded $f"
	fi
	says "$T/err" "$@"
	[ "$(sqlite3 "$DB" 'SELECT count(*) FROM round_doc')" = 0 ] ||
		fail "a refused start loaded the round"
	[ "$($C stats --json)" = "$st" ] || fail "a refused start moved a status"
}

# redigest IN OUT: a plan edited by hand, its digest made again as the
# planner makes it (the compact form, keys in order, without the digest),
# so that the edit breaks no rule but the one it is for.
redigest() {
	python3 - "$1" "$2" <<'PY'
import hashlib, json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
d.pop("digest", None)
s = json.dumps(d, ensure_ascii=False, separators=(",", ":"))
d["digest"] = hashlib.sha256(s.encode("utf-8")).hexdigest()
json.dump(d, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False,
          indent=1)
PY
}

# plan_edit JQ OUT: the good plan through the jq filter, digest made again.
plan_edit() {
	jq "$1" "$T/plan.json" >"$T/pe.json"
	redigest "$T/pe.json" "$2"
}

# doc_edit JQ OUT: the good list through the jq filter, sealed again.
doc_edit() {
	jq "$1" "$T/good.json" >"$T/de.json"
	reseal "$T/de.json" "$2"
}
