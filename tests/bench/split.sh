# btr-split --join beside cat on the same pieces (~500 MB in 64 MiB pieces), to
# /dev/null and into a pipe; and the split itself beside split(1).  Best of
# BTR_BENCH_RUNS runs (default 3), warm page cache.  Prints numbers only.
set -u
runs=${BTR_BENCH_RUNS:-3}
W=$(mktemp -d "${TMPDIR:-/var/tmp}/btr-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT
cd "$W" || exit 1
mkstream -o 1250 -s 1M -k 1000 -S 7 >in
size=$(stat -c %s in)
btr-split -q -d d -b 64M <in

. "$(dirname "${BASH_SOURCE[0]}")/measure.bash"
rate() { echo "scale=1; $size / $1 / 1000000" | bc; }
for ((i = 0; i < runs; i++)); do
	measure jnull "btr-split --join -d d >/dev/null"
	measure cnull "cat d/ARCHIVE*.bin >/dev/null"
	measure jpipe "btr-split --join -d d | cat >/dev/null"
	measure cpipe "cat d/ARCHIVE*.bin | cat >/dev/null"
	measure check "btr-split --check -d d"
	measure split "rm -rf s; btr-split -q -d s -b 64M <in"
	measure gsplit "rm -rf s; mkdir s; split -b 64M -a 5 -d --additional-suffix=.bin - s/ARCHIVE <in && sync -f s"
done
printf 'input: %s bytes in %s pieces of 64 MiB; best of %s runs\n' "$size" "$(ls d | grep -c ARCHIVE)" "$runs"
row() { printf '%-40s %8s %10s %8s\n' "$1" "$2" "$(rate "$2")" "$3"; }
printf '%-40s %8s %10s %8s\n' "" "seconds" "MB/s" "CPU s"
row "btr-split --join >/dev/null" "$wall_jnull" "$cpu_jnull"
row "cat ARCHIVE*.bin >/dev/null" "$wall_cnull" "$cpu_cnull"
row "btr-split --join | cat >/dev/null" "$wall_jpipe" "$cpu_jpipe"
row "cat ARCHIVE*.bin | cat >/dev/null" "$wall_cpipe" "$cpu_cpipe"
row "btr-split --check" "$wall_check" "$cpu_check"
row "btr-split -d (fsync per piece)" "$wall_split" "$cpu_split"
row "split -b 64M && sync -f" "$wall_gsplit" "$cpu_gsplit"
printf 'join / cat time, to /dev/null: %s (at most 1.20 wanted)\n' "$(echo "scale=2; $wall_jnull / $wall_cnull" | bc)"
printf 'join / cat time, into a pipe: %s (at most 1.20 wanted)\n' "$(echo "scale=2; $wall_jpipe / $wall_cpipe" | bc)"
printf 'load average: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
