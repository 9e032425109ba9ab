/* mkstream: writes a deterministic BTrDB-like record stream for tests.
 *   mkstream [-o OBJECTS] [-s MAXSIZE] [-k KEYS] [-S SEED] [-p POOL]... [-n SEGMENTS] [-x]
 *            [-c CONTENT] [-e ETCD_PREFIX]
 * Objects get names like BTrDB's, binary xattrs, some omap; keys include raw
 * 16-byte UUIDs with NUL bytes and some carry a lease.  -x adds, to every segment,
 * the awkward cases: names and keys with spaces, newlines, backslashes, NUL and
 * high bytes, glob characters, a lone "-"; several namespaces; two objects that
 * differ only by locator; deletions; index entries; keys under btrdb/g/, n/, x/. */
#include "err.h"
#include "tool.h"
#include "io.h"
#include "size.h"
#include "stream/stream.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define S(lit) {(uint8_t *)(lit), sizeof(lit) - 1}
struct bytes {
	uint8_t *p;
	size_t n;
};
/* Awkward objects: namespace, name, locator. */
static const struct bytes x_objects[][3] = {
	{S(""), S("with space"), S("")},        {S(""), S("tab\tname"), S("")},
	{S(""), S("nl\nname"), S("")},          {S(""), S("back\\slash"), S("")},
	{S(""), S("nul\0inside"), S("")},       {S(""), S("-"), S("")},
	{S(""), S("star*name"), S("")},         {S(""), S("q?mark"), S("")},
	{S(""), S("[br]acket"), S("")},         {S(""), S("\xff\xfe\x80high"), S("")},
	{S("journalprovider"), S("node/node1"), S("")},
	{S("journalprovider"), S("jo/node1/0000000000000001"), S("")},
	{S("ns two"), S("x"), S("")},           {S("-"), S("dash-ns"), S("")},
	{S(""), S("located"), S("loc\x01")},    {S(""), S("located"), S("loc2")},
	/* One BTrDB stream, UUID 555a0001ff102030405060708090a0b0 (its key is in x_keys),
	 * and a neighbour that shares a prefix of it. */
	{S(""), S("meta555a0001ff102030405060708090a0b0"), S("")},
	{S(""), S("sb555a0001ff102030405060708090a0b000000000001"), S("")},
	{S(""), S("555a0001ff102030405060708090a0b00000001008"), S("")},
	{S(""), S("555a0001ff102030405060708090a0b10000001008"), S("")},
};
static const struct bytes x_deletes[][3] = {
	{S(""), S("deleted1"), S("")},
	{S("journalprovider"), S("gone\0bin"), S("")},
	{S(""), S("with space deleted"), S("k")},
};
static const struct bytes x_keys[] = {
	S("btrdb/g/config"), S("btrdb/g/nested/x"), S("btrdb/gx"), S("btrdb/n/node1/cfg"),
	S("btrdb/x/m/node1/active"), S("key with space"), S("nl\nkey"), S("-"), S("back\\slash"),
	S("\0nul-first"), S("btrdb/s/\x55\x5a\x00\x01\xff\x10\x20\x30\x40\x50\x60\x70\x80\x90\xa0\xb0"),
};

static void ident(ProtobufCBinaryData *ns, ProtobufCBinaryData *name, ProtobufCBinaryData *loc,
		  const struct bytes b[3])
{
	ns->data = b[0].p;
	ns->len = b[0].n;
	name->data = b[1].p;
	name->len = b[1].n;
	loc->data = b[2].p;
	loc->len = b[2].n;
}

static void extras(struct btr_writer *w, const char **pools, size_t npools, int64_t seg)
{
	static uint8_t data[8192];
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(i * 31 + 7);
	for (size_t i = 0; i < sizeof x_objects / sizeof x_objects[0]; i++) {
		Btr__ObjectBegin b = BTR__OBJECT_BEGIN__INIT;
		b.pool = (char *)pools[i % npools];
		ident(&b.namespace_, &b.name, &b.locator, x_objects[i]);
		b.size = i * 200;
		b.mtime = 1700000000 + seg;
		b.version = i + 1;
		if (btr_writer_object_begin(w, &b) < 0 || btr_writer_object_data(w, data, b.size) < 0 ||
		    btr_writer_object_end(w, NULL) < 0)
			btr_die_last();
	}
	/* A name whose escaped form is longer than any fixed buffer of a listing. */
	static uint8_t longname[2000];
	for (size_t i = 0; i < sizeof longname; i++)
		longname[i] = (uint8_t)(i % 255 + 1);
	Btr__ObjectBegin lb = BTR__OBJECT_BEGIN__INIT;
	lb.pool = (char *)pools[0];
	lb.name.data = longname;
	lb.name.len = sizeof longname;
	if (btr_writer_object_begin(w, &lb) < 0 || btr_writer_object_end(w, NULL) < 0)
		btr_die_last();
	for (size_t i = 0; i < sizeof x_deletes / sizeof x_deletes[0]; i++) {
		Btr__Delete d = BTR__DELETE__INIT;
		d.pool = (char *)pools[i % npools];
		ident(&d.namespace_, &d.name, &d.locator, x_deletes[i]);
		if (btr_writer_delete(w, &d) < 0)
			btr_die_last();
	}
	for (size_t i = 0; i < 2; i++) {
		Btr__IndexEntry e = BTR__INDEX_ENTRY__INIT;
		e.pool = (char *)pools[(i + 1) % npools];
		e.name.data = (uint8_t *)(i ? "idx\xff" : "idx1");
		e.name.len = 4;
		e.namespace_.data = (uint8_t *)"ns";
		e.namespace_.len = i ? 2 : 0;
		e.size = 100 * i;
		e.version = 7;
		e.digest.data = data;
		e.digest.len = BTR_DIGEST_LEN;
		if (btr_writer_index(w, &e) < 0)
			btr_die_last();
	}
}

static void extra_keys(struct btr_writer *w)
{
	for (size_t i = 0; i < sizeof x_keys / sizeof x_keys[0]; i++) {
		Btr__KeyValue kv = BTR__KEY_VALUE__INIT;
		kv.key.data = x_keys[i].p;
		kv.key.len = x_keys[i].n;
		kv.value.data = (uint8_t *)"value";
		kv.value.len = 5;
		kv.create_revision = kv.mod_revision = 500 + (int64_t)i;
		kv.version = 1;
		kv.lease = strstr((const char *)x_keys[i].p, "active") ? 0x99 : 0;
		if (btr_writer_kv(w, &kv) < 0)
			btr_die_last();
	}
}

static uint64_t rng;
static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

int main(int argc, char **argv)
{
	uint64_t objects = 20, maxsize = 300000, keys = 30, segments = 1;
	const char *pools[16];
	size_t npools = 0;
	int c, x = 0;
	const char *content = "test", *prefix = "";
	btr_init(argv[0]);
	rng = 88172645463325252ull;
	while ((c = getopt(argc, argv, "o:s:k:S:p:n:xc:e:")) != -1) {
		switch (c) {
		case 'o': objects = strtoull(optarg, NULL, 10); break;
		case 's': if (btr_parse_size(optarg, &maxsize) < 0) btr_usage_error("bad size"); break;
		case 'k': keys = strtoull(optarg, NULL, 10); break;
		case 'S': rng ^= strtoull(optarg, NULL, 10) * 0x9E3779B97F4A7C15ull; break;
		case 'p': if (npools < 16) pools[npools++] = optarg; break;
		case 'n': segments = strtoull(optarg, NULL, 10); break;
		case 'x': x = 1; break;
		case 'c': content = optarg; break;
		case 'e': prefix = optarg; break;
		default: btr_usage_error("bad option");
		}
	}
	if (!npools) {
		pools[npools++] = "btrdbhot";
		pools[npools++] = "btrdbcold";
	}
	struct btr_writer *w = btr_writer_new(STDOUT_FILENO, "stdout");
	uint8_t *data = malloc(maxsize + 1);
	for (uint64_t s = 0; s < segments; s++) {
		Btr__Header h = BTR__HEADER__INIT;
		h.producer = "mkstream";
		h.content = (char *)content;
		h.etcd_prefix = (char *)prefix;
		h.pools = (char **)pools;
		h.n_pools = npools;
		h.etcd_revision = 1000 + (int64_t)s;
		if (btr_writer_header(w, &h) < 0)
			btr_die_last();
		for (uint64_t o = 0; o < objects; o++) {
			Btr__ObjectBegin b = BTR__OBJECT_BEGIN__INIT;
			Btr__Xattr x = BTR__XATTR__INIT, *xs[] = {&x};
			char name[64];
			uint8_t ver[8];
			uint64_t size = o % 5 == 0 ? 0 : next() % (maxsize + 1);
			snprintf(name, sizeof name, o % 5 == 0 ? "meta%016llx%016llx" : "%016llx%016llx00000010%02x",
				 (unsigned long long)next(), (unsigned long long)next(), (unsigned)(o & 0xff));
			b.pool = (char *)pools[o % npools];
			b.name.data = (uint8_t *)name;
			b.name.len = strlen(name);
			if (o % 7 == 3) {
				b.namespace_.data = (uint8_t *)"journalprovider";
				b.namespace_.len = 15;
			}
			if (o % 11 == 4) {
				b.locator.data = (uint8_t *)"loc";
				b.locator.len = 3;
			}
			for (int i = 0; i < 8; i++)
				ver[i] = (uint8_t)(next() & (i % 2 ? 0 : 0xff));
			x.name.data = (uint8_t *)"version";
			x.name.len = 7;
			x.value.data = ver;
			x.value.len = 8;
			b.xattrs = xs;
			b.n_xattrs = 1;
			b.size = size;
			b.mtime = 1700000000 + (int64_t)o;
			b.version = o + 1;
			for (uint64_t i = 0; i < size; i++)
				data[i] = (uint8_t)(i % 97 < 60 ? i / 97 : next());
			if (btr_writer_object_begin(w, &b) < 0 || btr_writer_object_data(w, data, size) < 0)
				btr_die_last();
			if (o % 6 == 2) {
				size_t n = 1 + next() % 40;
				Btr__OmapEntry *e = calloc(n, sizeof *e), **ep = calloc(n, sizeof *ep);
				char (*k)[16] = calloc(n, 16);
				for (size_t i = 0; i < n; i++) {
					btr__omap_entry__init(&e[i]);
					snprintf(k[i], 16, "key%05zu", i);
					e[i].key.data = (uint8_t *)k[i];
					e[i].key.len = strlen(k[i]);
					e[i].value.data = (uint8_t *)name;
					e[i].value.len = i % 3 ? 0 : 20;
					ep[i] = &e[i];
				}
				if (btr_writer_object_omap(w, ep, n) < 0)
					btr_die_last();
				free(e);
				free(ep);
				free(k);
			}
			if (btr_writer_object_end(w, NULL) < 0)
				btr_die_last();
		}
		if (x)
			extras(w, pools, npools, (int64_t)s);
		for (uint64_t i = 0; i < keys; i++) {
			Btr__KeyValue kv = BTR__KEY_VALUE__INIT;
			uint8_t key[40];
			memcpy(key, "btrdb/u/", 8);
			for (int j = 0; j < 16; j++)
				key[8 + j] = (uint8_t)(next() & (j % 4 ? 0xff : 0)); /* raw UUID bytes, with NULs */
			kv.key.data = key;
			kv.key.len = 24;
			kv.value.data = data;
			kv.value.len = i % 4 ? 16 : 0;
			kv.create_revision = kv.mod_revision = (int64_t)(10 + i);
			kv.version = 1;
			kv.lease = i % 10 == 9 ? 0x1234 : 0;
			if (btr_writer_kv(w, &kv) < 0)
				btr_die_last();
		}
		if (x)
			extra_keys(w);
		if (btr_writer_trailer(w, NULL) < 0 || btr_writer_flush(w) < 0)
			btr_die_last();
	}
	free(data);
	btr_writer_free(w);
	return 0;
}
