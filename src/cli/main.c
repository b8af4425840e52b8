/*
 * The cartel command: global options, then one command from the table.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cartel/cartel.h>
#include <cartel/json.h>
#include <cartel/round.h>

#include "cli.h"

/*
 * The command table. Usage texts are what `cartel help NAME` prints; keep
 * them in step with docs/cartel.1.
 */
static const struct cli_command commands[] = {
	/* CARTEL_COMMANDS_BEGIN (one row per command, in help order) */
	{"init", cmd_init, N_("create the register (or upgrade an older one)"),
	 N_("usage: cartel [--db PATH] init [--party CODE | --mediator NAME]\n"
	 "                              [--by WHO] [--json]\n"
	 "\n"
	 "Creates the register file (default ./cartel.db, or $CARTEL_DB) with\n"
	 "the current schema, or applies the schema migrations an older file\n"
	 "lacks. Running it on an up-to-date register changes nothing.\n"
	 "A register made by a newer cartel is refused.\n"
	 "--party CODE makes it a party's register (its information bureau),\n"
	 "--mediator NAME the neutral intermediary's; without either it is a\n"
	 "shared working register (see cartel owner). See docs/protocol.md.\n")},
	{"owner", cmd_owner, N_("whose register this is: a party's or the mediator's"),
	 N_("usage: cartel owner [show] [--json]\n"
	 "       cartel owner set --party CODE | --mediator NAME [--by WHO]\n"
	 "\n"
	 "show prints the register's owner. set gives a register without an\n"
	 "owner one, once (refused when it has one); audited. The owner is\n"
	 "shown by stats and written into every document the register makes.\n"
	 "See docs/protocol.md.\n")},
	{"party", cmd_party, N_("the register's list of parties, which codes are checked against"),
	 N_("usage: cartel party add CODE [--by WHO] [--json]\n"
	 "\n"
	 "Adds CODE to the register's list of parties (audited; adding it\n"
	 "again changes nothing). Once a register has a list, held_by,\n"
	 "depends_on and a policy's parties must name a party it knows: one\n"
	 "added, its owner, one whose key is pinned, or one its persons are\n"
	 "already held by or depend on. Without a list any well-formed code is\n"
	 "taken. See docs/limits.md.\n")},
	{"declare", cmd_declare, N_("a party's signed list of whom it holds or seeks"),
	 N_("usage: cartel declare held|sought -o FILE --key CODE.key\n"
	 "                      [--fields LIST] [--as-of DATE] [--by WHO] [--json]\n"
	 "\n"
	 "In a party's register: held writes the persons in its custody\n"
	 "(confirmed captive, proposed, agreed; held by the party), sought its\n"
	 "own people it looks for (depending on it, reported missing or held\n"
	 "by the other side). Each with the register's id and only the fields\n"
	 "of --fields (comma-separated import columns; default family_name,\n"
	 "given_name, patronymic, birth_date, rank, service_number), sealed\n"
	 "and signed with the party's pinned key, numbered one more than the\n"
	 "last declaration of its kind. See docs/protocol.md.\n")},
	{"receive", cmd_receive, N_("check and load a declaration from another register"),
	 N_("usage: cartel receive FILE [--fields LIST] [--by WHO] [--json]\n"
	 "\n"
	 "Checks the whole declaration before anything is written: size,\n"
	 "format, kind, party, the fields (only those of --fields, default the\n"
	 "identifying fields declare sends), each person once, the seal, and\n"
	 "the signature against the key pinned for the declaring party; an\n"
	 "older or replayed declaration is refused. Then records the persons\n"
	 "under the sender's ids, as declared by that party. A later\n"
	 "declaration of the same kind supersedes the earlier one: prints who\n"
	 "was added, dropped (marked no longer declared, never deleted),\n"
	 "changed or returned (--json: the same as JSON, with the fields).\n"
	 "See docs/protocol.md.\n")},
	{"links", cmd_links, N_("identity links: their persons to ours, by the engine"),
	 N_("usage: cartel links make THEIRS OURS [--threshold P]\n"
	 "                        [--review-threshold P] [--all] [--by WHO] [--json]\n"
	 "       cartel links list [--party CODE] [--json]\n"
	 "       cartel links confirm PARTY:THEIR_ID OUR_ID --by WHO [--why TEXT]\n"
	 "       cartel links revoke PARTY:THEIR_ID OUR_ID --by WHO --why TEXT\n"
	 "\n"
	 "make links the persons of a received declaration (THEIRS: PARTY:held\n"
	 "or PARTY:sought) with OURS: register (this register's own persons)\n"
	 "or, at the mediator, another party's declaration (RU:held). The\n"
	 "matching engine decides: sure pairs are linked, probable ones go to\n"
	 "the review queue (cartel review list; confirming there confirms the\n"
	 "link, rejecting revokes it), the rest are listed as unmatched with\n"
	 "their nearest candidates (--all lists the linked too). Persons linked\n"
	 "before are kept; a pair revoked is not made again. confirm and revoke\n"
	 "are a person's decision (confirm also links by hand); OUR_ID is\n"
	 "PARTY:ID for a declared person. Every link is audited and under the\n"
	 "row ledger. See docs/protocol.md.\n")},
	{"import", cmd_import, N_("import a CSV or XLSX list, or a PFIF feed, of persons"),
	 N_("usage: cartel import csv FILE|- [--all-or-nothing] [--rejects FILE]\n"
	 "                    [--actor WHO] [--source KIND] [--json]\n"
	 "                    [--delimiter D] [--encoding NAME]\n"
	 "                    [--update [--add-new]]\n"
	 "\n"
	 "Reads the import CSV (docs/import.md): UTF-8, a header row, column\n"
	 "names case-insensitive in any order; unknown columns are kept as\n"
	 "extra attributes. Every valid row is written in one transaction with\n"
	 "its event and audit entries; the other rows go to the reject file\n"
	 "(row, column, reason; default FILE.rejects.csv, or\n"
	 "import.rejects.csv for standard input), which exists only when a\n"
	 "row was rejected.\n"
	 "  --all-or-nothing  any bad row aborts the whole file (nothing is\n"
	 "                    written; the reject file lists every bad row)\n"
	 "  --rejects FILE    where to write the rejected rows\n"
	 "  --actor WHO       who is recorded on the events (default import)\n"
	 "  --source KIND     reliability of rows without a source cell\n"
	 "                    (default official_list)\n"
	 "  --delimiter D     , ; tab (default: the one the header uses)\n"
	 "  --encoding NAME   windows-1251, UTF-16, KOI8-R, ... (default\n"
	 "                    UTF-8; another encoding is refused, named)\n"
	 "  --update          apply a corrected file to the persons it names\n"
	 "                    (by id): each changed cell becomes an event;\n"
	 "                    empty and unchanged cells change nothing\n"
	 "  --add-new         with --update: add ids not in the register\n"
	 "Headers and enumerated values may be Ukrainian or Russian\n"
	 "(data/list_columns.tsv, data/list_values.tsv); a file with no name\n"
	 "column is refused.\n"
	 "       cartel import xlsx FILE [--sheet NAME] [--all-or-nothing]\n"
	 "                    [--rejects FILE] [--actor WHO] [--source KIND]\n"
	 "A workbook is read as the CSV: the same columns (first row not\n"
	 "empty), checks, reject report (the sheet's row numbers) and\n"
	 "--all-or-nothing; dates as dates or text, formulas by their value,\n"
	 "never run. A file that is not a workbook, a DTD or a zip bomb is\n"
	 "refused and the register left as it was (docs/import.md).\n"
	 "Exit status: 0 all rows imported, 1 some rows rejected (the valid\n"
	 "ones are in) or the import failed, 2 usage error.\n"
	 "\n"
	 "usage: cartel import pfif FILE|- [--domain NAME] [--all-or-nothing]\n"
	 "                    [--rejects FILE] [--actor WHO] [--source KIND]\n"
	 "Reads a PFIF 1.4 feed (docs/pfif.md): person records add or update\n"
	 "the person their record id names (DOMAIN/ID is the register's own ID;\n"
	 "any other record id is kept whole as the id), notes become status\n"
	 "events (believed_dead: deceased). Rejects: row = the record's place\n"
	 "in the document, the PFIF field, the rule. --source defaults to\n"
	 "family_report, --domain to cartel.invalid.\n")},
	{"export", cmd_export, N_("export the register as CSV, JSON, XLSX or PFIF"),
	 N_("usage: cartel export csv|json [-o FILE] [--to WHOM] [--by WHO]\n"
	 "                    [--for-spreadsheet]\n"
	 "       cartel export xlsx -o FILE [--round ID] [--to WHOM]"
	 " [--by WHO]\n"
	 "       cartel export pfif [-o FILE] [--domain NAME] [--since TIME]\n"
	 "                          [--include-captives] [--to WHOM] [--by WHO]\n"
	 "                          [--with health,legal_hold,notes]\n"
	 "\n"
	 "Writes every person, ordered by id, to standard output or FILE (written\n"
	 "under a temporary name and renamed when complete). The CSV uses the\n"
	 "import columns, then one column per extra attribute, so that an\n"
	 "export imports back unchanged. The JSON is an array of objects, one\n"
	 "per person, extra attributes under \"extra\". The workbook has the\n"
	 "CSV's columns, a frozen header, dates as dates, every other cell a\n"
	 "string, never a formula. With --round ID, the lists of a loaded\n"
	 "round instead: a sheet per list, each person's place and stage, the\n"
	 "fields both parties agreed to print, and his handover status.\n"
	 "Every export is recorded in the transfer log (cartel transfers):\n"
	 "who (--by, else the login name), to whom (--to), how many persons,\n"
	 "when, and the SHA-256 of what was written.\n"
	 "  --for-spreadsheet  a cell beginning with = + - @, a tab or a\n"
	 "                     carriage return gets a leading ' so that a\n"
	 "                     spreadsheet never runs it as a formula (the\n"
	 "                     file then no longer imports back byte for byte)\n"
	 "pfif writes PFIF 1.4 (docs/pfif.md): only what may be published, so\n"
	 "no person in custody unless --include-captives (GC III Art. 13);\n"
	 "names, sex, date of birth, a note per change of status; health,\n"
	 "legal hold and notes only when named by --with. --since TIME\n"
	 "(YYYY-MM-DDTHH:MM:SSZ): only what was recorded after it.\n")},
	{"transfers", cmd_transfers, N_("the log of every file that left the register"),
	 N_("usage: cartel transfers [--json]\n"
	 "\n"
	 "Lists every recorded transfer, oldest first: its number, when, what\n"
	 "kind of file, who sent it, how many persons, to whom, the file and\n"
	 "its SHA-256. Exports, round documents, declarations, handover\n"
	 "sheets and backups are recorded as they are written. The log is\n"
	 "under the audit chain: a record changed behind the register's back\n"
	 "is refused (exit 1). See docs/transfers.md.\n")},
	{"person", cmd_person, N_("add, show or list persons"),
	 N_("usage: cartel person add FIELD=VALUE... --by WHO --source KIND\n"
	 "                         [--ref TEXT] [--note TEXT]\n"
	 "       cartel person show ID [--json]\n"
	 "       cartel person list [--held-by PARTY] [--status STATUS] [--json]\n"
	 "\n"
	 "add records a new person from FIELD=VALUE pairs, FIELD being an\n"
	 "import column (family_name=..., birth_date=1994-03, held_by=RU, ...;\n"
	 "see docs/import.md); other names become extra attributes. No field\n"
	 "is required; without id= the register assigns one, which is printed.\n"
	 "--by names who records it, --source the kind of source\n"
	 "(official_list, capture_card, icrc_visit, counterpart_list,\n"
	 "video_testimony, family_report), --ref the document.\n"
	 "show prints the current state and every event, oldest first.\n"
	 "list prints one line per person, ordered by id.\n")},
	{"event", cmd_event, N_("record a change to a person, or correct one"),
	 N_("usage: cartel event add PERSON_ID FIELD VALUE --by WHO --source KIND\n"
	 "                        [--ref TEXT] [--note TEXT] [--at TIME]\n"
	 "       cartel event correct EVENT_ID --reason TEXT --source KIND\n"
	 "                        [--by WHO] [--ref TEXT] [--at TIME]\n"
	 "       cartel event import FILE|- [--by WHO] [--source KIND]\n"
	 "                        [--all-or-nothing] [--rejects FILE]\n"
	 "                        [--delimiter D] [--encoding NAME]\n"
	 "\n"
	 "Appends one change (FIELD from old value to VALUE) to the person's\n"
	 "history and updates the current state, with its audit entry. FIELD is\n"
	 "an import column (status, health, consent, held_by, ...) or one of\n"
	 "father_name, mother_maiden_name, inform_person, held_since,\n"
	 "direct_rep_by, direct_rep_on, consent_by, consent_on, or attr:NAME for\n"
	 "an extra attribute. An empty VALUE clears the field. A status change\n"
	 "must follow the lifecycle (docs/data-model.md); dates and enum values\n"
	 "are checked. The id cannot change. It prints the new event's number.\n"
	 "\n"
	 "correct records that event EVENT_ID (the #N of 'person show') was made\n"
	 "in error and restores the value it replaced, as a new audited event\n"
	 "whose note is the reason (a man reported dead and found alive goes back\n"
	 "to the status he had). The wrong event stays in the history, marked\n"
	 "corrected. Only the newest change to a field is corrected: a later\n"
	 "change to the same field is named and must be corrected first. The\n"
	 "creation, a correction, an event already corrected and an unknown\n"
	 "number are refused, with nothing written. --by defaults to $USER.\n"
	 "\n"
	 "import records a CSV of events (person_id, field, value, and\n"
	 "optionally source, by, at, note, ref) in one transaction, each by\n"
	 "the rule of add; rejected rows go to FILE.rejects.csv (row, column,\n"
	 "reason) and the others are recorded, unless --all-or-nothing.\n"
	 "--by and --source fill empty by and source cells.\n")},
	{"audit", cmd_audit, N_("verify the audit hash chain"),
	 N_("usage: cartel audit verify [--head HASH] [--json]\n"
	 "\n"
	 "Walks the audit chain from its first entry: each entry's hash,\n"
	 "its link to the one before, the event rows it covers, the chain's\n"
	 "head, and the current state of every person against its events.\n"
	 "Prints the head hash when all holds (exit 0); otherwise names the\n"
	 "first entry or person that does not hold (exit 1). --head HASH also\n"
	 "requires the head to be HASH, noted earlier outside the register, which\n"
	 "catches entries removed from the end together with the head.\n")},
	{"stats", cmd_stats, N_("what a mediator reads first (aggregates only)"),
	 N_("usage: cartel stats [--json]\n"
	 "\n"
	 "Per detaining party: how many are held now (confirmed captive,\n"
	 "proposed or agreed), by category, by health, by time held (<3,\n"
	 "3-6, 6-12, 12-24, >24 months, from held_since or captured_on), how\n"
	 "many await direct repatriation (Art. 110 determination yes), whose\n"
	 "consent was never asked or was asked and not answered (undecided),\n"
	 "legal holds, and every status. Counts only, never a name. CARTEL_TODAY=YYYY-MM-DD fixes the date time is\n"
	 "measured to.\n")},
	{"report", cmd_report, N_("the charts a mediator asks for, as SVG and PNG"),
	 N_("usage: cartel report [-o DIR] [--public]\n"
	 "\n"
	 "Writes DIR/NAME.svg and DIR/NAME.png (DIR: ./report, made when\n"
	 "missing) for each chart: held (held by each side, month by month),\n"
	 "rounds (loaded rounds and how many each side hands over), time-held\n"
	 "(time in captivity), awaiting (the held by category, awaiting\n"
	 "exchange), inquiries (by state: open, candidate found, confirmed,\n"
	 "closed). Titles and labels in the language of --lang. --public\n"
	 "suppresses every count from 1 to 4, shown as \"fewer than 5\" (GC III\n"
	 "Art. 13). Counts only, never a name. See docs/report.md.\n")},
	{"plan", cmd_plan, N_("propose an exchange round under a policy; explain it"),
	 N_("usage: cartel plan --policy FILE [--json] [-o PLAN.json] [--by NAME]\n"
	 "                   [--time-limit SECONDS]\n"
	 "       cartel plan explain ID --policy FILE [--json] [--by NAME]\n"
	 "                          [--verbose]\n"
	 "\n"
	 "plan reads the policy (YAML, docs/policy.md) and the register (with the\n"
	 "persons of each held declaration it received, named PARTY:ID), applies\n"
	 "the rules no policy overrides (GC III Arts. 109-119: direct repatriation\n"
	 "apart and uncounted, refusals never listed, holds named in 'withhold'\n"
	 "kept back and named for the other party), then the deal's priorities,\n"
	 "cap, civilians for civilians and balance (a rank scale is solved\n"
	 "exactly as an integer programme; default time limit 9 s). Prints a\n"
	 "mediator's summary, or with --json the plan document; -o writes the\n"
	 "document to a file. explain tells one captive's place and why, in\n"
	 "words for his family (party names, his place in line, no values; in\n"
	 "the language of --lang); --verbose adds the plan document's reason,\n"
	 "--json gives both. Each computation is recorded in the audit chain\n"
	 "with both digests.\n")},
	{"key", cmd_key, N_("signing keys: make yours, pin the other party's"),
	 N_("usage: cartel key new --party CODE [-o DIR] [--no-pin] [--by NAME]\n"
	 "       cartel key import FILE.pub --party CODE [--fingerprint FP]\n"
	 "                             [--replace] [--by NAME]\n"
	 "       cartel key list [--json]\n"
	 "\n"
	 "new writes DIR/CODE.key (the Ed25519 secret key, mode 0600, never\n"
	 "printed) and DIR/CODE.pub, and pins the public key for CODE in the\n"
	 "register. import pins the other party's public key (with --fingerprint,\n"
	 "only if it has the fingerprint the other party read out to you); a\n"
	 "second, different key for a pinned party is refused unless --replace\n"
	 "is given. Every pin is audited. See docs/rounds.md.\n")},
	{"round", cmd_round, N_("list documents: make, amend, sign, verify, compare"),
	 N_("usage: cartel round new --plan PLAN.json [--kind proposal|counter|agreed]\n"
	 "                        [--supersedes FILE] [--id ID]\n"
	 "                        [--print-fields F1,F2,...] -o ROUND.json\n"
	 "       cartel round amend FILE [--add PARTY:ID ...] [--remove PARTY:ID ...]\n"
	 "                          --kind counter|agreed [--policy FILE] -o NEW\n"
	 "       cartel round sign FILE --key CODE.key [--plan PLAN.json] [-o OUT]\n"
	 "       cartel round verify FILE [--json]\n"
	 "       cartel round diff A B [--json]\n"
	 "       cartel round print FILE -o LIST.pdf [--to NAME] [--by NAME]\n"
	 "\n"
	 "new turns a plan (cartel plan --json) into a list document with the\n"
	 "persons' identifying fields from the register (or from the parties'\n"
	 "held declarations), each named by his holder's party and id, a\n"
	 "manifest and the SHA-256 digest of its RFC 8785 canonical form. amend\n"
	 "makes the next version from a document: persons added or removed by\n"
	 "PARTY:ID, the values and the policy's balance counted again and shown.\n"
	 "sign adds this party's Ed25519 signature. new, amend, sign and\n"
	 "handover start check the exchange rules again and refuse, naming each\n"
	 "person and rule: not held by the side listing him, refused\n"
	 "repatriation, awaiting direct repatriation yet traded, not in custody\n"
	 "or no longer declared, listed twice, a plan whose digest does not hold.\n"
	 "verify checks the manifest, the digest and both signatures under the\n"
	 "pinned keys, and names each field or signature that does not hold\n"
	 "(exit 1). diff lists who was added, removed or changed between two\n"
	 "versions and every other field that differs. print renders an agreed,\n"
	 "verified list as a PDF for signing at the table (docs/print.md). Each\n"
	 "is audited. See docs/rounds.md.\n")},
	{"handover", cmd_handover, N_("run an agreed round at the exchange point"),
	 N_("usage: cartel handover start ROUND.json [--plan PLAN.json] [--by NAME]\n"
	 "       cartel handover check ROUND_ID PERSON_ID --as OUTCOME --by NAME\n"
	 "                             [--at TIME] [--where PLACE]\n"
	 "       cartel handover check ROUND_ID --sheet FILE.csv|- [--batch]\n"
	 "                             --by NAME\n"
	 "       cartel handover status ROUND_ID [--persons] [--json]\n"
	 "       cartel handover stage ROUND_ID N --close --by NAME [--mark-absent]\n"
	 "       cartel handover sheet ROUND_ID -o FILE --key CODE.key [--by NAME]\n"
	 "\n"
	 "start loads an agreed document whose signatures verify and that keeps\n"
	 "the exchange rules (see cartel help round) and moves the\n"
	 "listed persons to 'agreed'. OUTCOME is handed_over, received (both\n"
	 "need a recorded consent 'willing'; status becomes repatriated), refused\n"
	 "or absent (status back to confirmed_captive). Only an agreed person is\n"
	 "checked off: one repatriated already (in another round, which the\n"
	 "message names) is refused. A refusal also records the person's consent\n"
	 "as refuses, with who (--by), the day and the exchange point (--where),\n"
	 "so no later plan lists him until a new willing. Each check-off is one\n"
	 "transaction with its event and audit entry; a sheet (CSV: person_id,\n"
	 "outcome[,at][,by][,where]; - for standard input) cut short is run\n"
	 "again to resume; with --batch the whole sheet is one transaction (the\n"
	 "good rows kept together, each refused row reported). A stage\n"
	 "always closes: a pending person who died, was released or left the\n"
	 "list since the round was agreed is closed out as deceased, released or\n"
	 "withdrawn. In a party's register (docs/protocol.md) the persons the\n"
	 "other party gives are found through the identity links and checked\n"
	 "off as received, with no consent gate (that is the holder's); the\n"
	 "party's own as handed_over. sheet writes what this party checked\n"
	 "off as a signed document for the mediator (reconcile sheets).\n"
	 "See docs/rounds.md.\n")},
	{"reconcile", cmd_reconcile, N_("the other side's lists against ours, by identity"),
	 N_("usage: cartel reconcile LIST.csv [--party CODE] [--all] [--json]\n"
	 "                        [-o OUT.csv [--to WHOM]] [--threshold P]\n"
	 "                        [--by NAME]\n"
	 "       cartel reconcile counts THEIRS.csv OURS.csv [--json] [-o OUT.csv]\n"
	 "       cartel reconcile sheets A.json B.json [--json] [--by NAME]\n"
	 "\n"
	 "The first reads the other side's requested list (the import CSV format)\n"
	 "and matches each row against the register across scripts and spellings:\n"
	 "matched, ambiguous (for review, with the candidates) or not held by us\n"
	 "(held: confirmed_captive, proposed or agreed, and held by --party CODE\n"
	 "when given), with the nearest candidates. The second links two lists of\n"
	 "one handover one-to-one and says who is on both, on yours only, on ours\n"
	 "only. The third checks both parties' signed handover sheets against\n"
	 "the pinned keys (refusing a replayed or older sheet) and lists who\n"
	 "was handed over but not received, received but not handed over, and\n"
	 "both totals. The first's table (-o) names our persons, so it is\n"
	 "recorded in the transfer log, to WHOM. See docs/rounds.md and\n"
	 "docs/protocol.md.\n")},
	{"demo", cmd_demo, N_("build a realistic demo register and print its statistics"),
	 N_("usage: cartel [--db PATH] demo [--per-side N] [--seed S] [--today DATE]\n"
	 "                              [--parties A,B] [--json]\n"
	 "\n"
	 "Generates two parties' registers (UA and RU, N captives held by each,\n"
	 "default 10000) from the shipped name data, imports them through the\n"
	 "register's validating import into a fresh register at --db, and prints\n"
	 "what a mediator reads first (the statistics of 'cartel stats'), then\n"
	 "the time taken. An existing --db file is replaced only when it is an\n"
	 "earlier demo register (or empty); any other file is refused. The same\n"
	 "seed gives the same register; --today fixes the reference date\n"
	 "(default today, or $CARTEL_TODAY); --parties names the two parties\n"
	 "(default UA,RU; A's clerks write Ukrainian, B's Russian).\n"
	 "See docs/demo.md.\n")},
	{"generate", cmd_generate, N_("write a generated register as the import CSV"),
	 N_("usage: cartel generate [--per-side N] [--seed S] [--today DATE]\n"
	 "                       [--parties A,B] [-o FILE]\n"
	 "\n"
	 "Writes 2 x N generated captives (default N 100) as the import CSV of\n"
	 "docs/import.md to standard output or FILE: those held by UA written\n"
	 "in Ukrainian, those held by RU in Russian, as each side's clerks\n"
	 "write. Deterministic: the same seed and date give the same bytes.\n"
	 "See docs/demo.md.\n")},
	{"link", cmd_link, N_("link two lists: the same persons across spellings"),
	 N_("usage: cartel link LEFT.csv RIGHT.csv [-o OUT.csv] [--review REVIEW.csv]\n"
	 "                   [--threshold P] [--review-threshold P] [--all]\n"
	 "                   [--threads N] [--stats]\n"
	 "\n"
	 "Reads two lists in the import CSV format (only 'id' is required;\n"
	 "family_name, given_name, patronymic, birth_date, birth_place and\n"
	 "service_number are used when present) and writes the pairs judged to\n"
	 "be the same person to OUT (default standard output) as\n"
	 "left_id,right_id,score,explanation; pairs for a person to review go to\n"
	 "REVIEW in the same form. Names may be in Ukrainian or Russian Cyrillic\n"
	 "or any Latin spelling. score is a probability: at or above P (default\n"
	 "0.50) a match, at or above the review threshold (default 0.05) review.\n"
	 "Each record is linked at most once (best overall assignment) unless\n"
	 "--all is given. See docs/matching.md.\n")},
	{"dedupe", cmd_dedupe, N_("find the records of one list that are one person"),
	 N_("usage: cartel dedupe FILE.csv [-o OUT.csv] [--threshold P] [--pairs | --json]\n"
	 "       cartel dedupe --register [--db DB] [-o OUT.csv] [--threshold P]\n"
	 "                     [--pairs | --json]\n"
	 "\n"
	 "Writes id,cluster_id for every record: records judged to be the same\n"
	 "person share a cluster_id, the id of the cluster's first record in the\n"
	 "file. --pairs writes instead one row per pair judged one person or for\n"
	 "review: a_id,b_id,cluster_id,score,band, then for each compared field\n"
	 "(family_name, given_name, patronymic, birth_date, birth_place,\n"
	 "service_number) FIELD_a, FIELD_b, FIELD_how and FIELD_bits; --json the\n"
	 "same pairs as one document. --register reads the register's records\n"
	 "(those merged into another left out) instead of a file: the pairs to\n"
	 "consider for 'cartel merge'. See docs/matching.md.\n")},
	{"merge", cmd_merge, N_("fold two records of one man into one"),
	 N_("usage: cartel merge KEEP OTHER --by WHO --reason TEXT [--json]\n"
	 "\n"
	 "Folds record OTHER into KEEP: both histories are kept (KEEP gets a\n"
	 "merged_from event, OTHER a merged_into event), and OTHER's id becomes an\n"
	 "alias of KEEP that every command follows (person show, event add, plan\n"
	 "explain, rounds); lists, searches, plans and statistics count the man\n"
	 "once. No field changes: each value of OTHER's that KEEP does not hold\n"
	 "becomes a conflict:FIELD event on KEEP, to settle with 'cartel event\n"
	 "add KEEP FIELD VALUE'. Refused for a record merged into itself, into or\n"
	 "from a merged record, one with records merged into it, or one in a\n"
	 "round not yet settled (listed in a loaded round with its handover\n"
	 "pending, or proposed or agreed for exchange). Undo with 'cartel\n"
	 "unmerge'. Exports leave OTHER out. See docs/matching.md.\n")},
	{"unmerge", cmd_unmerge, N_("undo a merge: the record stands alone again"),
	 N_("usage: cartel unmerge OTHER --by WHO --reason TEXT [--json]\n"
	 "\n"
	 "Ends the alias that 'cartel merge' made of OTHER: both records are as\n"
	 "they were before the merge, with the merge and its undoing kept in\n"
	 "their histories (unmerged_from events). Refused, as a merge is, while\n"
	 "either record is in a round not yet settled. See docs/matching.md.\n")},
	{"search", cmd_search, N_("find a person in the register by a typed name"),
	 N_("usage: cartel search [--db DB] [--born DATE] [--limit N] [--json]\n"
	 "                     [--verbose] [--no-index | --verify-index] NAME...\n"
	 "       cartel search [--db DB] --rebuild-index [NAME...]\n"
	 "\n"
	 "Ranks the register's persons against NAME, typed in any script and any\n"
	 "order (\"Ковальчук Олександр Петрович\", \"Oleksandr Kovalchuk\",\n"
	 "\"Коваленко О. І.\"), read every plausible way and answered from the\n"
	 "reading the register supports best (the first line says which), with\n"
	 "where each person stands (\"held by Russia since 2024-03\"), the\n"
	 "probability, band and an explanation in words (\"found by surname and\n"
	 "year of birth; ...\"; --verbose adds the evidence in bits, --json has\n"
	 "both) (default the best 10). --born\n"
	 "takes a year, a month or a day; a month over 12 is read swapped.\n"
	 "Searches through the search index kept beside the register\n"
	 "(DB.search, mode 0600), built by the first search and again whenever\n"
	 "the register has changed since (a line on stderr says so);\n"
	 "--rebuild-index builds it now, --no-index loads the register instead.\n"
	 "The answers are the same either way. Each person answered with is\n"
	 "checked against the register; --verify-index also checks the whole\n"
	 "file's digest first (slower). See docs/matching.md, docs/files.md.\n")},
	{"inquiry", cmd_inquiry,
	 N_("record an inquiry; follow it, call the family back, close it"),
	 N_("usage: cartel inquiry add --by NAME [--family F] [--given G]\n"
	 "                          [--patronymic P] [--name \"TEXT\"] [--born DATE]\n"
	 "                          [--place P] [--service N] [--unit U]\n"
	 "                          [--contact TEXT] [--requester WHO]\n"
	 "                          [--relation R] [--last-seen-place P]\n"
	 "                          [--last-seen-on DATE]\n"
	 "       cartel inquiry match [ID] --by NAME\n"
	 "       cartel inquiry list [--open] [--since DATE] [--json]\n"
	 "       cartel inquiry show [ID] [--json [--full]]\n"
	 "       cartel inquiry close ID --reason TEXT --by NAME\n"
	 "       cartel inquiry callbacks [--all] [--json]\n"
	 "       cartel inquiry callbacks done ID --by NAME\n"
	 "\n"
	 "add records who is sought (the name in any script; --name takes it in\n"
	 "one line, in any order, read as a search reads it), who asked, how to\n"
	 "reach them and what they said, and matches it against the register at\n"
	 "once; each potential match at or above the review threshold is kept,\n"
	 "pending review. match runs one inquiry (or every open one) again, for\n"
	 "persons imported since. list prints one line per inquiry (--open: not\n"
	 "confirmed or closed); show ID prints everything about one, its\n"
	 "candidates with where each person stands, and its history (show\n"
	 "without ID lists every potential match). show ID --json prints the\n"
	 "inquiry's potential matches as an array, as it always has; with\n"
	 "--full, the whole inquiry as one object. close ends an inquiry with a\n"
	 "reason (its pending candidates close with it); closing twice is an\n"
	 "error. Any change recorded on a man an inquiry is about puts it on the\n"
	 "call-back list: callbacks says whom to call and what changed, in plain\n"
	 "words; callbacks done ID records the call. Audited. See\n"
	 "docs/matching.md.\n")},
	{"user", cmd_user, N_("accounts of the server: add, list, disable, password"),
	 N_("usage: cartel user add NAME --role ROLE [--party CODE] [--by WHO]\n"
	 "       cartel user list [--json]\n"
	 "       cartel user disable NAME [--by WHO]\n"
	 "       cartel user password NAME [--by WHO]\n"
	 "\n"
	 "Accounts of cartel serve. ROLE is admin, registrar (with --party, the\n"
	 "party whose records it keeps), mediator or hotline. add and password\n"
	 "read the password from standard input (one line, at least 12\n"
	 "characters), hashed with argon2id. disable ends the user's sessions\n"
	 "and refuses every later sign-in; password sets a new one and lifts a\n"
	 "lock after failed sign-ins. Audited. See docs/api.md.\n")},
	{"serve", cmd_serve, N_("the HTTP API and the web app"),
	 N_("usage: cartel serve [--db DB] [--listen ADDR:PORT] [--threads N]\n"
	 "                    [--web DIR] [--secure-cookies]\n"
	 "                    [--idle-timeout SECONDS] [--timeout SECONDS]\n"
	 "                    [--login-limit N] [--routes]\n"
	 "\n"
	 "Serves the JSON API of docs/api.md and the web app's files (--web,\n"
	 "default ./web when it exists) on ADDR:PORT (default 127.0.0.1:8080)\n"
	 "with N worker threads (default 4), each with its own handle on the\n"
	 "register. --secure-cookies marks the session cookie Secure (behind a\n"
	 "TLS reverse proxy, docs/deploy.md). --idle-timeout ends a session\n"
	 "after so many seconds without a request (default 1800); --timeout\n"
	 "closes a connection silent that long (default 15). --login-limit\n"
	 "caps sign-in attempts per address and minute (default 30); past it,\n"
	 "429. Five failed sign-ins in a row lock an account for 15 minutes.\n"
	 "--routes prints\n"
	 "the routes and exits. SIGTERM finishes the requests in flight, then\n"
	 "exits 0.\n")},
	{"review", cmd_review, N_("confirm or reject potential matches of inquiries"),
	 N_("usage: cartel review list [--all] [--json]\n"
	 "       cartel review confirm INQUIRY_ID PERSON_ID --by NAME --why TEXT\n"
	 "       cartel review reject INQUIRY_ID PERSON_ID --by NAME --why TEXT\n"
	 "\n"
	 "list shows the pending potential matches (--all: decided ones too, with\n"
	 "who decided, when and why), each with the engine's explanation and, on\n"
	 "the line under it, how the two agree in words. confirm and reject record\n"
	 "the decision with who and why in the audit chain; a confirmation\n"
	 "resolves the inquiry, closes its other pending candidates, and is an\n"
	 "event on the person (attribute 'inquiry': every inquiry confirmed for\n"
	 "him). See docs/matching.md.\n")},
	{"backup", cmd_backup, N_("a consistent copy of the register, optionally encrypted"),
	 N_("usage: cartel backup -o FILE [--encrypt [--passphrase-file FILE]]\n"
	 "\n"
	 "Copies the register to FILE while it stays in use (SQLite's online\n"
	 "backup: the register as of one commit). FILE is written under a\n"
	 "temporary name beside it and renamed when complete, never through a\n"
	 "symbolic link. --encrypt encrypts the copy with a passphrase (argon2id\n"
	 "key, XChaCha20-Poly1305): the first line of --passphrase-file, else\n"
	 "of standard input (asked twice, without echo, on a terminal); never\n"
	 "on the command line. At least 8 bytes. See docs/backup.md.\n")},
	{"restore", cmd_restore, N_("check a backup, then make it the register"),
	 N_("usage: cartel [--db DB] restore FILE [--force] [--passphrase-file FILE]\n"
	 "\n"
	 "Checks the backup before anything is replaced: decrypts it (asking\n"
	 "for the passphrase as backup does) into a temporary file beside the\n"
	 "register (mode 0600), checks that it is an undamaged SQLite file, a\n"
	 "cartel register of a schema this build knows, and that its audit\n"
	 "chain holds (as 'cartel audit verify'); then renames it over the\n"
	 "register. A damaged, foreign or tampered backup is refused with the\n"
	 "reason (exit 1). An existing register is replaced only with --force,\n"
	 "and never while another process has it open. See docs/backup.md.\n")},
	{"retention", cmd_retention, N_("how long closed cases keep their personal data"),
	 N_("usage: cartel retention set STATUS[,STATUS] PERIOD [--by WHO]\n"
	 "       cartel retention show [--today DATE] [--json]\n"
	 "\n"
	 "set keeps the personal data of cases closed with STATUS (repatriated,\n"
	 "released, deceased) for PERIOD after closing: N years, N months or\n"
	 "N days (1y, 18m, 90d), or never (the default: kept). A case closes on\n"
	 "the date of the event that gave it that status; a legal hold keeps it\n"
	 "regardless. show lists the rules and every closed case with its\n"
	 "retention date (ids, statuses and dates only). Audited.\n"
	 "See docs/backup.md.\n")},
	{"purge", cmd_purge, N_("redact the personal data of cases past retention"),
	 N_("usage: cartel purge --due [--dry-run] [--today DATE] [--by WHO] [--json]\n"
	 "\n"
	 "Redacts, for every closed case past its retention date (as of\n"
	 "--today, default today), the personal data from its current state and\n"
	 "from its events: names, parents' names, birth date and place, service\n"
	 "number, rank, unit, person to inform, places, who decided or\n"
	 "interviewed, notes, extra attributes, events' references and notes.\n"
	 "The id, status, parties, category, health, consent, holds and dates\n"
	 "stay, so 'cartel stats' counts the same. Each redacted event keeps the\n"
	 "digest of its original content and one audit entry lists the ids and\n"
	 "dates purged, so 'cartel audit verify' still holds. The erased bytes\n"
	 "are overwritten in the file and the WAL emptied; the search index is\n"
	 "removed (rebuilt on the next search). --dry-run lists what is due.\n"
	 "See docs/backup.md.\n")},
	/* CARTEL_COMMANDS_END */
	{NULL, NULL, NULL, NULL},
};

/* Writes a message to stderr, each of its lines escaped for the terminal
 * (an id or a file name quoted in it may hold control characters). */
static void
err_text(const char *msg)
{
	const char *p = msg;
	for (;;) {
		const char *nl = strchr(p, '\n');
		if (nl == NULL) {
			cartel_term_fputs(p, stderr);
			return;
		}
		char *line = strndup(p, (size_t)(nl - p));
		cartel_term_fputs(line != NULL ? line : "?", stderr);
		free(line);
		fputc('\n', stderr);
		p = nl + 1;
	}
}

static void
err_vprintf(const char *fmt, va_list ap)
{
	char small[512];
	va_list aq;
	va_copy(aq, ap);
	int n = vsnprintf(small, sizeof small, fmt, aq);
	va_end(aq);
	if (n < 0)
		return;
	if ((size_t)n < sizeof small) {
		err_text(small);
		return;
	}
	char *big = malloc((size_t)n + 1);
	if (big == NULL) {
		err_text(small);
		return;
	}
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	err_text(big);
	free(big);
}

static void
err_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
err_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	err_vprintf(fmt, ap);
	va_end(ap);
}

int
cli_fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("cartel: ", stderr);
	err_vprintf(cartel_gettext(fmt), ap);
	fputc('\n', stderr);
	va_end(ap);
	return EXIT_FAIL;
}

int
cli_usage(const char *name, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	err_printf("cartel %s: ", name);
	err_vprintf(cartel_gettext(fmt), ap);
	fputc('\n', stderr);
	fprintf(stderr, _("(see 'cartel help %s')"), cli_t(name));
	fputc('\n', stderr);
	va_end(ap);
	return EXIT_USAGE;
}

int
cli_error(int err, char *why, const char *doing)
{
	if (why != NULL)
		err_printf("cartel: %s: %s\n", cartel_gettext(doing), why);
	else
		err_printf("cartel: %s: %s\n", cartel_gettext(doing),
			   cartel_strerror(err));
	free(why);
	return EXIT_FAIL;
}

int
cli_rules_error(const struct cli *cli, const struct cartel_round_rules *rules,
		int err, char *why, const char *doing)
{
	if (cli->json && rules != NULL && rules->n_broken > 0) {
		json_t *o = cartel_round_refusal_json(rules, why);
		if (o != NULL) {
			json_dumpf(o, stdout, JSON_COMPACT);
			putchar('\n');
			fflush(stdout);
		}
		json_decref(o);
	}
	return cli_error(err, why, doing);
}

static const struct cli_command *
find(const char *name)
{
	for (const struct cli_command *c = commands; c->name != NULL; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

static void
overview(FILE *fp)
{
	fputs(_("usage: cartel [--db PATH] [--json] [--quiet] [--lang LANG] "
		"COMMAND [ARGS...]\n"
		"\n"
		"The register of prisoners of war held by each side, matching "
		"across\nscripts and spellings, exchange rounds and signed "
		"lists.\n\n"
		"Global options:\n"
		"  --db PATH   the register (default $CARTEL_DB, else "
		"./cartel.db)\n"
		"  --json      machine-readable output where a command has it\n"
		"  --quiet     no progress line on a terminal (import, event\n"
		"              import, link, dedupe, search index, receive)\n"
		"  --lang LANG the language of what it says: en, uk or ru "
		"(default:\n"
		"              the locale: LANGUAGE, LC_ALL, LC_MESSAGES, "
		"LANG)\n"
		"  --help      this text;  --version  the version\n\n"
		"Commands:\n"),
	      fp);
	for (const struct cli_command *c = commands; c->name != NULL; c++)
		fprintf(fp, "  %-10s %s\n", c->name, _(c->summary));
	fputs(_("\nRun 'cartel help COMMAND' for one command; 'man cartel' "
		"for all.\n"
		"Exit status: 0 success, 1 failure, 2 usage error.\n"),
	      fp);
}

static int
help(const char *name)
{
	if (name == NULL) {
		overview(stdout);
		return EXIT_OK;
	}
	const struct cli_command *c = find(name);
	if (c == NULL) {
		fputs("cartel: ", stderr);
		fprintf(stderr, _("no command '%s' (see 'cartel --help')"),
			cli_t(name));
		fputc('\n', stderr);
		return EXIT_USAGE;
	}
	fputs(_(c->usage), stdout);
	return EXIT_OK;
}

int
main(int argc, char **argv)
{
	struct cli cli = {NULL, 0, argv[0], 0};
	cli.db_path = getenv("CARTEL_DB");
	if (cli.db_path == NULL || cli.db_path[0] == '\0')
		cli.db_path = "cartel.db";

	/* The language of the environment until --lang says otherwise; it
	 * cannot fail without a language given. */
	cartel_lang_init(NULL, NULL);
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--lang") == 0 || strncmp(a, "--lang=", 7) == 0) {
			const char *lang = a[6] == '=' ? a + 7 : NULL;
			if (lang == NULL && i + 1 >= argc) {
				fprintf(stderr, "cartel: %s\n",
					_("--lang needs a language: en, uk or "
					  "ru"));
				return EXIT_USAGE;
			}
			if (lang == NULL)
				lang = argv[++i];
			char *why = NULL;
			if (!cartel_lang_known(lang) ||
			    cartel_lang_init(lang, &why) != 0) {
				free(why);
				fprintf(stderr, "cartel: ");
				fprintf(stderr,
					_("no language '%s': cartel speaks "
					  "en, uk and ru"),
					cli_t(lang));
				fputc('\n', stderr);
				return EXIT_USAGE;
			}
		} else if (strcmp(a, "--db") == 0) {
			if (i + 1 >= argc) {
				fprintf(stderr, "cartel: %s\n",
					_("--db needs a path"));
				return EXIT_USAGE;
			}
			cli.db_path = argv[++i];
		} else if (strncmp(a, "--db=", 5) == 0) {
			cli.db_path = a + 5;
		} else if (strcmp(a, "--json") == 0) {
			cli.json = 1;
		} else if (strcmp(a, "--quiet") == 0) {
			cli.quiet = 1;
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			return help(NULL);
		} else if (strcmp(a, "--version") == 0) {
			printf("cartel %s\n", CARTEL_VERSION);
			return EXIT_OK;
		} else {
			fputs("cartel: ", stderr);
			fprintf(stderr, _("unknown option '%s' (see 'cartel "
					  "--help')"),
				cli_t(a));
			fputc('\n', stderr);
			return EXIT_USAGE;
		}
	}
	if (i >= argc) {
		overview(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[i], "help") == 0)
		return help(i + 1 < argc ? argv[i + 1] : NULL);
	const struct cli_command *c = find(argv[i]);
	if (c == NULL) {
		fputs("cartel: ", stderr);
		fprintf(stderr, _("no command '%s' (see 'cartel --help')"),
			cli_t(argv[i]));
		fputc('\n', stderr);
		return EXIT_USAGE;
	}
	/* Commands take --help too, and --db/--json after their name. */
	for (int k = i + 1; k < argc; k++)
		if (strcmp(argv[k], "--help") == 0)
			return help(c->name);
	return c->fn(&cli, argc - i, argv + i);
}
