/* btr-split: a byte stream into numbered pieces ARCHIVE00000.bin... in a directory,
 * with a manifest written last, and back. */
#ifndef BTR_SPLIT_AREA_H
#define BTR_SPLIT_AREA_H
#include <stddef.h>
#include <stdint.h>
#include "err.h"

/* ---- piece checksums (checksum.c) ---- */
/* The piece checksum of btr-split: XXH3 with 128 bits of output, written in its
 * canonical (big-endian) byte order, as `xxhsum -H2` prints it.  Fast enough that
 * joining runs at the speed of cat; it guards against damage and misordering, not
 * against an attacker (who could rewrite the manifest as well: btr-unseal is what
 * authenticates a backup). */
#include <stddef.h>
#include <stdint.h>

#define BTR_SUM_BYTES 16

struct btr_sum {
	_Alignas(64) unsigned char state[640]; /* an XXH3_state_t, without its header here */
};

void btr_sum_init(struct btr_sum *s);
void btr_sum_update(struct btr_sum *s, const void *p, size_t n);
void btr_sum_final(struct btr_sum *s, uint8_t out[BTR_SUM_BYTES]);


#define SPLIT_MANIFEST "MANIFEST"
#define SPLIT_MAX_PIECES 10000000u

struct split_piece {
	uint64_t size;
	uint8_t sum[BTR_SUM_BYTES];
};

struct split_manifest {
	struct split_piece *pieces;
	size_t n;
	uint64_t total;
	uint8_t sum[BTR_SUM_BYTES]; /* over the piece checksums, in order */
};

/* Piece name for index i: ARCHIVE00000.bin (more digits past 99999). */
void split_piece_name(char *out, size_t len, size_t i);

/* 0 and *i when name is exactly the name of piece *i; -1 otherwise. */
int split_piece_index(const char *name, size_t *i);

/* Parses a manifest (hostile input: bounded lines, names in sequence, counts checked).
 * -1 with btr_fail (1: malformed). */
int split_manifest_parse(const char *text, size_t len, struct split_manifest *m);
/* Renders a manifest; returns a malloc'd string. */
char *split_manifest_format(const struct split_manifest *m);
void split_manifest_free(struct split_manifest *m);
/* Computes m->sum from the pieces. */
void split_manifest_seal(struct split_manifest *m);

struct split_opts {
	const char *dir;
	uint64_t size;          /* bytes per piece */
	const char *filter;     /* sh -c command per piece, $FILE set; NULL: none */
	int keep;               /* with a filter, keep the pieces too */
	int force;              /* allow a directory that already holds files */
	btr_say_fn say;         /* "creating new file NAME" per piece; NULL: quiet */
	int progress;           /* BTR_PROGRESS_AUTO, _FORCE or _OFF */
};
int btr_split(int in, const struct split_opts *o);

/* Joins (out >= 0) or checks (out < 0) the pieces of dir against its manifest;
 * with fetch, each piece is read from `sh -c fetch` ($FILE set) instead of a file. */
int btr_join(const char *dir, const char *fetch, int out, int progress);

#endif
