# legacy-dump throughput on the larger fixture of ../shared/legacy (basic: one piece,
# 6 MB, 60 objects, 300 keys).  One pass is dominated by the key derivation
# (PBKDF2-HMAC-SHA3-512, 200,000 rounds, once per run), so the fixture is also read
# 20 times in one run (-d basic repeated): that rate is the frames' own (read, GCM,
# snappy, MessagePack, our stream written).  Best of BTR_BENCH_RUNS runs (default 3).
# Prints numbers; never fails on timing.
set -u
runs=${BTR_BENCH_RUNS:-3}
L=$("$BTR_TOP/tests/tools/legacy-fixtures") || { echo "bench legacy: no fixtures (../shared/legacy, or set BTR_LEGACY)"; exit 1; }
command -v legacy-dump >/dev/null || { echo "bench legacy: legacy-dump not found"; exit 1; }
W=$(mktemp -d "${TMPDIR:-/var/tmp}/btr-bench.XXXXXX")
{ P=$W/legacy-pass; mkdir -p "$P" && for f in basic pieces; do install -m 0600 "$L/$f.passphrase" "$P/"; done; }
trap 'rm -rf "$W"' EXIT
. "$(dirname "${BASH_SOURCE[0]}")/measure.bash"
size=$(cat "$L"/basic/*.bin | wc -c)
many=$(for i in $(seq 20); do printf " -d '%s'" "$L/basic"; done)
for ((i = 0; i < runs; i++)); do
	measure one "legacy-dump -q -d '$L/basic' --passphrase-file '$P/basic.passphrase' >/dev/null"
	measure many "legacy-dump -q $many --passphrase-file '$P/basic.passphrase' >/dev/null"
done
rate() { echo "scale=1; $1 / $2 / 1000000" | bc; }
printf 'input: %s bytes (basic/*.bin); best of %s runs\n' "$size" "$runs"
printf '%-40s %8s %10s %8s\n' "" "seconds" "MB/s" "CPU s"
printf '%-40s %8s %10s %8s\n' "legacy-dump, one pass" "$wall_one" "$(rate "$size" "$wall_one")" "$cpu_one"
printf '%-40s %8s %10s %8s\n' "legacy-dump, 20 passes in one run" "$wall_many" "$(rate $((size * 20)) "$wall_many")" "$cpu_many"
