/* lib/tool.c: btr_catch_stop catches SIGINT, SIGTERM (and SIGHUP) to stop a long run
 * cleanly, but leaves alone a signal we were started ignoring: a background job of a
 * script (SIGINT), nohup (SIGHUP) must not be stopped by it. */
#include "tool.h"
#include "t.h"

#include <signal.h>

int main(void)
{
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	btr_catch_stop(BTR_STOP_HUP);
	raise(SIGINT);
	raise(SIGHUP);
	T_CHECK("an ignored SIGINT and SIGHUP stay ignored", btr_stop_signal == 0);
	raise(SIGTERM);
	T_CHECK("SIGTERM still asks to stop", btr_stop_signal == SIGTERM);

	btr_stop_signal = 0;
	signal(SIGINT, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	btr_catch_stop(BTR_STOP_HUP);
	raise(SIGHUP);
	T_CHECK("SIGHUP asks to stop", btr_stop_signal == SIGHUP);
	raise(SIGINT);
	T_CHECK("SIGINT asks to stop", btr_stop_signal == SIGINT);
	return t_done();
}
