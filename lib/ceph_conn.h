/* Connecting to a Ceph cluster the way the `rados` CLI does: -c/--conf (or CEPH_CONF),
 * --id or -n/--name, --keyring, plus bounded timeouts so a dead monitor or OSD is an
 * error within the configured time, never a hang. */
#ifndef BTR_CEPH_CONN_H
#define BTR_CEPH_CONN_H

#include <getopt.h>
#include <rados/librados.h>
#include <stddef.h>

struct btr_ceph_opts {
	const char *conf;       /* NULL: CEPH_CONF, then the default search path */
	const char *id;         /* "admin" for client.admin */
	const char *name;       /* "client.admin"; wins over id */
	const char *keyring;
	unsigned timeout;       /* seconds for OSD and monitor ops; 0: default */
};

/* getopt_long entries for the options above; short options "c:n:".  Put
 * BTR_CEPH_LONGOPTS into a tool's option table and hand every option to
 * btr_ceph_opt(), which returns 1 when it was one of these. */
enum { BTR_OPT_CEPH_ID = 0x1c00, BTR_OPT_CEPH_KEYRING, BTR_OPT_CEPH_TIMEOUT };
#define BTR_CEPH_LONGOPTS \
	{"conf", required_argument, NULL, 'c'}, {"id", required_argument, NULL, BTR_OPT_CEPH_ID}, \
	{"name", required_argument, NULL, 'n'}, {"keyring", required_argument, NULL, BTR_OPT_CEPH_KEYRING}, \
	{"timeout", required_argument, NULL, BTR_OPT_CEPH_TIMEOUT}
#define BTR_CEPH_SHORTOPTS "c:n:"
#define BTR_CEPH_USAGE \
	"  -c, --conf FILE      ceph.conf (default: $CEPH_CONF, then Ceph's search path)\n" \
	"      --id ID          client id (client.ID; default admin)\n" \
	"  -n, --name NAME      client name (client.admin)\n" \
	"      --keyring FILE   keyring (default: as ceph.conf says)\n" \
	"      --timeout SECS   give up on an unresponsive monitor or OSD after SECS (default 60)\n"
#define BTR_CEPH_DEFAULT_TIMEOUT 60

/* 1 when c was a Ceph connection option (stored in o), 0 otherwise; a bad value is a
 * usage error (exit 2). */
int btr_ceph_opt(struct btr_ceph_opts *o, int c, const char *arg);

/* Connects.  0, or -1 with btr_fail (exit class 3) naming the cause, e.g. a missing
 * keyring, refused cephx authentication, or no monitor answering in time. */
int btr_ceph_connect(const struct btr_ceph_opts *o, rados_t *out);

/* Shuts down a handle from btr_ceph_connect.  A handle still open when the process
 * exits (a tool dying on an error) is shut down by an exit handler: exiting with
 * librados' threads still running can crash in its static destructors. */
void btr_ceph_shutdown(rados_t c);

/* The cluster fsid as text (37 bytes with the NUL). */
int btr_ceph_fsid(rados_t c, char out[37]);

/* Opens a pool.  A pool that does not exist fails with `code` and the message
 * `pool "NAME" does not exist` + hint (e.g. " (create it first)"). */
int btr_ceph_open_pool(rados_t c, const char *pool, int code, const char *hint, rados_ioctx_t *out);

/* All pool names, sorted; free with btr_ceph_free_pools. */
int btr_ceph_list_pools(rados_t c, char ***names, size_t *n);
void btr_ceph_free_pools(char **names, size_t n);

/* strerror(-err) with a hint for the errors operators meet: cephx caps (EACCES, EPERM),
 * timeouts.  `err` is a negative librados return value. */
const char *btr_rados_strerror(int err);

#endif
