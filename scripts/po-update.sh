#!/bin/sh
# Extracts every marked message of the library and the command into
# po/cartel.pot, then merges it into the catalogues: po/uk.po and po/ru.po
# keep their translations (a changed message comes back fuzzy, a new one
# empty, for a translator to fill in), po/en.po is the English itself.
# `make po-update` runs it; docs/i18n.md says how to add a message.
#
# Usage: scripts/po-update.sh [TOP] [OUT.pot]
#   OUT.pot: write the template there and merge nothing (the check of
#   tests/e2e/i18n_catalogues.sh uses it on a fresh extraction).
set -eu
TOP=${1:-.}
cd "$TOP"
OUT=${2:-}

# The marks: the library's (src/lib/core/intl.h) and the command's
# (src/cli/cli.h), where the error helpers translate their first text.
# The library's helpers that build a reason translate their format
# themselves (src/lib/core/why.h): cartel__why, a round rule's breach
# (round/rules.c), a document's problem (round/seal.c), a policy's
# error (plan/policy.c), and what a failed database call was doing
# (cartel__db_err, store/db.c). The web app's texts are WEB_TEXT(key,
# text), the key their context (io/web_texts.c).
KEYWORDS="-k_ -kN_ -kC_:1c,2 -kNC_:1c,2 -kWEB_TEXT:1c,2 -kcartel_gettext
 -kcartel_ngettext:1,2 -kcartel_pgettext:1c,2
 -kcli_fail:1 -kcli_usage:2 -kcli_error:3 -kcli_rules_error:5
 -kcartel__why:3 -kbreach:5 -kcartel__problem:2 -kperr:4
 -kcartel__db_err:3"
FLAGS="--flag=cli_fail:1:c-format --flag=cli_usage:2:c-format
 --flag=cartel__why:3:c-format --flag=breach:5:c-format
 --flag=cartel__problem:2:c-format --flag=perr:4:c-format"

pot=${OUT:-po/cartel.pot}
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
find src/lib src/cli src/server \( -name '*.c' -o -name '*.h' \) 2>/dev/null | LC_ALL=C sort >"$tmp"
# shellcheck disable=SC2086
xgettext --language=C --from-code=UTF-8 --add-comments=TRANSLATORS: \
	--package-name=cartel --msgid-bugs-address="the cartel issue tracker" \
	--no-wrap --sort-by-file $KEYWORDS $FLAGS \
	-o "$pot" -f "$tmp"
[ -n "$OUT" ] && exit 0

for lang in uk ru; do
	msgmerge --quiet --update --backup=none --no-wrap "po/$lang.po" "$pot"
done
# English is the msgids themselves (msginit fills them in for English).
msginit --no-translator --no-wrap --locale=en_US.UTF-8 \
	--input="$pot" --output-file=po/en.po >/dev/null 2>&1
echo "po/cartel.pot: $(grep -c '^msgid' "$pot") messages" >&2
