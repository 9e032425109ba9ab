/* etcdctl's connection options, shared by etcd-dump and etcd-load. */
#include "args.h"
#include "etcd.h"
#include "err.h"
#include "size.h"

#include <stdlib.h>
#include <string.h>

const char btr_etcd_opts_help[] =
	"      --endpoints H:P[,H:P...]  etcd endpoints, tried in turn (default $ETCDCTL_ENDPOINTS,\n"
	"                                else 127.0.0.1:2379); https:// implies TLS\n"
	"      --cacert FILE         verify the server with this CA bundle (TLS)\n"
	"      --cert FILE --key FILE  client certificate and key (TLS)\n"
	"      --user NAME           authenticate as NAME; the password comes from\n"
	"                            --password-file, else $ETCD_PASSWORD, else /dev/tty\n"
	"      --password-file FILE  first line of FILE is the password (a file only we can read)\n"
	"      --insecure-key-file   take a --password-file that group or others can read\n"
	"      --dial-timeout DUR    per endpoint connection timeout (default 2s)\n"
	"      --command-timeout DUR per request timeout (default 5s)\n"
	"      --max-recv-bytes SIZE largest reply accepted (default 8M); pages shrink to fit\n";

void btr_etcd_opts_init(struct btr_etcd_opts *o)
{
	*o = (struct btr_etcd_opts){.dial_timeout_ms = 2000, .command_timeout_ms = 5000, .max_recv = 8u << 20};
}

static int duration_arg(const char *s, const char *opt, long *ms)
{
	if (btr_parse_duration_ms(s, ms) < 0)
		return btr_fail(BTR_EXIT_USAGE, "%s: '%s' is not a duration from 1ms to 24h (like 5s or 500ms)", opt, s);
	return 1;
}

int btr_etcd_opts_parse(struct btr_etcd_opts *o, int c, const char *arg)
{
	switch (c) {
	case BTR_ETCD_OPT_ENDPOINTS: o->endpoints = arg; return 1;
	case BTR_ETCD_OPT_CACERT: o->cacert = arg; return 1;
	case BTR_ETCD_OPT_CERT: o->cert = arg; return 1;
	case BTR_ETCD_OPT_KEY: o->key = arg; return 1;
	case BTR_ETCD_OPT_USER:
		if (strchr(arg, ':'))
			return btr_fail(BTR_EXIT_USAGE, "--user takes a name only; give the password with --password-file, ETCD_PASSWORD or at the prompt");
		if (!*arg)
			return btr_fail(BTR_EXIT_USAGE, "--user: empty name");
		o->user = arg;
		return 1;
	case BTR_ETCD_OPT_PASSWORD_FILE: o->password_file = arg; return 1;
	case BTR_ETCD_OPT_INSECURE_KEY_FILE: o->insecure_key_file = 1; return 1;
	case BTR_ETCD_OPT_DIAL_TIMEOUT: return duration_arg(arg, "--dial-timeout", &o->dial_timeout_ms);
	case BTR_ETCD_OPT_COMMAND_TIMEOUT: return duration_arg(arg, "--command-timeout", &o->command_timeout_ms);
	case BTR_ETCD_OPT_MAX_RECV:
		if (btr_parse_size(arg, &o->max_recv) < 0 || o->max_recv < 4096 || o->max_recv > (uint64_t)INT32_MAX)
			return btr_fail(BTR_EXIT_USAGE, "--max-recv-bytes: '%s' is not a size between 4K and 2047M", arg);
		return 1;
	}
	return 0;
}

int btr_etcd_opts_finish(struct btr_etcd_opts *o)
{
	if (!o->endpoints) {
		const char *env = getenv("ETCDCTL_ENDPOINTS");
		o->endpoints = env && *env ? env : "127.0.0.1:2379";
	}
	if (o->password_file && !o->user)
		return btr_fail(BTR_EXIT_USAGE, "--password-file needs --user");
	if (!o->cert != !o->key)
		return btr_fail(BTR_EXIT_USAGE, "--cert and --key go together");
	return 0;
}
