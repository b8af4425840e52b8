#!/bin/sh
# Writes the two workbooks of this folder again with LibreOffice Calc
# (Debian's libreoffice-calc-nogui; not in scripts/deps.sh, for its size):
#   list_csv.xlsx   from list.csv  (the CSV import filter: UTF-8, comma,
#                   ISO dates recognised as dates)
#   list_fods.xlsx  from list.fods (a merged header cell, Ukrainian headers,
#                   dates shown DD.MM.YYYY, an empty and a formatted row)
# and records the version that wrote them in VERSION. The test
# tests/e2e/xlsx_libreoffice.sh reads the committed files; it never runs
# LibreOffice.
set -eu
cd "$(dirname "$0")"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
# A profile of its own, so that a user's settings never change the files.
lo() {
	soffice "-env:UserInstallation=file://$T/profile" --headless "$@" \
		--outdir "$T" >/dev/null 2>&1
}
# CSV filter: comma (44), double quote (34), UTF-8 (76), from line 1,
# standard columns, English (1033), quoted text not forced to text,
# special numbers (dates) detected.
lo --infilter="CSV:44,34,76,1,,1033,false,true" --convert-to xlsx list.csv
mv "$T/list.xlsx" list_csv.xlsx
lo --convert-to xlsx list.fods
mv "$T/list.xlsx" list_fods.xlsx
soffice --version | sed -n 1p >VERSION
echo "written by $(cat VERSION)"
