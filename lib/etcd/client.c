/* The etcd client: endpoints, channel, TLS, authentication, unary calls. */
#include "etcd.h"
#include "err.h"
#include "secret.h"

#include <grpc/byte_buffer.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/slice.h>
#include <grpc/support/alloc.h>
#include <grpc/support/log.h>
#include <grpc/support/time.h>

#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#define PEM_MAX (1u << 20)

struct btr_etcd {
	char **eps;
	size_t neps, cur;
	grpc_channel_credentials *creds;   /* NULL: plain text */
	grpc_channel *ch;
	grpc_completion_queue *cq;
	long dial_ms, cmd_ms;
	int max_recv;
	const char *user;
	char *password;                    /* sodium memory */
	size_t password_len;
	char *token;                       /* sodium memory; NULL without auth */
	grpc_status_code status;           /* of the last call; GRPC_STATUS_OK when the failure was ours */
	char details[512];
};

/* gRPC logs to stderr by default; we keep its last error for our own one-line
 * messages instead (a TLS handshake failure is only visible there). */
static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static char last_log[256];

static void grpc_log_sink(gpr_log_func_args *a)
{
	if (a->severity != GPR_LOG_SEVERITY_ERROR || !a->message)
		return;
	pthread_mutex_lock(&log_mu);
	snprintf(last_log, sizeof last_log, "%s", a->message);
	pthread_mutex_unlock(&log_mu);
}

static void take_last_log(char *out, size_t n)
{
	pthread_mutex_lock(&log_mu);
	snprintf(out, n, "%s", last_log);
	last_log[0] = '\0';
	pthread_mutex_unlock(&log_mu);
}

/* Reads a whole PEM file into sodium memory (a private key is a secret). */
static char *read_pem(const char *path, const char *what)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		btr_fail_errno(BTR_EXIT_USAGE, "%s %s", what, path);
		return NULL;
	}
	char *buf = sodium_malloc(PEM_MAX + 1);
	size_t n = 0;
	if (!buf) {
		close(fd);
		btr_fail(BTR_EXIT_SYS, "out of memory");
		return NULL;
	}
	for (;;) {
		ssize_t r = read(fd, buf + n, PEM_MAX - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			btr_fail_errno(BTR_EXIT_SYS, "read %s %s", what, path);
			goto bad;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n == PEM_MAX) {
			btr_fail(BTR_EXIT_USAGE, "%s %s is larger than 1 MiB", what, path);
			goto bad;
		}
	}
	close(fd);
	buf[n] = '\0';
	if (!strstr(buf, "-----BEGIN ")) {
		sodium_free(buf);
		btr_fail(BTR_EXIT_USAGE, "%s %s is not a PEM file", what, path);
		return NULL;
	}
	return buf;
bad:
	close(fd);
	sodium_free(buf);
	return NULL;
}

static int make_creds(struct btr_etcd *e, const struct btr_etcd_opts *o, int https)
{
	if (!o->cacert && !o->cert && !o->key && !https)
		return 0;
	if (!o->cert != !o->key)
		return btr_fail(BTR_EXIT_USAGE, "--cert and --key go together");
	char *ca = NULL, *cert = NULL, *key = NULL;
	int rc = -1;
	if (o->cacert && !(ca = read_pem(o->cacert, "--cacert")))
		goto out;
	if (o->cert && !(cert = read_pem(o->cert, "--cert")))
		goto out;
	if (o->key && !(key = read_pem(o->key, "--key")))
		goto out;
	grpc_ssl_pem_key_cert_pair pair = {.private_key = key, .cert_chain = cert};
	/* gRPC copies the PEM strings, so ours are wiped right away. */
	e->creds = grpc_ssl_credentials_create(ca, cert ? &pair : NULL, NULL, NULL);
	if (!e->creds) {
		btr_fail(BTR_EXIT_USAGE, "cannot set up TLS with the given certificates");
		goto out;
	}
	rc = 0;
out:
	if (ca)
		sodium_free(ca);
	if (cert)
		sodium_free(cert);
	if (key)
		sodium_free(key);
	return rc;
}

/* Splits "a,b,c", stripping http:// and https://; *https set when any had it. */
static int parse_endpoints(struct btr_etcd *e, const char *list, int *https)
{
	char *copy = strdup(list), *save = NULL, *tok;
	if (!copy)
		return btr_fail(BTR_EXIT_SYS, "out of memory");
	size_t cap = 1;
	for (const char *p = list; *p; p++)
		cap += *p == ',';
	e->eps = calloc(cap, sizeof *e->eps);
	if (!e->eps) {
		free(copy);
		return btr_fail(BTR_EXIT_SYS, "out of memory");
	}
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!strncmp(tok, "https://", 8)) {
			*https = 1;
			tok += 8;
		} else if (!strncmp(tok, "http://", 7)) {
			tok += 7;
		}
		size_t n = strlen(tok);
		while (n && tok[n - 1] == '/')
			tok[--n] = '\0';
		const char *colon = strrchr(tok, ':');
		if (!n || !colon || colon == tok || !colon[1] || strspn(colon + 1, "0123456789") != strlen(colon + 1)) {
			btr_fail(BTR_EXIT_USAGE, "endpoint '%s' is not HOST:PORT", tok);
			free(copy);
			return -1;
		}
		if (!(e->eps[e->neps++] = strdup(tok))) {
			free(copy);
			return btr_fail(BTR_EXIT_SYS, "out of memory");
		}
	}
	free(copy);
	if (!e->neps)
		return btr_fail(BTR_EXIT_USAGE, "no endpoint given");
	return 0;
}

static gpr_timespec after_ms(long ms)
{
	return gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC), gpr_time_from_millis(ms, GPR_TIMESPAN));
}

static void drop_channel(struct btr_etcd *e)
{
	if (e->ch)
		grpc_channel_destroy(e->ch);
	e->ch = NULL;
}

/* Opens a channel to endpoint i and waits until it is ready or the dial timeout. */
static int dial(struct btr_etcd *e, size_t i, char *why, size_t whylen)
{
	grpc_arg args[] = {
		{.type = GRPC_ARG_INTEGER, .key = GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH, .value.integer = e->max_recv},
		{.type = GRPC_ARG_INTEGER, .key = GRPC_ARG_MAX_SEND_MESSAGE_LENGTH, .value.integer = -1},
		/* A restarted member should be retried within the dial timeout, not after 1 s+. */
		{.type = GRPC_ARG_INTEGER, .key = GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, .value.integer = 100},
		{.type = GRPC_ARG_INTEGER, .key = GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, .value.integer = 500},
		{.type = GRPC_ARG_INTEGER, .key = GRPC_ARG_ENABLE_RETRIES, .value.integer = 0},
		/* A page arrives in one window instead of many round trips of window updates. */
		{.type = GRPC_ARG_INTEGER, .key = GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, .value.integer = e->max_recv / 2},
	};
	grpc_channel_args ca = {.num_args = sizeof args / sizeof args[0], .args = args};
	grpc_channel_credentials *cr = e->creds ? e->creds : grpc_insecure_credentials_create();
	drop_channel(e);
	pthread_mutex_lock(&log_mu);
	last_log[0] = '\0';
	pthread_mutex_unlock(&log_mu);
	e->ch = grpc_channel_create(e->eps[i], cr, &ca);
	if (!e->creds)
		grpc_channel_credentials_release(cr);
	if (!e->ch) {
		snprintf(why, whylen, "cannot create a channel");
		return -1;
	}
	gpr_timespec deadline = after_ms(e->dial_ms);
	for (;;) {
		grpc_connectivity_state s = grpc_channel_check_connectivity_state(e->ch, 1);
		if (s == GRPC_CHANNEL_READY) {
			e->cur = i;
			return 0;
		}
		if (s == GRPC_CHANNEL_SHUTDOWN)
			break;
		int tag;
		grpc_channel_watch_connectivity_state(e->ch, s, deadline, e->cq, &tag);
		grpc_event ev = grpc_completion_queue_pluck(e->cq, &tag, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
		if (ev.type != GRPC_OP_COMPLETE || !ev.success)
			break;
	}
	char log[256];
	take_last_log(log, sizeof log);
	if (log[0])
		snprintf(why, whylen, "not reachable within %ld ms (%s)", e->dial_ms, log);
	else
		snprintf(why, whylen, "not reachable within %ld ms", e->dial_ms);
	drop_channel(e);
	return -1;
}

/* Tries every endpoint once, starting with `first`. */
static int connect_any(struct btr_etcd *e, size_t first)
{
	char why[400] = "", all[1024] = "";
	size_t used = 0;
	for (size_t k = 0; k < e->neps; k++) {
		size_t i = (first + k) % e->neps;
		if (dial(e, i, why, sizeof why) == 0)
			return 0;
		int n = snprintf(all + used, sizeof all - used, "%s%s %s", k ? "; " : "", e->eps[i], why);
		if (n > 0 && (size_t)n < sizeof all - used)
			used += (size_t)n;
	}
	e->status = GRPC_STATUS_UNAVAILABLE;
	return btr_fail(BTR_EXIT_SYS, "etcd %s", all);
}

static void wipe_free(void *p, size_t n)
{
	sodium_memzero(p, n);
	free(p);
}

/* One call in flight on the current channel.  The packed request stays here so a
 * failed call can be sent again elsewhere. */
struct btr_etcd_pending {
	const char *method;
	uint8_t *buf;
	size_t len;
	grpc_call *call;
	grpc_byte_buffer *send, *recv;
	grpc_metadata md;
	int has_md;
	grpc_metadata_array init_md, trail_md;
	grpc_status_code status;
	grpc_slice details;
};

/* Starts p on the current channel: 0, or -1 with e->status and e->details set. */
static int call_start(struct btr_etcd *e, struct btr_etcd_pending *p)
{
	grpc_slice m = grpc_slice_from_static_string(p->method);
	uint8_t *copy = malloc(p->len ? p->len : 1);
	p->call = e->ch ? grpc_channel_create_call(e->ch, NULL, GRPC_PROPAGATE_DEFAULTS, e->cq, m, NULL,
						   after_ms(e->cmd_ms), NULL) : NULL;
	if (!p->call || !copy) {
		if (p->call)
			grpc_call_unref(p->call);
		p->call = NULL;
		free(copy);
		e->status = GRPC_STATUS_UNAVAILABLE;
		snprintf(e->details, sizeof e->details, "cannot create a call");
		return -1;
	}
	if (p->len)
		memcpy(copy, p->buf, p->len);
	/* Our buffer may hold a password: wiped when gRPC lets go of it. */
	grpc_slice s = grpc_slice_new_with_len(copy, p->len, wipe_free);
	p->send = grpc_raw_byte_buffer_create(&s, 1);
	grpc_slice_unref(s);
	p->md = (grpc_metadata){.key = grpc_slice_from_static_string("token")};
	if ((p->has_md = e->token != NULL))
		p->md.value = grpc_slice_from_copied_string(e->token);
	grpc_metadata_array_init(&p->init_md);
	grpc_metadata_array_init(&p->trail_md);
	p->recv = NULL;
	p->status = GRPC_STATUS_UNKNOWN;
	p->details = grpc_empty_slice();
	grpc_op ops[6];
	memset(ops, 0, sizeof ops);
	ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
	ops[0].data.send_initial_metadata.count = p->has_md ? 1 : 0;
	ops[0].data.send_initial_metadata.metadata = &p->md;
	ops[1].op = GRPC_OP_SEND_MESSAGE;
	ops[1].data.send_message.send_message = p->send;
	ops[2].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
	ops[3].op = GRPC_OP_RECV_INITIAL_METADATA;
	ops[3].data.recv_initial_metadata.recv_initial_metadata = &p->init_md;
	ops[4].op = GRPC_OP_RECV_MESSAGE;
	ops[4].data.recv_message.recv_message = &p->recv;
	ops[5].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
	ops[5].data.recv_status_on_client.trailing_metadata = &p->trail_md;
	ops[5].data.recv_status_on_client.status = &p->status;
	ops[5].data.recv_status_on_client.status_details = &p->details;
	if (grpc_call_start_batch(p->call, ops, 6, p, NULL) == GRPC_CALL_OK)
		return 0;
	/* Nothing was started: nothing will complete. */
	grpc_byte_buffer_destroy(p->send);
	if (p->has_md)
		grpc_slice_unref(p->md.value);
	grpc_metadata_array_destroy(&p->init_md);
	grpc_metadata_array_destroy(&p->trail_md);
	grpc_call_unref(p->call);
	p->call = NULL;
	e->status = GRPC_STATUS_UNAVAILABLE;
	snprintf(e->details, sizeof e->details, "cannot start the call");
	return -1;
}

/* Waits for a started call (its deadline bounds the wait): 0 and *out, or -1 with
 * e->status and e->details set (nothing recorded yet). */
static int call_wait(struct btr_etcd *e, struct btr_etcd_pending *p, grpc_byte_buffer **out)
{
	int rc = -1;
	grpc_event ev = grpc_completion_queue_pluck(e->cq, p, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
	if (ev.type != GRPC_OP_COMPLETE) {
		p->status = GRPC_STATUS_UNAVAILABLE;
		snprintf(e->details, sizeof e->details, "completion queue failed");
	} else if (p->status == GRPC_STATUS_OK && p->recv) {
		*out = p->recv;
		p->recv = NULL;
		rc = 0;
	} else if (p->status == GRPC_STATUS_OK) {
		p->status = GRPC_STATUS_INTERNAL;
		snprintf(e->details, sizeof e->details, "no reply message");
	} else {
		char *d = grpc_slice_to_c_string(p->details);
		snprintf(e->details, sizeof e->details, "%s", d && *d ? d : "no details");
		gpr_free(d);
	}
	e->status = rc == 0 ? GRPC_STATUS_OK : p->status;
	if (p->recv)
		grpc_byte_buffer_destroy(p->recv);
	grpc_byte_buffer_destroy(p->send);
	if (p->has_md)
		grpc_slice_unref(p->md.value);
	grpc_slice_unref(p->details);
	grpc_metadata_array_destroy(&p->init_md);
	grpc_metadata_array_destroy(&p->trail_md);
	grpc_call_unref(p->call);
	p->call = NULL;
	p->recv = p->send = NULL;
	return rc;
}

static int call_once(struct btr_etcd *e, struct btr_etcd_pending *p, grpc_byte_buffer **out)
{
	return call_start(e, p) < 0 ? -1 : call_wait(e, p, out);
}

static int is_auth_failure(const struct btr_etcd *e)
{
	return e->status == GRPC_STATUS_PERMISSION_DENIED || e->status == GRPC_STATUS_UNAUTHENTICATED ||
	       (e->status == GRPC_STATUS_INVALID_ARGUMENT &&
		(strstr(e->details, "authentication") || strstr(e->details, "user name") ||
		 strstr(e->details, "permission")));
}

static int authenticate(struct btr_etcd *e);

/* A call with failover and re-authentication, for p's packed request; *out is the
 * reply's bytes. */
static int call_retrying(struct btr_etcd *e, struct btr_etcd_pending *p, grpc_slice *out)
{
	int reauthed = 0;
	size_t failovers = 0;
	for (;;) {
		grpc_byte_buffer *bb = NULL;
		if (e->ch && call_once(e, p, &bb) == 0) {
			grpc_byte_buffer_reader rd;
			if (!grpc_byte_buffer_reader_init(&rd, bb)) {
				grpc_byte_buffer_destroy(bb);
				return btr_fail(BTR_EXIT_SYS, "etcd %s: %s: cannot read the reply", e->eps[e->cur], p->method);
			}
			*out = grpc_byte_buffer_reader_readall(&rd);
			grpc_byte_buffer_reader_destroy(&rd);
			grpc_byte_buffer_destroy(bb);
			return 0;
		}
		if (!e->ch || e->status == GRPC_STATUS_UNAVAILABLE || e->status == GRPC_STATUS_DEADLINE_EXCEEDED ||
		    e->status == GRPC_STATUS_CANCELLED) {
			/* Every endpoint gets one more chance, the next one first. */
			if (failovers++ >= e->neps)
				return btr_fail(BTR_EXIT_SYS, "etcd %s: %s: %s", e->eps[e->cur], p->method, e->details);
			int st = e->status;
			char d[sizeof e->details];
			size_t was = e->cur;
			memcpy(d, e->details, sizeof d);
			if (connect_any(e, e->neps > 1 ? e->cur + 1 : e->cur) < 0 ||
			    (e->user && authenticate(e) < 0)) {
				if (st && e->status == GRPC_STATUS_UNAVAILABLE)
					btr_fail(BTR_EXIT_SYS, "etcd %s: %s: %s; then %s", e->eps[was], p->method, d,
						 btr_errmsg());
				return -1;
			}
			continue;
		}
		if (e->status == GRPC_STATUS_UNAUTHENTICATED && e->user && !reauthed &&
		    strcmp(p->method, "/etcdserverpb.Auth/Authenticate")) {
			/* Tokens expire; one fresh token, then give up. */
			reauthed = 1;
			if (authenticate(e) < 0)
				return -1;
			continue;
		}
		return btr_fail(is_auth_failure(e) ? BTR_EXIT_DATA : BTR_EXIT_SYS, "etcd %s: %s: %s", e->eps[e->cur],
				p->method, e->details);
	}
}

static struct btr_etcd_pending *pending_new(const char *method, const ProtobufCMessage *req)
{
	struct btr_etcd_pending *p = calloc(1, sizeof *p);
	if (p) {
		p->method = method;
		p->len = protobuf_c_message_get_packed_size(req);
		if ((p->buf = malloc(p->len ? p->len : 1)))
			protobuf_c_message_pack(req, p->buf);
	}
	if (!p || !p->buf) {
		free(p);
		btr_fail(BTR_EXIT_SYS, "out of memory");
		return NULL;
	}
	return p;
}

/* p must not be in flight (see btr_etcd_call_abandon). */
static void pending_free(struct btr_etcd_pending *p)
{
	sodium_memzero(p->buf, p->len);
	free(p->buf);
	free(p);
}

static int call_bytes(struct btr_etcd *e, const char *method, const ProtobufCMessage *req, grpc_slice *out)
{
	struct btr_etcd_pending *p = pending_new(method, req);
	if (!p)
		return -1;
	int rc = call_retrying(e, p, out);
	pending_free(p);
	return rc;
}

static int unpack_reply(struct btr_etcd *e, const char *method, grpc_slice s, const ProtobufCMessageDescriptor *rdesc,
			ProtobufCMessage **resp)
{
	*resp = protobuf_c_message_unpack(rdesc, NULL, GRPC_SLICE_LENGTH(s), GRPC_SLICE_START_PTR(s));
	grpc_slice_unref(s);
	if (!*resp) {
		e->status = GRPC_STATUS_OK;
		return btr_fail(BTR_EXIT_SYS, "etcd %s: %s: the reply is not a valid %s", e->eps[e->cur], method,
				rdesc->name);
	}
	return 0;
}

struct btr_etcd_pending *btr_etcd_call_start(struct btr_etcd *e, const char *method, const ProtobufCMessage *req)
{
	struct btr_etcd_pending *p = pending_new(method, req);
	/* A call that cannot start now is sent again, with failover, when finished. */
	if (p && call_start(e, p) < 0)
		p->call = NULL;
	return p;
}

int btr_etcd_call_finish(struct btr_etcd *e, struct btr_etcd_pending *p, const ProtobufCMessageDescriptor *rdesc,
		     ProtobufCMessage **resp)
{
	grpc_slice s;
	int rc = -1;
	grpc_byte_buffer *bb = NULL;
	if (p->call && call_wait(e, p, &bb) == 0) {
		grpc_byte_buffer_reader rd;
		if (grpc_byte_buffer_reader_init(&rd, bb)) {
			s = grpc_byte_buffer_reader_readall(&rd);
			grpc_byte_buffer_reader_destroy(&rd);
			rc = 0;
		}
		grpc_byte_buffer_destroy(bb);
		if (rc < 0)
			btr_fail(BTR_EXIT_SYS, "etcd %s: %s: cannot read the reply", e->eps[e->cur], p->method);
	} else if (!p->call || e->status == GRPC_STATUS_UNAVAILABLE || e->status == GRPC_STATUS_DEADLINE_EXCEEDED ||
		   e->status == GRPC_STATUS_CANCELLED || e->status == GRPC_STATUS_UNAUTHENTICATED) {
		rc = call_retrying(e, p, &s);
	} else {
		btr_fail(is_auth_failure(e) ? BTR_EXIT_DATA : BTR_EXIT_SYS, "etcd %s: %s: %s", e->eps[e->cur],
			 p->method, e->details);
	}
	const char *method = p->method;
	pending_free(p);
	return rc < 0 ? -1 : unpack_reply(e, method, s, rdesc, resp);
}

void btr_etcd_call_abandon(struct btr_etcd *e, struct btr_etcd_pending *p)
{
	if (p->call) {
		grpc_byte_buffer *bb = NULL;
		grpc_call_cancel(p->call, NULL);
		if (call_wait(e, p, &bb) == 0)
			grpc_byte_buffer_destroy(bb);
	}
	pending_free(p);
}

int btr_etcd_call(struct btr_etcd *e, const char *method, const ProtobufCMessage *req,
	      const ProtobufCMessageDescriptor *rdesc, ProtobufCMessage **resp)
{
	grpc_slice s;
	if (call_bytes(e, method, req, &s) < 0)
		return -1;
	return unpack_reply(e, method, s, rdesc, resp);
}

int btr_etcd_call_raw(struct btr_etcd *e, const char *method, const ProtobufCMessage *req, struct btr_etcd_reply *out)
{
	grpc_slice *s = malloc(sizeof *s);
	if (!s)
		return btr_fail(BTR_EXIT_SYS, "out of memory");
	if (call_bytes(e, method, req, s) < 0) {
		free(s);
		return -1;
	}
	out->p = GRPC_SLICE_START_PTR(*s);
	out->n = GRPC_SLICE_LENGTH(*s);
	out->priv = s;
	return 0;
}

void btr_etcd_reply_free(struct btr_etcd_reply *r)
{
	if (r->priv) {
		grpc_slice_unref(*(grpc_slice *)r->priv);
		free(r->priv);
	}
	*r = (struct btr_etcd_reply){0};
}

static int authenticate(struct btr_etcd *e)
{
	Etcdserverpb__AuthenticateRequest req = ETCDSERVERPB__AUTHENTICATE_REQUEST__INIT;
	Etcdserverpb__AuthenticateResponse *resp = NULL;
	req.name = (char *)e->user;
	req.password = e->password;
	if (e->token) {
		sodium_free(e->token);
		e->token = NULL;
	}
	if (btr_etcd_call(e, "/etcdserverpb.Auth/Authenticate", &req.base, &etcdserverpb__authenticate_response__descriptor,
		      (ProtobufCMessage **)&resp) < 0) {
		if (strstr(e->details, "authentication is not enabled")) {
			/* Nothing to log in to: carry on without a token. */
			return 0;
		}
		if (e->status == GRPC_STATUS_INVALID_ARGUMENT || e->status == GRPC_STATUS_PERMISSION_DENIED ||
		    e->status == GRPC_STATUS_UNAUTHENTICATED)
			return btr_fail(BTR_EXIT_DATA, "etcd %s: authentication of user '%s' failed: %s", e->eps[e->cur],
					e->user, e->details);
		return -1;
	}
	size_t n = strlen(resp->token);
	e->token = sodium_malloc(n + 1);
	if (e->token)
		memcpy(e->token, resp->token, n + 1);
	sodium_memzero(resp->token, n);
	protobuf_c_message_free_unpacked(&resp->base, NULL);
	return e->token ? 0 : btr_fail(BTR_EXIT_SYS, "out of memory");
}

static int grpc_users;

struct btr_etcd *btr_etcd_open(const struct btr_etcd_opts *o)
{
	if (sodium_init() < 0) {
		btr_fail(BTR_EXIT_SYS, "libsodium failed to initialise");
		return NULL;
	}
	struct btr_etcd *e = calloc(1, sizeof *e);
	int https = 0;
	if (!e) {
		btr_fail(BTR_EXIT_SYS, "out of memory");
		return NULL;
	}
	e->dial_ms = o->dial_timeout_ms;
	e->cmd_ms = o->command_timeout_ms;
	e->max_recv = o->max_recv > (uint64_t)INT32_MAX ? INT32_MAX : (int)o->max_recv;
	e->user = o->user;
	if (parse_endpoints(e, o->endpoints, &https) < 0)
		goto bad;
	if (o->user) {
		struct btr_secret_src src = {.file = o->password_file, .fd = -1, .env = "ETCD_PASSWORD",
					     .what = "etcd password", .hint = "--password-file or ETCD_PASSWORD",
					     .insecure_ok = o->insecure_key_file};
		char prompt[300];
		snprintf(prompt, sizeof prompt, "etcd password for %s: ", o->user);
		if (!(e->password = btr_secret_get(&src, prompt, 0, &e->password_len)))
			goto bad;
	}
	if (!grpc_users++) {
		gpr_set_log_function(grpc_log_sink);
		grpc_init();
	}
	e->cq = grpc_completion_queue_create_for_pluck(NULL);
	if (make_creds(e, o, https) < 0)
		goto bad;
	if (connect_any(e, 0) < 0)
		goto bad;
	if (e->user && authenticate(e) < 0)
		goto bad;
	return e;
bad:
	btr_etcd_close(e);
	return NULL;
}

void btr_etcd_close(struct btr_etcd *e)
{
	if (!e)
		return;
	drop_channel(e);
	if (e->creds)
		grpc_channel_credentials_release(e->creds);
	if (e->cq) {
		grpc_completion_queue_shutdown(e->cq);
		while (grpc_completion_queue_pluck(e->cq, NULL, gpr_inf_future(GPR_CLOCK_REALTIME), NULL).type !=
		       GRPC_QUEUE_SHUTDOWN)
			;
		grpc_completion_queue_destroy(e->cq);
		if (!--grpc_users)
			grpc_shutdown();
	}
	if (e->password)
		btr_secret_free(e->password);
	if (e->token)
		sodium_free(e->token);
	for (size_t i = 0; i < e->neps; i++)
		free(e->eps[i]);
	free(e->eps);
	free(e);
}

const char *btr_etcd_endpoint(const struct btr_etcd *e)
{
	return e->eps[e->cur];
}

size_t btr_etcd_max_recv(const struct btr_etcd *e)
{
	return (size_t)e->max_recv;
}

grpc_status_code btr_etcd_last_status(const struct btr_etcd *e)
{
	return e->status;
}

const char *btr_etcd_last_details(const struct btr_etcd *e)
{
	return e->details;
}
