# The acceptance run of --limit-rate: a 200 MiB pool dumped at 50M must take
# within 10% of 4 s with no one-second window over the limit by 10%, and --limit-ops
# likewise; tests/rate.sh with RATE_LONG=1 (the quick version runs in make check).
set -u
RATE_LONG=1 bash "$BTR_TOP/tests/rate.sh" | grep -E '^(PASS|FAIL): (--limit|limited|unlimited|the whole)'
