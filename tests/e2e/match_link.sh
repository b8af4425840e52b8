#!/bin/sh
# cartel link on two small hand-written lists: the same men spelled by a
# Russian clerk and by their families (Ukrainian, Latin in several
# systems), a brother as a hard negative, Жукова against Зукова. Checks the
# output contract (header, columns, bands) and that only the right pairs
# are linked.
set -eu
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cat > "$T/left.csv" <<'CSV'
id,family_name,given_name,patronymic,birth_date,rank,notes
L1,КОВАЛЬЧУК,АЛЕКСАНДР,ПЕТРОВИЧ,02.03.1990,рядовой,ignored column
L2,Жукова,Ольга,Ивановна,11.06.1985,,
L3,Бондаренко,Сергей,Иванович,12.04.1979,,
L4,Бондаренко,Николай,Иванович,30.09.1981,,
L5,Гайдамака,Юрий,Андреевич,1975,,
L6,Петренко,Василий,,01.01.1992,,
CSV
cat > "$T/right.csv" <<'CSV'
id,given_name,family_name,birth_date,service_number
R1,Mykola,Bondarenko,1981-09-30,
R2,Alexander,Kowaltschuk,1990-02-03,
R3,Ольга,Зукова,1986-02-19,
R4,Сергій,Бондаренко,1979-04-12,
R5,Yurii,Haidamaka,1975-08-17,
CSV
"$CARTEL" link "$T/left.csv" "$T/right.csv" -o "$T/out.csv" \
	--review "$T/review.csv" 2> "$T/err"
head -1 "$T/out.csv" | grep -qx 'left_id,right_id,score,explanation'
head -1 "$T/review.csv" | grep -qx 'left_id,right_id,score,explanation'
pairs=$(tail -n +2 "$T/out.csv" | cut -d, -f1,2 | sort | tr '\n' ' ')
want='L1,R2 L3,R4 L4,R1 L5,R5 '
if [ "$pairs" != "$want" ]; then
	echo "linked: '$pairs', wanted '$want'"; cat "$T/out.csv"; exit 1
fi
# Scores are probabilities at or above the default threshold.
tail -n +2 "$T/out.csv" | awk -F, '{ if ($3 < 0.9 || $3 > 1) { print "bad score " $3; exit 1 } }'
# The explanation names the evidence in words.
grep -q 'given name: АЛЕКСАНДР = Alexander via the name table' "$T/out.csv"
grep -q 'day and month swapped' "$T/out.csv"
# Жукова is never linked to Зукова, in either file.
if grep -q '^L2,' "$T/out.csv"; then echo "Жукова linked"; exit 1; fi
grep -q 'matched' "$T/err"
# --threshold moves pairs between the files; a bad value is a usage error.
"$CARTEL" link "$T/left.csv" "$T/right.csv" --threshold 1 -o "$T/strict.csv" 2>/dev/null
[ "$(wc -l < "$T/strict.csv")" -le "$(wc -l < "$T/out.csv")" ]
set +e
"$CARTEL" link "$T/left.csv" "$T/right.csv" --threshold 2 >/dev/null 2>&1
[ $? -eq 2 ] || { echo "threshold 2 accepted"; exit 1; }
"$CARTEL" link "$T/left.csv" >/dev/null 2>&1
[ $? -eq 2 ] || { echo "one file accepted"; exit 1; }
exit 0
