/*
 * The schema, as an ordered list of forward migrations.
 *
 * A file's schema version is the number of migrations applied to it
 * (SQLite's user_version); opening a file applies the ones it lacks, in
 * order, each in its own transaction, and refuses a file with more than
 * this build knows. To change the schema, APPEND an entry with a new,
 * unique name; never edit or reorder one that has shipped, because files
 * in the field have already applied it.
 */
#include "store/store_int.h"

const struct cartel__migration cartel__migrations[] = {
	/*
	 * The register. persons is the current state derived from events
	 * (its columns follow cartel_fields(): text forms, NULL when
	 * unknown); events is the truth; audit is the hash chain and
	 * audit_head its last link, kept apart so that deleting the last
	 * entry is seen.
	 */
	{"0001-register",
	 "CREATE TABLE persons ("
	 " pk INTEGER PRIMARY KEY,"
	 " id TEXT NOT NULL UNIQUE,"
	 " family_name TEXT, given_name TEXT, patronymic TEXT,"
	 " birth_date TEXT, birth_place TEXT, sex TEXT, rank TEXT,"
	 " service_number TEXT, unit TEXT, depends_on TEXT, held_by TEXT,"
	 " category TEXT, captured_on TEXT, captured_at TEXT,"
	 " internment_place TEXT, health TEXT, direct_repatriation TEXT,"
	 " consent TEXT, legal_hold TEXT, status TEXT, source TEXT,"
	 " notes TEXT, father_name TEXT, mother_maiden_name TEXT,"
	 " inform_person TEXT, held_since TEXT, direct_rep_by TEXT,"
	 " direct_rep_on TEXT, consent_by TEXT, consent_on TEXT);"
	 "CREATE TABLE person_attrs ("
	 " person INTEGER NOT NULL REFERENCES persons(pk),"
	 " key TEXT NOT NULL,"
	 " value TEXT NOT NULL,"
	 " UNIQUE (person, key));"
	 "CREATE TABLE events ("
	 " seq INTEGER PRIMARY KEY,"
	 " person INTEGER NOT NULL REFERENCES persons(pk),"
	 " field TEXT NOT NULL,"
	 " old_value TEXT,"
	 " new_value TEXT,"
	 " actor TEXT NOT NULL,"
	 " at TEXT NOT NULL,"
	 " source TEXT NOT NULL,"
	 " source_ref TEXT,"
	 " note TEXT,"
	 " audit INTEGER NOT NULL);"
	 "CREATE INDEX events_person ON events(person, seq);"
	 "CREATE TABLE audit ("
	 " seq INTEGER PRIMARY KEY,"
	 " at TEXT NOT NULL,"
	 " actor TEXT NOT NULL,"
	 " action TEXT NOT NULL,"
	 " subject TEXT,"
	 " detail TEXT,"
	 " n_events INTEGER NOT NULL,"
	 " events_hash TEXT NOT NULL,"
	 " prev TEXT NOT NULL,"
	 " hash TEXT NOT NULL);"
	 "CREATE TABLE audit_head ("
	 " one INTEGER PRIMARY KEY CHECK (one = 1),"
	 " seq INTEGER NOT NULL,"
	 " hash TEXT NOT NULL);"},
	/*
	 * Exchange rounds (src/lib/store/round_store.c): each party's pinned
	 * public key (old pins kept, marked replaced), the agreed rounds loaded
	 * for handover with their canonical document, their stages, and one
	 * row per listed person with its check-off.
	 */
	{"0100-rounds",
	 "CREATE TABLE round_key_pin ("
	 " seq INTEGER PRIMARY KEY,"
	 " party TEXT NOT NULL,"
	 " public_key BLOB NOT NULL CHECK (length(public_key) = 32),"
	 " fingerprint TEXT NOT NULL,"
	 " pinned_at TEXT NOT NULL,"
	 " pinned_by TEXT NOT NULL,"
	 " replaced_at TEXT);"
	 "CREATE UNIQUE INDEX round_key_pin_current ON round_key_pin(party)"
	 " WHERE replaced_at IS NULL;"
	 "CREATE TABLE round_doc ("
	 " round_id TEXT PRIMARY KEY,"
	 " version INTEGER NOT NULL,"
	 " digest TEXT NOT NULL,"
	 " document TEXT NOT NULL,"
	 " started_at TEXT NOT NULL,"
	 " started_by TEXT NOT NULL);"
	 "CREATE TABLE round_stage ("
	 " round_id TEXT NOT NULL REFERENCES round_doc(round_id),"
	 " stage INTEGER NOT NULL,"
	 " closed_at TEXT,"
	 " closed_by TEXT,"
	 " PRIMARY KEY (round_id, stage));"
	 "CREATE TABLE round_handover ("
	 " round_id TEXT NOT NULL REFERENCES round_doc(round_id),"
	 " person_id TEXT NOT NULL,"
	 " ord INTEGER NOT NULL,"
	 " side TEXT NOT NULL,"
	 " stage INTEGER NOT NULL,"
	 " direct INTEGER NOT NULL,"
	 " outcome TEXT NOT NULL DEFAULT 'pending',"
	 " checked_at TEXT,"
	 " checked_by TEXT,"
	 " PRIMARY KEY (round_id, person_id),"
	 " FOREIGN KEY (round_id, stage) REFERENCES round_stage(round_id, stage));"},
	{"0200-match",
	 /* Inquiries (a family or bureau asking about a person) and the
	  * potential matches found for them in the register, each kept
	  * until a person confirms or rejects it (docs/matching.md). */
	 "CREATE TABLE match_inquiry ("
	 " id TEXT PRIMARY KEY,"
	 " created_at TEXT NOT NULL,"
	 " created_by TEXT NOT NULL,"
	 " family_name TEXT, given_name TEXT, patronymic TEXT,"
	 " birth_date TEXT, birth_place TEXT, service_number TEXT,"
	 " contact TEXT,"
	 " status TEXT NOT NULL DEFAULT 'open'"
	 "  CHECK (status IN ('open', 'resolved')));"
	 "CREATE TABLE match_candidate ("
	 " inquiry_id TEXT NOT NULL REFERENCES match_inquiry(id),"
	 " person_id TEXT NOT NULL,"
	 " score REAL NOT NULL,"
	 " band TEXT NOT NULL,"
	 " explanation TEXT,"
	 " found_at TEXT NOT NULL,"
	 " state TEXT NOT NULL DEFAULT 'pending'"
	 "  CHECK (state IN ('pending', 'confirmed', 'rejected')),"
	 " decided_by TEXT, decided_at TEXT, reason TEXT,"
	 " PRIMARY KEY (inquiry_id, person_id));"
	 "CREATE INDEX match_candidate_state ON match_candidate(state);"},
	/*
	 * The row ledger (src/lib/store/ledger.c): one record per write to a
	 * row of the tables above other than persons and events, covered by
	 * the hash of the audit entry that wrote it (n_rows, rows_hash; NULL
	 * for entries without records, which hash as before). A NULL digest
	 * marks a deleted row. The step after records the rows that exist
	 * already, in one "ledger.start" entry.
	 */
	{"0300-audit-rows",
	 "CREATE TABLE audit_rows ("
	 " seq INTEGER PRIMARY KEY,"
	 " audit INTEGER NOT NULL,"
	 " tbl TEXT NOT NULL,"
	 " k1 TEXT NOT NULL,"
	 " k2 TEXT NOT NULL,"
	 " digest BLOB);"
	 "CREATE INDEX audit_rows_key ON audit_rows(tbl, k1, k2, seq);"
	 "CREATE INDEX audit_rows_audit ON audit_rows(audit, seq);"
	 "ALTER TABLE audit ADD COLUMN n_rows INTEGER;"
	 "ALTER TABLE audit ADD COLUMN rows_hash TEXT;"},
	{"0400-retention",
	 /* Retention (src/lib/store/retention.c, docs/backup.md): how long
	  * a closed case is kept, per final status, and the original content
	  * digest of each event row whose personal data a purge erased, with
	  * the purge's audit entry, so the chain still verifies. */
	 "CREATE TABLE retention_rule ("
	 " status TEXT PRIMARY KEY"
	 "  CHECK (status IN ('repatriated', 'released', 'deceased')),"
	 " period TEXT NOT NULL,"
	 " set_at TEXT NOT NULL,"
	 " set_by TEXT NOT NULL);"
	 "CREATE TABLE event_redacted ("
	 " seq INTEGER PRIMARY KEY REFERENCES events(seq),"
	 " digest BLOB NOT NULL CHECK (length(digest) = 32),"
	 " purge INTEGER NOT NULL);"},
	{"0500-inquiry-life",
	 /* An inquiry's life (src/lib/store/inquiry_store.c,
	  * docs/matching.md): who asked and how to reach them, what they
	  * said, where it stands (state: open, candidate_found, confirmed,
	  * closed; NULL on inquiries written before, read from status), its
	  * history, and the call-backs due when a person it concerns
	  * changes. The new columns have no default, so the rows written
	  * before keep their ledger digests (ledger.c hashes a later column
	  * only when it holds a value). Candidates by person: the check
	  * every event makes. */
	 "ALTER TABLE match_inquiry ADD COLUMN requester TEXT;"
	 "ALTER TABLE match_inquiry ADD COLUMN relation TEXT;"
	 "ALTER TABLE match_inquiry ADD COLUMN typed TEXT;"
	 "ALTER TABLE match_inquiry ADD COLUMN unit TEXT;"
	 "ALTER TABLE match_inquiry ADD COLUMN last_seen_place TEXT;"
	 "ALTER TABLE match_inquiry ADD COLUMN last_seen_on TEXT;"
	 "ALTER TABLE match_inquiry ADD COLUMN state TEXT"
	 " CHECK (state IN ('open', 'candidate_found', 'confirmed',"
	 " 'closed'));"
	 "ALTER TABLE match_inquiry ADD COLUMN closed_at TEXT;"
	 "ALTER TABLE match_inquiry ADD COLUMN closed_by TEXT;"
	 "ALTER TABLE match_inquiry ADD COLUMN closed_reason TEXT;"
	 "CREATE INDEX match_candidate_person ON match_candidate(person_id);"
	 "CREATE TABLE inquiry_history ("
	 " seq INTEGER PRIMARY KEY,"
	 " inquiry_id TEXT NOT NULL REFERENCES match_inquiry(id),"
	 " at TEXT NOT NULL,"
	 " actor TEXT NOT NULL,"
	 " what TEXT NOT NULL,"
	 " person_id TEXT,"
	 " detail TEXT);"
	 "CREATE INDEX inquiry_history_inquiry ON inquiry_history(inquiry_id,"
	 " seq);"
	 "CREATE TABLE inquiry_callback ("
	 " seq INTEGER PRIMARY KEY,"
	 " inquiry_id TEXT NOT NULL REFERENCES match_inquiry(id),"
	 " person_id TEXT NOT NULL,"
	 " event_seq INTEGER NOT NULL,"
	 " queued_at TEXT NOT NULL,"
	 " done_at TEXT,"
	 " done_by TEXT);"
	 "CREATE INDEX inquiry_callback_due ON inquiry_callback(inquiry_id)"
	 " WHERE done_at IS NULL;"},
	/*
	 * Merged records (src/lib/store/merge_store.c, docs/data-model.md):
	 * one row per merge of record other_id into keep_id, with who, when
	 * and why, and the same when it was undone. While unmerged_at is
	 * NULL, other_id is an alias of keep_id. Covered by the row ledger.
	 */
	{"0600-merge",
	 "CREATE TABLE person_merge ("
	 " seq INTEGER PRIMARY KEY,"
	 " keep_id TEXT NOT NULL,"
	 " other_id TEXT NOT NULL,"
	 " merged_at TEXT NOT NULL,"
	 " merged_by TEXT NOT NULL,"
	 " reason TEXT NOT NULL,"
	 " n_conflicts INTEGER NOT NULL,"
	 " unmerged_at TEXT,"
	 " unmerged_by TEXT,"
	 " unmerge_reason TEXT);"
	 "CREATE UNIQUE INDEX person_merge_other ON person_merge(other_id)"
	 " WHERE unmerged_at IS NULL;"
	 "CREATE INDEX person_merge_keep ON person_merge(keep_id);"},
	{"0700-owner",
	 /* Three registers (docs/protocol.md): whose register this is (one
	  * row, set once), the sequence of the declarations this register
	  * made, per kind, and at a receiving register each declaration
	  * received, the persons it declared under the sender's own ids (never
	  * deleted: a person a later declaration leaves out is marked no longer
	  * declared), and each change a declaration made to them. */
	 "CREATE TABLE register_owner ("
	 " id INTEGER PRIMARY KEY CHECK (id = 1),"
	 " role TEXT NOT NULL CHECK (role IN ('party', 'mediator')),"
	 " name TEXT NOT NULL,"
	 " set_at TEXT NOT NULL,"
	 " set_by TEXT NOT NULL);"
	 "CREATE TABLE declaration_made ("
	 " kind TEXT PRIMARY KEY CHECK (kind IN ('held', 'sought')),"
	 " sequence INTEGER NOT NULL,"
	 " digest TEXT NOT NULL,"
	 " n_persons INTEGER NOT NULL,"
	 " made_at TEXT NOT NULL,"
	 " made_by TEXT NOT NULL);"
	 "CREATE TABLE declaration_received ("
	 " digest TEXT PRIMARY KEY,"
	 " party TEXT NOT NULL,"
	 " kind TEXT NOT NULL CHECK (kind IN ('held', 'sought')),"
	 " sequence INTEGER NOT NULL,"
	 " as_of TEXT NOT NULL,"
	 " n_persons INTEGER NOT NULL,"
	 " received_at TEXT NOT NULL,"
	 " received_by TEXT NOT NULL,"
	 " UNIQUE (party, kind, sequence));"
	 "CREATE TABLE declared_person ("
	 " party TEXT NOT NULL,"
	 " kind TEXT NOT NULL CHECK (kind IN ('held', 'sought')),"
	 " their_id TEXT NOT NULL,"
	 " fields TEXT NOT NULL,"
	 " status TEXT NOT NULL"
	 "  CHECK (status IN ('declared', 'no_longer_declared')),"
	 " first_digest TEXT NOT NULL,"
	 " last_digest TEXT NOT NULL,"
	 " PRIMARY KEY (party, kind, their_id)) WITHOUT ROWID;"
	 "CREATE TABLE declared_change ("
	 " digest TEXT NOT NULL,"
	 " their_id TEXT NOT NULL,"
	 " change TEXT NOT NULL"
	 "  CHECK (change IN ('changed', 'dropped', 'returned')),"
	 " old_fields TEXT,"
	 " new_fields TEXT,"
	 " PRIMARY KEY (digest, their_id)) WITHOUT ROWID;"},
	/* Identity links between registers (docs/protocol.md): a person of a
	 * received declaration, named by his declaring party and its id,
	 * linked to this register's own person (our_party '') or, at the
	 * mediator, to a person of another party's declaration; made by the
	 * matching engine or by hand, confirmed or revoked by a person, never
	 * deleted. The handover sheets a party's register made and those a
	 * mediator reconciled, by digest (a sheet's sequence number is kept
	 * per party and round, so that an older one is not taken again). A
	 * check-off of a person the other party gives keeps the id his
	 * holder gave him (holder_id), which the sheets name him by. */
	{"0800-links",
	 "CREATE TABLE identity_link ("
	 " their_party TEXT NOT NULL,"
	 " their_id TEXT NOT NULL,"
	 " our_party TEXT NOT NULL,"
	 " our_id TEXT NOT NULL,"
	 " their_kind TEXT NOT NULL,"
	 " our_kind TEXT NOT NULL,"
	 " state TEXT NOT NULL"
	 "  CHECK (state IN ('linked', 'pending', 'confirmed', 'revoked')),"
	 " probability REAL NOT NULL,"
	 " explanation TEXT,"
	 " made_at TEXT NOT NULL,"
	 " made_by TEXT NOT NULL,"
	 " decided_at TEXT,"
	 " decided_by TEXT,"
	 " reason TEXT,"
	 " PRIMARY KEY (their_party, their_id, our_party, our_id))"
	 " WITHOUT ROWID;"
	 "CREATE INDEX identity_link_ours ON identity_link"
	 " (our_party, our_id, their_party);"
	 "CREATE TABLE handover_sheet ("
	 " digest TEXT NOT NULL,"
	 " role TEXT NOT NULL CHECK (role IN ('made', 'reconciled')),"
	 " round_id TEXT NOT NULL,"
	 " party TEXT NOT NULL,"
	 " sequence INTEGER NOT NULL,"
	 " n_persons INTEGER NOT NULL,"
	 " at TEXT NOT NULL,"
	 " by TEXT NOT NULL,"
	 " PRIMARY KEY (digest, role)) WITHOUT ROWID;"
	 "ALTER TABLE round_handover ADD COLUMN holder_id TEXT;"},
	/* Accounts of the server (docs/api.md): users with a role, their
	 * sessions (the id kept only as its hash), the access log of every
	 * read of a record and every access decision, and the families'
	 * case codes (only their hash). All four are under the row ledger. */
	{"1000-accounts",
	 "CREATE TABLE account_user ("
	 " name TEXT PRIMARY KEY,"
	 " role TEXT NOT NULL"
	 "  CHECK (role IN ('admin', 'registrar', 'mediator', 'hotline')),"
	 " party TEXT,"
	 " pw_hash TEXT NOT NULL,"
	 " disabled INTEGER NOT NULL DEFAULT 0,"
	 " failures INTEGER NOT NULL DEFAULT 0,"
	 " locked_until INTEGER NOT NULL DEFAULT 0,"
	 " created_at TEXT NOT NULL,"
	 " created_by TEXT NOT NULL,"
	 " changed_at TEXT) WITHOUT ROWID;"
	 "CREATE TABLE account_session ("
	 " id_hash TEXT PRIMARY KEY,"
	 " user TEXT NOT NULL REFERENCES account_user(name),"
	 " csrf TEXT NOT NULL,"
	 " created_at INTEGER NOT NULL,"
	 " seen_at INTEGER NOT NULL) WITHOUT ROWID;"
	 "CREATE INDEX account_session_user ON account_session(user);"
	 "CREATE TABLE access_log ("
	 " seq INTEGER PRIMARY KEY,"
	 " at TEXT NOT NULL,"
	 " user TEXT NOT NULL,"
	 " role TEXT NOT NULL,"
	 " action TEXT NOT NULL,"
	 " subject TEXT,"
	 " decision TEXT NOT NULL CHECK (decision IN ('allowed', 'denied')),"
	 " address TEXT);"
	 "CREATE TABLE case_code ("
	 " hash TEXT PRIMARY KEY,"
	 " inquiry_id TEXT NOT NULL,"
	 " created_at TEXT NOT NULL) WITHOUT ROWID;"},
	/* The transfer log (docs/transfers.md): every file with persons in it
	 * that leaves cartel (an export, a document, a declaration, a
	 * handover sheet, a backup), who sent it where, how many persons and
	 * the SHA-256 of what was written. Under the row ledger from its
	 * first row. */
	{"1100-transfers",
	 "CREATE TABLE transfer_log ("
	 " seq INTEGER PRIMARY KEY,"
	 " at TEXT NOT NULL,"
	 " by TEXT NOT NULL,"
	 " kind TEXT NOT NULL,"
	 " n_persons INTEGER NOT NULL,"
	 " recipient TEXT,"
	 " file TEXT,"
	 " sha256 TEXT);"},
	/* The receiving side checks a person off by his holder's id: without
	 * an index each check-off read the whole round. */
	{"1200-proto",
	 "CREATE INDEX round_handover_holder"
	 " ON round_handover(round_id, holder_id);"},
	/*
	 * The search index's state (search_store.c, cartel__search_stamp) is
	 * the last event that can change what a search finds: the latest of
	 * a few fields, each found through this index rather than by reading
	 * the events back from the newest, so that a server's stream of
	 * status and note events neither slows that down nor makes the next
	 * search rebuild the index.
	 */
	{"1300-serve-perf",
	 "CREATE INDEX events_field ON events(field, seq);"},
	/* Rounds through the server (docs/api.md): the list documents a
	 * mediator received, kept as they came (canonical form, signatures
	 * included) to be verified and compared, and the named policies a
	 * round may be planned with. Both under the row ledger. */
	{"1400-web-rounds",
	 "CREATE TABLE round_received ("
	 " seq INTEGER PRIMARY KEY,"
	 " round_id TEXT NOT NULL,"
	 " version INTEGER NOT NULL,"
	 " kind TEXT NOT NULL,"
	 " digest TEXT NOT NULL,"
	 " parties TEXT NOT NULL,"
	 " signed_by TEXT NOT NULL,"
	 " document TEXT NOT NULL,"
	 " received_at TEXT NOT NULL,"
	 " received_by TEXT NOT NULL);"
	 "CREATE INDEX round_received_round ON round_received(round_id, version);"
	 "CREATE TABLE plan_policy ("
	 " name TEXT PRIMARY KEY,"
	 " digest TEXT NOT NULL,"
	 " yaml TEXT NOT NULL,"
	 " added_at TEXT NOT NULL,"
	 " added_by TEXT NOT NULL) WITHOUT ROWID;"},
	/* Append new migrations here, each with a unique name. */
};

const size_t cartel__n_migrations =
	sizeof(cartel__migrations) / sizeof(cartel__migrations[0]);

/* Steps in C after a migration's SQL, by the migration's name. */
const struct cartel__migration_step cartel__migration_steps[] = {
	/* Existing keys, rounds and inquiries enter the row ledger. */
	{"0300-audit-rows", cartel__ledger_start},
};

const size_t cartel__n_migration_steps =
	sizeof(cartel__migration_steps) / sizeof(cartel__migration_steps[0]);
