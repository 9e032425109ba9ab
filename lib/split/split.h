/* btr-split: a byte stream into numbered pieces ARCHIVE00000.bin... in a directory,
 * with a manifest written last, and back. */
#ifndef BTR_SPLIT_AREA_H
#define BTR_SPLIT_AREA_H
#include <stddef.h>
#include <stdint.h>
#include "err.h"

/* Piece checksums are XXH3-128 (xxh128.h), as `xxhsum -H2` prints them.  Fast enough
 * that joining runs at the speed of cat; they guard against damage and misordering,
 * not against an attacker (who could rewrite the manifest as well: btr-unseal is what
 * authenticates a backup). */
#include "xxh128.h"
#define BTR_SUM_BYTES BTR_XXH128_BYTES

#define BTR_SPLIT_MANIFEST "MANIFEST"
#define BTR_SPLIT_MAX_PIECES 10000000u

struct btr_split_piece {
	uint64_t size;
	uint8_t sum[BTR_SUM_BYTES];
};

struct btr_split_manifest {
	struct btr_split_piece *pieces;
	size_t n;
	uint64_t total;
	uint8_t sum[BTR_SUM_BYTES]; /* over the piece checksums, in order */
};

/* Piece name for index i: ARCHIVE00000.bin (more digits past 99999). */
void btr_split_piece_name(char *out, size_t len, size_t i);

/* 0 and *i when name is exactly the name of piece *i; -1 otherwise. */
int btr_split_piece_index(const char *name, size_t *i);

/* Parses a manifest (hostile input: bounded lines, names in sequence, counts checked).
 * -1 with btr_fail (1: malformed). */
int btr_split_manifest_parse(const char *text, size_t len, struct btr_split_manifest *m);
/* The same a line at a time, so a manifest is read in bounded memory: begin, then
 * each line without its newline, then end (partial_line: bytes after the last
 * newline).  After a -1, m is already freed. */
#define BTR_SPLIT_MANIFEST_LINE_MAX 256
struct btr_split_parse {
	struct btr_split_manifest *m;
	size_t cap, lineno;
	int ended;
};
void btr_split_manifest_begin(struct btr_split_parse *ps, struct btr_split_manifest *m);
int btr_split_manifest_line(struct btr_split_parse *ps, const char *line, size_t len);
int btr_split_manifest_end(struct btr_split_parse *ps, int partial_line);
/* Renders a manifest; returns a malloc'd string. */
char *btr_split_manifest_format(const struct btr_split_manifest *m);
void btr_split_manifest_free(struct btr_split_manifest *m);
/* Computes m->sum from the pieces. */
void btr_split_manifest_seal(struct btr_split_manifest *m);

struct btr_rate;
struct btr_split_opts {
	const char *dir;
	uint64_t size;          /* bytes per piece */
	const char *filter;     /* sh -c command per piece, $FILE set; NULL: none */
	int keep;               /* with a filter, keep the pieces too */
	int force;              /* allow a directory that already holds files */
	btr_say_fn say;         /* "creating new file NAME" per piece; NULL: quiet */
	int progress;           /* BTR_PROGRESS_AUTO, _FORCE or _OFF */
	struct btr_rate *limit_rate; /* bytes per second to the filter (or the pieces); NULL: none */
	long timeout_ms;        /* per piece, waiting on the filter; 0: none */
	int spool;              /* --retries given: each piece to DIR first, then to the filter */
	unsigned retries;       /* re-sends of a piece whose filter failed */
};
int btr_split(int in, const struct btr_split_opts *o);

/* Joins (out >= 0) or checks (out < 0) the pieces of dir against its manifest;
 * with fetch, each piece is read from `sh -c fetch` ($FILE set) instead of a file. */
int btr_join(const char *dir, const char *fetch, int out, int progress);

#endif
