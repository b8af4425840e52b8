/*
 * The search index kept in a file, so that a search need not load the
 * whole register: cartel_match_index_save writes what a built index holds
 * (the slot table and postings of every blocking key, wide keys included,
 * each record's normalised keys and term frequencies, the fitted model,
 * the given-name shares and the person ids); cartel_match_index_open maps
 * it read-only and points an index at it, so that a query reads a few
 * pages of it and scores exactly as the index it was saved from did.
 *
 * Layout: a header of fixed-width fields, then the sections at 64-byte
 * aligned offsets that the header names. The structures are written as
 * this build lays them out; the header records their sizes, the byte
 * order and the format version, and a file from any other layout is
 * refused as foreign (it is a cache: the register rebuilds it). The
 * header is written last, after the sections reached the disk, so that a
 * file cut short by a crash has no valid header.
 *
 * The file is not trusted as read. Its header carries the register state
 * it was built from (the stamp), checked on every open, and a BLAKE2b
 * digest of all of it keyed by that stamp, checked by
 * cartel_match_index_verify (it reads the whole file, which a search does
 * not: see docs/files.md). What a search answers is checked against the
 * register itself: cartel_match_index_agrees tells whether a record of
 * the file is what the register holds for the person it names. It is
 * written through <cartel/file.h>: never through a symbolic link.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include <cartel/error.h>
#include <cartel/file.h>
#include <cartel/match.h>

#include "core/why.h"
#include "match/index_int.h"
#include "match/match_int.h"

#define IXF_MAGIC "CARTELSX"
#define IXF_VERSION 3u /* 2: strings carry a length byte; 3: a digest */
#define IXF_ENDIAN 0x01020304u
#define IXF_STAMP 160
#define IXF_ALIGN 64
#define IXF_DIGEST 32

enum {
	SEC_TAB = 0, /* struct match_post[mask + 1] */
	SEC_POST,    /* uint32_t[n_post]: record positions */
	SEC_TAG,     /* uint32_t[n_post]: their tags */
	SEC_RECS,    /* struct match_rec[n], p NULL */
	SEC_ARENA,   /* the records' strings, ends in NUL */
	SEC_GIV,     /* float[n_giv]: share of each given-name id */
	SEC_IDOFF,   /* uint32_t[n]: each record's id in SEC_IDS */
	SEC_IDS,     /* the person ids, each NUL-terminated */
	SEC_N
};

struct ixf_head {
	char magic[8];
	uint32_t version, endian;
	uint32_t rec_size, post_size, model_size, head_size;
	uint64_t file_size;
	uint64_t n, mask, n_post, n_giv;
	uint64_t names_digest;
	uint64_t off[SEC_N], len[SEC_N];
	struct match_model mm;
	char stamp[IXF_STAMP];
	/* BLAKE2b-256, keyed by the stamp, of this header (digest and
	 * check zero) and of the BLAKE2b-256 of everything after it: see
	 * file_digest and cartel_match_index_verify. */
	unsigned char digest[IXF_DIGEST];
	uint64_t check; /* FNV-1a of the header with this field 0 */
};

static uint64_t
head_check(const struct ixf_head *h)
{
	struct ixf_head c = *h;
	c.check = 0;
	return cartel__match_hash(&c, sizeof c, 0x1dfu);
}

/* The body's digest is keyed with the stamp: a body is vouched for only
 * together with the register state it was built from. */
static void
body_hash_init(crypto_generichash_state *hs, const char stamp[IXF_STAMP])
{
	unsigned char key[crypto_generichash_KEYBYTES];
	crypto_generichash(key, sizeof key, (const unsigned char *)stamp,
			   IXF_STAMP, NULL, 0);
	crypto_generichash_init(hs, key, sizeof key, IXF_DIGEST);
}

/* The digest the header carries, from the body's: the header (these two
 * fields zero) and the digest of every byte after it, keyed by the stamp,
 * so that all of the file answers for the register state it was built
 * from. */
static void
file_digest(const struct ixf_head *h, const unsigned char body[IXF_DIGEST],
	    unsigned char out[IXF_DIGEST])
{
	struct ixf_head c = *h;
	memset(c.digest, 0, sizeof c.digest);
	c.check = 0;
	crypto_generichash_state hs;
	body_hash_init(&hs, h->stamp);
	crypto_generichash_update(&hs, (const unsigned char *)&c, sizeof c);
	crypto_generichash_update(&hs, body, IXF_DIGEST);
	crypto_generichash_final(&hs, out, IXF_DIGEST);
}

/* ---- Writing ---- */

struct wr {
	int fd;
	uint64_t pos;
	int err; /* errno of the first failure */
	crypto_generichash_state *hs; /* the body's digest; NULL: header */
};

static void
wr_bytes(struct wr *w, const void *p, size_t n)
{
	const char *c = p;
	while (w->err == 0 && n > 0) {
		ssize_t k = write(w->fd, c, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			w->err = k < 0 ? errno : EIO;
			return;
		}
		if (w->hs != NULL)
			crypto_generichash_update(w->hs,
						  (const unsigned char *)c,
						  (size_t)k);
		c += k;
		n -= (size_t)k;
		w->pos += (uint64_t)k;
	}
}

static void
wr_align(struct wr *w)
{
	static const char zero[IXF_ALIGN];
	size_t pad = (size_t)((IXF_ALIGN - w->pos % IXF_ALIGN) % IXF_ALIGN);
	wr_bytes(w, zero, pad);
}

/* Starts section s at an aligned offset. */
static void
wr_section(struct wr *w, struct ixf_head *h, int s)
{
	wr_align(w);
	h->off[s] = w->pos;
}

/* Records are written with their person pointer cleared, a batch at a
 * time. */
static void
wr_recs(struct wr *w, const struct match_side *side)
{
	enum { BATCH = 4096 };
	struct match_rec *buf = malloc(BATCH * sizeof *buf);
	if (buf == NULL) {
		w->err = ENOMEM;
		return;
	}
	for (size_t i = 0; i < side->n && w->err == 0; i += BATCH) {
		size_t m = side->n - i < BATCH ? side->n - i : BATCH;
		memcpy(buf, side->recs + i, m * sizeof *buf);
		for (size_t k = 0; k < m; k++)
			buf[k].p = NULL;
		wr_bytes(w, buf, m * sizeof *buf);
	}
	free(buf);
}

static int
wr_ids(struct wr *w, struct ixf_head *h, const struct match_side *side)
{
	uint32_t *off = malloc((side->n ? side->n : 1) * sizeof *off);
	if (off == NULL)
		return ENOMEM;
	uint64_t at = 0;
	for (size_t i = 0; i < side->n; i++) {
		const char *id = side->persons[i].id ? side->persons[i].id : "";
		if (at > UINT32_MAX) {
			free(off);
			return ERANGE;
		}
		off[i] = (uint32_t)at;
		at += strlen(id) + 1;
	}
	wr_section(w, h, SEC_IDOFF);
	wr_bytes(w, off, side->n * sizeof *off);
	h->len[SEC_IDOFF] = side->n * sizeof *off;
	free(off);
	wr_section(w, h, SEC_IDS);
	for (size_t i = 0; i < side->n; i++) {
		const char *id = side->persons[i].id ? side->persons[i].id : "";
		wr_bytes(w, id, strlen(id) + 1);
	}
	h->len[SEC_IDS] = at;
	return 0;
}

int
cartel_match_index_save(const struct cartel_match_index *ix, const char *path,
			const char *stamp, char **why)
{
	if (ix == NULL || path == NULL || stamp == NULL ||
	    strlen(stamp) >= IXF_STAMP)
		return cartel__why(why, CARTEL_EINVAL,
				   "saving an index needs an index, a path "
				   "and a stamp shorter than %d bytes",
				   IXF_STAMP);
	if (ix->map != NULL)
		return cartel__why(why, CARTEL_EINVAL,
				   "an index read from a file is not saved "
				   "again");
	if (sodium_init() < 0)
		return cartel__why(why, CARTEL_EIO,
				   "libsodium could not start");
	struct match_post *tab = NULL;
	size_t mask = 0;
	if (cartel__match_post_compact(&ix->px, &tab, &mask) != 0)
		return cartel__why(why, CARTEL_ENOMEM,
				   "out of memory saving the search index");
	/* Through a temporary beside the file, renamed over it once
	 * complete (<cartel/file.h>): a reader sees the old file or the new
	 * one, never half of one, and a link in its place is refused. Keys
	 * and ids tell who is in the register: the file is as private as
	 * the register itself. */
	struct cartel_file *file = NULL;
	char *why_open = NULL;
	int orc = cartel_file_open(&file, path, CARTEL_FILE_PRIVATE,
				   &why_open);
	if (orc != 0) {
		free(tab);
		int rc = cartel__why(why, orc,
				     "cannot write the search index beside "
				     "the register: %s",
				     why_open ? why_open : cartel_strerror(orc));
		free(why_open);
		return rc;
	}
	crypto_generichash_state hs;
	struct wr w = {cartel_file_fd(file), 0, 0, NULL};
	struct ixf_head h;
	memset(&h, 0, sizeof h);
	memcpy(h.magic, IXF_MAGIC, 8);
	h.version = IXF_VERSION;
	h.endian = IXF_ENDIAN;
	h.rec_size = sizeof(struct match_rec);
	h.post_size = sizeof(struct match_post);
	h.model_size = sizeof(struct match_model);
	h.head_size = sizeof h;
	h.n = ix->side.n;
	h.mask = mask;
	h.n_post = ix->px.n_post;
	h.n_giv = ix->n_giv;
	h.names_digest = cartel__match_names_digest(ix->nt);
	h.mm = ix->mm;
	snprintf(h.stamp, sizeof h.stamp, "%s", stamp);
	/* The header's place, filled last. */
	struct ixf_head blank;
	memset(&blank, 0, sizeof blank);
	wr_bytes(&w, &blank, sizeof blank);
	body_hash_init(&hs, h.stamp);
	w.hs = &hs;
	wr_section(&w, &h, SEC_TAB);
	wr_bytes(&w, tab, (mask + 1) * sizeof *tab);
	h.len[SEC_TAB] = (mask + 1) * sizeof *tab;
	free(tab);
	wr_section(&w, &h, SEC_POST);
	wr_bytes(&w, ix->px.post, ix->px.n_post * sizeof *ix->px.post);
	h.len[SEC_POST] = ix->px.n_post * sizeof *ix->px.post;
	wr_section(&w, &h, SEC_TAG);
	wr_bytes(&w, ix->px.tag, ix->px.n_post * sizeof *ix->px.tag);
	h.len[SEC_TAG] = ix->px.n_post * sizeof *ix->px.tag;
	wr_section(&w, &h, SEC_RECS);
	wr_recs(&w, &ix->side);
	h.len[SEC_RECS] = ix->side.n * sizeof(struct match_rec);
	wr_section(&w, &h, SEC_ARENA);
	if (ix->side.arena.len > 0) {
		wr_bytes(&w, ix->side.arena.buf, ix->side.arena.len);
		h.len[SEC_ARENA] = ix->side.arena.len;
	} else {
		/* An empty index still has the empty string. */
		wr_bytes(&w, "", 1);
		h.len[SEC_ARENA] = 1;
	}
	wr_section(&w, &h, SEC_GIV);
	wr_bytes(&w, ix->giv_share, ix->n_giv * sizeof *ix->giv_share);
	h.len[SEC_GIV] = ix->n_giv * sizeof *ix->giv_share;
	if (w.err == 0)
		w.err = wr_ids(&w, &h, &ix->side);
	wr_align(&w);
	h.file_size = w.pos;
	unsigned char body[IXF_DIGEST];
	crypto_generichash_final(&hs, body, sizeof body);
	w.hs = NULL;
	file_digest(&h, body, h.digest);
	/* The sections on the disk before the header that vouches for
	 * them. */
	if (w.err == 0 && fdatasync(w.fd) != 0)
		w.err = errno;
	h.check = head_check(&h);
	if (w.err == 0 && lseek(w.fd, 0, SEEK_SET) != 0)
		w.err = errno;
	w.pos = 0;
	wr_bytes(&w, &h, sizeof h);
	int rc = 0;
	if (w.err != 0) {
		cartel_file_abort(file);
		rc = cartel__why(why,
				 w.err == ENOMEM   ? CARTEL_ENOMEM
				 : w.err == ENOSPC ? CARTEL_EFULL
						   : CARTEL_EIO,
				 "writing the search index %s: %s", path,
				 strerror(w.err));
	} else {
		rc = cartel_file_commit(file, why);
	}
	return rc;
}

int
cartel__match_index_reseal(void *buf, size_t len, const char *stamp)
{
	const struct match_names *nt;
	if (len < sizeof(struct ixf_head) ||
	    cartel__match_names_get(NULL, &nt, NULL) != 0)
		return -1;
	struct ixf_head h;
	memcpy(&h, buf, sizeof h);
	h.file_size = len;
	h.names_digest = cartel__match_names_digest(nt);
	snprintf(h.stamp, sizeof h.stamp, "%s", stamp);
	h.check = head_check(&h);
	memcpy(buf, &h, sizeof h);
	return 0;
}

/* ---- Reading ---- */

/* Section s holds at least `need` bytes inside the file, aligned. */
static int
sec_ok(const struct ixf_head *h, int s, uint64_t need)
{
	return h->off[s] % IXF_ALIGN == 0 && h->off[s] >= sizeof *h &&
	       h->len[s] >= need && h->off[s] <= h->file_size &&
	       h->len[s] <= h->file_size - h->off[s];
}

static int
damaged(char **why, const char *path, const char *what)
{
	return cartel__why(why, CARTEL_EFORMAT,
			   "the search index %s is damaged (%s)", path, what);
}

int
cartel_match_index_open(struct cartel_match_index **out, const char *path,
			const char *stamp,
			const struct cartel_match_opts *opts, char **why)
{
	*out = NULL;
	struct cartel_match_opts o;
	if (opts != NULL)
		o = *opts;
	else
		cartel_match_opts_init(&o);
	const struct match_names *nt;
	int rc = cartel__match_names_get(o.data_dir, &nt, why);
	if (rc != 0)
		return rc;
	if (sodium_init() < 0)
		return cartel__why(why, CARTEL_EIO,
				   "libsodium could not start");
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		return cartel__why(why,
				   e == ENOENT ? CARTEL_ENOTFOUND : CARTEL_EIO,
				   "cannot read the search index %s: %s", path,
				   strerror(e));
	}
	struct stat st;
	struct ixf_head h;
	ssize_t got = 0;
	if (fstat(fd, &st) != 0) {
		rc = cartel__why(why, CARTEL_EIO, "cannot read %s: %s", path,
				 strerror(errno));
		goto fail;
	}
	got = pread(fd, &h, sizeof h, 0);
	if (got < 8 || memcmp(h.magic, IXF_MAGIC, 8) != 0) {
		rc = cartel__why(why, CARTEL_EFORMAT,
				 "%s is not a cartel search index", path);
		goto fail;
	}
	if ((size_t)got < sizeof h) {
		rc = damaged(why, path, "cut short");
		goto fail;
	}
	if (h.version != IXF_VERSION || h.endian != IXF_ENDIAN ||
	    h.rec_size != sizeof(struct match_rec) ||
	    h.post_size != sizeof(struct match_post) ||
	    h.model_size != sizeof(struct match_model) ||
	    h.head_size != sizeof h) {
		rc = cartel__why(why, CARTEL_EFORMAT,
				 "the search index %s was written by another "
				 "build of cartel",
				 path);
		goto fail;
	}
	if (h.check != head_check(&h)) {
		rc = damaged(why, path, "its header does not hold");
		goto fail;
	}
	if ((uint64_t)st.st_size != h.file_size) {
		rc = damaged(why, path,
			     (uint64_t)st.st_size < h.file_size
				     ? "cut short"
				     : "longer than written");
		goto fail;
	}
	if (h.stamp[IXF_STAMP - 1] != '\0' || strcmp(h.stamp, stamp) != 0) {
		rc = cartel__why(why, CARTEL_ESTATE,
				 "the search index is out of date (the "
				 "register changed since it was built)");
		goto fail;
	}
	if (h.names_digest != cartel__match_names_digest(nt)) {
		rc = cartel__why(why, CARTEL_ESTATE,
				 "the search index was built with other name "
				 "tables");
		goto fail;
	}
	uint64_t slots = h.mask + 1;
	if (h.n > UINT32_MAX || h.n_post > UINT32_MAX || slots == 0 ||
	    (slots & h.mask) != 0 ||
	    h.n_giv != cartel__match_names_n_given(nt) + 1 ||
	    !sec_ok(&h, SEC_TAB, slots * sizeof(struct match_post)) ||
	    !sec_ok(&h, SEC_POST, h.n_post * sizeof(uint32_t)) ||
	    !sec_ok(&h, SEC_TAG, h.n_post * sizeof(uint32_t)) ||
	    !sec_ok(&h, SEC_RECS, h.n * sizeof(struct match_rec)) ||
	    !sec_ok(&h, SEC_ARENA, 1) ||
	    !sec_ok(&h, SEC_GIV, h.n_giv * sizeof(float)) ||
	    !sec_ok(&h, SEC_IDOFF, h.n * sizeof(uint32_t)) ||
	    !sec_ok(&h, SEC_IDS, h.n > 0 ? 1 : 0) ||
	    h.len[SEC_ARENA] > UINT32_MAX || h.len[SEC_IDS] > UINT32_MAX) {
		rc = damaged(why, path, "its sections do not fit");
		goto fail;
	}
	void *map = mmap(NULL, (size_t)h.file_size, PROT_READ, MAP_SHARED, fd,
			 0);
	if (map == MAP_FAILED) {
		rc = cartel__why(why, errno == ENOMEM ? CARTEL_ENOMEM
						      : CARTEL_EIO,
				 "cannot map the search index %s: %s", path,
				 strerror(errno));
		goto fail;
	}
	close(fd);
	fd = -1;
	const char *base = map;
	/* A query touches a few scattered pages: reading ahead would only
	 * fetch what it does not need. */
	madvise(map, (size_t)h.file_size, MADV_RANDOM);
	/* Strings end inside their sections. */
	if (base[h.off[SEC_ARENA] + h.len[SEC_ARENA] - 1] != '\0' ||
	    (h.n > 0 && base[h.off[SEC_IDS] + h.len[SEC_IDS] - 1] != '\0')) {
		munmap(map, (size_t)h.file_size);
		return damaged(why, path, "a string runs past its section");
	}
	struct cartel_match_index *ix = calloc(1, sizeof *ix);
	if (ix == NULL) {
		munmap(map, (size_t)h.file_size);
		return cartel__why(why, CARTEL_ENOMEM, "out of memory");
	}
	ix->map = map;
	ix->map_len = (size_t)h.file_size;
	ix->opts = o;
	if (!(ix->opts.threshold > 0 && ix->opts.threshold <= 1))
		ix->opts.threshold = CARTEL_MATCH_DEFAULT_THRESHOLD;
	if (!(ix->opts.review > 0 && ix->opts.review <= ix->opts.threshold))
		ix->opts.review = ix->opts.threshold <
						  CARTEL_MATCH_DEFAULT_REVIEW
					  ? ix->opts.threshold
					  : CARTEL_MATCH_DEFAULT_REVIEW;
	ix->nt = nt;
	ix->mm = h.mm;
	ix->side.n = (size_t)h.n;
	/* The arrays are read only; the casts drop const for the shared
	 * structures, which a query never writes through. */
	ix->side.recs = (struct match_rec *)(base + h.off[SEC_RECS]);
	ix->side.arena.buf = (char *)(base + h.off[SEC_ARENA]);
	ix->side.arena.len = ix->side.arena.cap = (size_t)h.len[SEC_ARENA];
	ix->px.tab = (struct match_post *)(base + h.off[SEC_TAB]);
	ix->px.mask = (size_t)h.mask;
	ix->px.post = (uint32_t *)(base + h.off[SEC_POST]);
	ix->px.tag = (uint32_t *)(base + h.off[SEC_TAG]);
	ix->px.n_post = (size_t)h.n_post;
	ix->giv_share = (float *)(base + h.off[SEC_GIV]);
	ix->n_giv = (size_t)h.n_giv;
	ix->id_off = (const uint32_t *)(base + h.off[SEC_IDOFF]);
	ix->ids = base + h.off[SEC_IDS];
	ix->ids_len = (size_t)h.len[SEC_IDS];
	*out = ix;
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	return rc;
}

/* ---- Checking ---- */

int
cartel_match_index_verify(const struct cartel_match_index *ix, char **why)
{
	if (ix == NULL || ix->map == NULL)
		return 0;
	struct ixf_head h;
	if (ix->map_len < sizeof h)
		return cartel__why(why, CARTEL_EFORMAT,
				   "the search index is damaged (cut short)");
	memcpy(&h, ix->map, sizeof h);
	const unsigned char *base = ix->map;
	crypto_generichash_state hs;
	unsigned char body[IXF_DIGEST], whole[IXF_DIGEST];
	body_hash_init(&hs, h.stamp);
	crypto_generichash_update(&hs, base + sizeof h,
				  ix->map_len - sizeof h);
	crypto_generichash_final(&hs, body, sizeof body);
	file_digest(&h, body, whole);
	if (sodium_memcmp(whole, h.digest, sizeof whole) != 0)
		return cartel__why(why, CARTEL_EFORMAT,
				   "the search index is damaged (its content "
				   "does not match its digest)");
	return 0;
}

/* The string at off of an arena of len bytes, or NULL when off is not
 * inside it. */
static const char *
arena_str(const struct match_arena *a, uint32_t off)
{
	return off < a->len ? match_str(a, off) : NULL;
}

static int
same_str(const struct match_arena *a, uint32_t ao,
	 const struct match_arena *b, uint32_t bo)
{
	const char *x = arena_str(a, ao), *y = arena_str(b, bo);
	return x != NULL && y != NULL && strcmp(x, y) == 0;
}

int
cartel_match_index_agrees(const struct cartel_match_index *ix, size_t index,
			  const struct cartel_person *p)
{
	if (ix == NULL || p == NULL || p->id == NULL)
		return 0;
	if (ix->map == NULL)
		return 1; /* built from the register, never read from a file */
	if (index >= ix->side.n)
		return 0;
	uint32_t off = ix->id_off[index];
	if (off >= ix->ids_len || strcmp(ix->ids + off, p->id) != 0)
		return 0;
	const struct match_rec *a = &ix->side.recs[index];
	const struct match_arena *aa = &ix->side.arena;
	struct match_rec b;
	struct match_arena ba = {0};
	if (cartel__match_rec_make(ix->nt, p, &b, &ba) != 0) {
		free(ba.buf);
		return -1;
	}
	if (ba.buf == NULL) {
		ba.buf = calloc(1, 1);
		if (ba.buf == NULL)
			return -1;
		ba.len = ba.cap = 1;
	}
	int same = same_str(aa, a->fam, &ba, b.fam) &&
		   same_str(aa, a->fam_masc, &ba, b.fam_masc) &&
		   same_str(aa, a->giv, &ba, b.giv) &&
		   same_str(aa, a->patr, &ba, b.patr) &&
		   same_str(aa, a->place, &ba, b.place) &&
		   same_str(aa, a->svc, &ba, b.svc) && a->fam_h == b.fam_h &&
		   a->fam_sh == b.fam_sh && a->giv_h == b.giv_h &&
		   a->patr_h == b.patr_h && a->place_h == b.place_h &&
		   a->svc_h == b.svc_h && a->fem == b.fem &&
		   a->n_dm == b.n_dm && a->n_dm <= REC_DM_MAX &&
		   memcmp(a->dm, b.dm, a->n_dm * sizeof a->dm[0]) == 0 &&
		   a->n_place_dm == b.n_place_dm && a->n_place_dm <= 2 &&
		   memcmp(a->place_dm, b.place_dm,
			  a->n_place_dm * sizeof a->place_dm[0]) == 0 &&
		   a->given_how == b.given_how && a->swapped == b.swapped &&
		   a->patr_moved == b.patr_moved && a->sex == b.sex &&
		   a->lang == b.lang && a->given_id == b.given_id &&
		   a->patr_id == b.patr_id && a->surname_id == b.surname_id &&
		   a->year == b.year && a->month == b.month && a->day == b.day;
	free(ba.buf);
	return same;
}
