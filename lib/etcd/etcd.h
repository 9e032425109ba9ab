/* An etcd v3 client on the gRPC core C API, and the dump and load built on it.
 *
 * Unary calls only, each with a deadline.  Endpoints are tried in turn: when one
 * cannot be reached within the dial timeout, or a call fails with UNAVAILABLE or
 * DEADLINE_EXCEEDED, the client moves to the next and retries the call (every call
 * we make is safe to repeat: reads at a pinned revision, puts of fixed values,
 * deletes).  Failures are recorded with btr_fail: 3 for connection and server
 * trouble, 1 for authentication and permission, as in lib/err.h. */
#ifndef BTR_ETCD_H
#define BTR_ETCD_H

#include <stddef.h>
#include <stdint.h>
#include <grpc/status.h>
#include "err.h"

#include "etcd_rpc.pb-c.h"

struct btr_etcd_opts {
	const char *endpoints;     /* "h:p,h:p"; http:// and https:// prefixes accepted */
	const char *cacert, *cert, *key;
	const char *user;          /* NULL: no authentication */
	const char *password_file; /* else ETCD_PASSWORD, else a prompt on /dev/tty */
	int insecure_key_file;     /* take a password file that group or others can read */
	long dial_timeout_ms;      /* default 2000 */
	long command_timeout_ms;   /* default 5000 */
	uint64_t max_recv;         /* largest response accepted; default 8 MiB */
};
void btr_etcd_opts_init(struct btr_etcd_opts *o);

/* Common connection options, shared by etcd-dump and etcd-load (opts.c). */
enum {
	BTR_ETCD_OPT_ENDPOINTS = 0x1000, BTR_ETCD_OPT_CACERT, BTR_ETCD_OPT_CERT, BTR_ETCD_OPT_KEY,
	BTR_ETCD_OPT_USER, BTR_ETCD_OPT_PASSWORD_FILE, BTR_ETCD_OPT_DIAL_TIMEOUT, BTR_ETCD_OPT_COMMAND_TIMEOUT,
	BTR_ETCD_OPT_MAX_RECV, BTR_ETCD_OPT_INSECURE_KEY_FILE,
};
#define BTR_ETCD_LONGOPTS                                                               \
	{"endpoints", required_argument, NULL, BTR_ETCD_OPT_ENDPOINTS},                 \
	{"cacert", required_argument, NULL, BTR_ETCD_OPT_CACERT},                       \
	{"cert", required_argument, NULL, BTR_ETCD_OPT_CERT},                           \
	{"key", required_argument, NULL, BTR_ETCD_OPT_KEY},                             \
	{"user", required_argument, NULL, BTR_ETCD_OPT_USER},                           \
	{"password-file", required_argument, NULL, BTR_ETCD_OPT_PASSWORD_FILE},         \
	{"dial-timeout", required_argument, NULL, BTR_ETCD_OPT_DIAL_TIMEOUT},           \
	{"command-timeout", required_argument, NULL, BTR_ETCD_OPT_COMMAND_TIMEOUT},     \
	{"max-recv-bytes", required_argument, NULL, BTR_ETCD_OPT_MAX_RECV},             \
	{"insecure-key-file", no_argument, NULL, BTR_ETCD_OPT_INSECURE_KEY_FILE}
/* Handles one of the options above; returns 1 when it was one, 0 when not, -1 with
 * btr_fail (exit class 2) for a bad value. */
int btr_etcd_opts_parse(struct btr_etcd_opts *o, int c, const char *arg);
/* Help text for the options above. */
extern const char btr_etcd_opts_help[];
/* Endpoints from ETCDCTL_ENDPOINTS when --endpoints was not given, else 127.0.0.1:2379;
 * -1 with btr_fail (exit class 2) for options that do not go together. */
int btr_etcd_opts_finish(struct btr_etcd_opts *o);

struct btr_etcd;
/* Connects to the first reachable endpoint and authenticates.  NULL on failure. */
struct btr_etcd *btr_etcd_open(const struct btr_etcd_opts *o);
void btr_etcd_close(struct btr_etcd *e);
/* "127.0.0.1:2379": the endpoint in use, for messages. */
const char *btr_etcd_endpoint(const struct btr_etcd *e);

/* A unary call: packs req, sends it to `method` ("/etcdserverpb.KV/Range"), unpacks
 * the reply (free it with protobuf_c_message_free_unpacked).  -1 on failure, with
 * btr_etcd_last_status() telling the gRPC status (0 when the failure was ours). */
int btr_etcd_call(struct btr_etcd *e, const char *method, const ProtobufCMessage *req,
	      const ProtobufCMessageDescriptor *rdesc, ProtobufCMessage **resp);
/* The same in two halves, so that several calls can be in flight: start (NULL only
 * when out of memory), then finish each, in any order.  A call that failed for want
 * of a connection or a valid token is sent again, with failover, by finish.
 * abandon cancels one that will not be finished. */
struct btr_etcd_pending;
struct btr_etcd_pending *btr_etcd_call_start(struct btr_etcd *e, const char *method, const ProtobufCMessage *req);
int btr_etcd_call_finish(struct btr_etcd *e, struct btr_etcd_pending *p, const ProtobufCMessageDescriptor *rdesc,
		     ProtobufCMessage **resp);
void btr_etcd_call_abandon(struct btr_etcd *e, struct btr_etcd_pending *p);
/* The same, handing out the reply's bytes (not copied) for callers that check them. */
struct btr_etcd_reply {
	const uint8_t *p;
	size_t n;
	void *priv;
};
int btr_etcd_call_raw(struct btr_etcd *e, const char *method, const ProtobufCMessage *req, struct btr_etcd_reply *out);
void btr_etcd_reply_free(struct btr_etcd_reply *r);
grpc_status_code btr_etcd_last_status(const struct btr_etcd *e);
size_t btr_etcd_max_recv(const struct btr_etcd *e);
const char *btr_etcd_last_details(const struct btr_etcd *e);


/* ---- key ranges (range.c) ---- */

/* The range_end that selects every key starting with prefix: prefix with its last
 * byte below 0xff incremented and the rest dropped; "\0" (all keys >= prefix) when
 * there is no such byte.  out must have room for n bytes (1 when n is 0). */
size_t btr_etcd_prefix_end(const uint8_t *prefix, size_t n, uint8_t *out);
/* Returns 1 when key starts with prefix. */
int btr_etcd_has_prefix(const uint8_t *key, size_t klen, const uint8_t *prefix, size_t plen);

/* A paged walk over [key, range_end) at one revision (the first page's when 0). */
struct btr_etcd_cursor {
	struct btr_etcd *e;
	uint8_t *next;             /* key to resume from */
	size_t next_len;
	uint8_t *end;
	size_t end_len;
	int64_t revision;
	uint64_t cluster_id;
	long page, max_page;       /* current and configured keys per page */
	size_t page_bytes;         /* reply size aimed at */
	int done;
	Etcdserverpb__RangeResponse *resp;
};
/* prefix NULL or empty: every key. */
int btr_etcd_cursor_init(struct btr_etcd_cursor *c, struct btr_etcd *e, const uint8_t *prefix, size_t plen,
		     int64_t revision, long page);
/* Fetches the next page into c->resp (its kvs in key order).  1: a page (possibly
 * empty only when the range is), 0: no more, -1: failure (a compaction past the
 * pinned revision is named as such). */
int btr_etcd_cursor_next(struct btr_etcd_cursor *c);
void btr_etcd_cursor_free(struct btr_etcd_cursor *c);

/* Decodes and checks a Range response as the cursor receives it: keys strictly
 * ascending, after `after` (when not NULL), before range_end, none empty.  NULL
 * (btr_fail, class 3) when the bytes are not a valid response. */
Etcdserverpb__RangeResponse *btr_etcd_range_parse(const uint8_t *p, size_t n, const uint8_t *after,
					      size_t after_len, const uint8_t *end, size_t end_len);

/* Deletes [key, range_end) for prefix (every key when NULL or empty); *deleted counts. */
int btr_etcd_delete_prefix(struct btr_etcd *e, const uint8_t *prefix, size_t plen, int64_t *deleted);
/* Counts the keys under prefix (every key when NULL or empty). */
int btr_etcd_count_prefix(struct btr_etcd *e, const uint8_t *prefix, size_t plen, int64_t *count);
/* The cluster id and the member's database size, from Maintenance.Status. */
int btr_etcd_status(struct btr_etcd *e, uint64_t *cluster_id, int64_t *db_size);

/* ---- dump (dump.c) ---- */

struct btr_rate;
struct btr_etcd_dump_opts {
	const char *prefix;        /* NULL: every key */
	int64_t revision;          /* 0: the newest */
	long page_size;            /* keys per Range call */
	int progress;              /* BTR_PROGRESS_* */
	struct btr_rate *limit_keys; /* keys written per second; NULL: no limit */
};
/* Writes one segment (header, one KV record per key, trailer) to fd.  *count gets
 * the number of keys written, even on failure. */
int btr_etcd_dump(struct btr_etcd *e, const struct btr_etcd_dump_opts *o, int fd, uint64_t *count);

/* ---- load (load.c) ---- */

struct btr_etcd_load_opts {
	const char **prefixes;     /* only keys under these; none: every key */
	size_t nprefixes;
	int with_leased;
	int clear, clear_only, verify, dry_run;
	long txn_ops;              /* ops per Txn, default 128 */
	long in_flight;            /* Txns in flight, 1 to BTR_ETCD_MAX_IN_FLIGHT, default 4 */
	uint64_t txn_bytes;        /* bytes of keys and values per Txn, default 1 MiB */
	int progress;
	long page_size;            /* keys per Range call when verifying */
	struct btr_rate *limit_keys; /* keys put or verified per second; NULL: no limit */
	btr_say_fn say;            /* --verify: the first differences, one line each */
};
#define BTR_ETCD_MAX_IN_FLIGHT 16
struct btr_etcd_load_stats {
	uint64_t restored, leased, other_records, outside_prefix, deleted;
	uint64_t compared, differences;
};
/* Reads the stream from fd and does what the options say.  e may be NULL only with
 * dry_run.  -1 on failure; a truncated or damaged stream fails (class 1) after the
 * keys seen were applied.  A verification difference fails with class 1. */
int btr_etcd_load(struct btr_etcd *e, const struct btr_etcd_load_opts *o, int fd, struct btr_etcd_load_stats *st);

#endif
