#!/bin/sh
# The three catalogues are complete: every message marked in the sources
# (extracted afresh, as `make po-update` does) has a translation in
# po/uk.po and po/ru.po that is neither empty nor fuzzy, po/en.po has
# them all, and msgfmt -c finds every translation's conversions (%s, %zu,
# %1$s) matching its English. A new message left untranslated fails here.
set -eu
: "${TOP:?the source tree}"
T=$(mktemp -d "${TMPDIR:-/tmp}/cartel-po.XXXXXX")
trap 'rm -rf "$T"' EXIT
fail() {
	echo "FAIL: $*" >&2
	exit 1
}

sh "$TOP/scripts/po-update.sh" "$TOP" "$T/fresh.pot" 2>"$T/x.err" ||
	fail "xgettext failed: $(cat "$T/x.err")"
n=$(grep -c '^msgid ' "$T/fresh.pot")
[ "$n" -gt 300 ] || fail "only $n messages extracted: are the marks found?"

for lang in en uk ru; do
	po=$TOP/po/$lang.po
	msgfmt -c --statistics -o /dev/null "$po" 2>"$T/stat" ||
		fail "$lang.po: msgfmt -c: $(cat "$T/stat")"
	if grep -q -e fuzzy -e untranslated "$T/stat"; then
		fail "$lang.po: $(cat "$T/stat")"
	fi
	# Every message of the sources is in the catalogue, translated.
	msgcmp "$po" "$T/fresh.pot" 2>"$T/cmp" ||
		fail "$lang.po lacks messages of the sources (run make po-update and translate):
$(head -20 "$T/cmp")"
done

# A Ukrainian or Russian translation that is the English itself is a
# message forgotten, not translated (a few are the same in every language:
# formats such as "%s: %s", and ordinals' digits are not).
for lang in uk ru; do
	msgattrib --no-wrap --translated "$TOP/po/$lang.po" |
		awk '/^msgid "/ { id = $0; sub(/^msgid /, "", id) }
		     /^msgstr "/ { s = $0; sub(/^msgstr /, "", s);
			if (s == id && id ~ /[a-z]+ [a-z]+ [a-z]+/) print id }' \
		>"$T/same"
	[ ! -s "$T/same" ] ||
		fail "$lang.po: left in English: $(head -5 "$T/same")"
done
echo "catalogues complete: $n messages"
