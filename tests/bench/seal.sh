# btr-seal / btr-unseal throughput beside `zstd -3 -T0 | age -r` and `age -d | zstd -d`
# on the same ~500 MB record stream (mkstream: BTrDB-like objects, part compressible,
# part random).  Best of BTR_BENCH_RUNS runs (default 3) of each, warm page cache,
# one after the other and then both at once (on a shared machine the load drifts
# between runs; at the same time both see the same).
# Prints numbers; never fails on timing.
set -u
runs=${BTR_BENCH_RUNS:-3}
W=$(mktemp -d "${TMPDIR:-/var/tmp}/btr-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT
cd "$W" || exit 1
for t in age age-keygen zstd btr-seal btr-unseal btr-keygen mkstream; do
	command -v $t >/dev/null || { echo "bench seal: $t not found"; exit 1; }
done
mkstream -o 1250 -s 1M -k 1000 -S 7 >in
size=$(stat -c %s in)
btr-keygen -o btr.key 2>/dev/null
age-keygen -o age.key 2>/dev/null
R=$(age-keygen -y age.key)

# best CMD: the shortest wall-clock time of $runs runs, in seconds.
. "$(dirname "${BASH_SOURCE[0]}")/measure.bash"
rate() { echo "scale=1; $size / $1 / 1000000" | bc; }

btr-seal -q -r btr.key.pub <in >in.btr
zstd -q -3 -T0 <in | age -r "$R" >in.age
for ((i = 0; i < runs; i++)); do
	measure seal "btr-seal -q -r btr.key.pub <in >/dev/null"
	measure zage "zstd -q -3 -T0 <in | age -r $R >/dev/null"
	measure unseal "btr-unseal -q -k btr.key <in.btr >/dev/null"
	measure agez "age -d -i age.key <in.age | zstd -q -d >/dev/null"
	together seal "btr-seal -q -r btr.key.pub <in >/dev/null" zage "zstd -q -3 -T0 <in | age -r $R >/dev/null"
	together unseal "btr-unseal -q -k btr.key <in.btr >/dev/null" agez "age -d -i age.key <in.age | zstd -q -d >/dev/null"
done
printf 'input: %s bytes (mkstream record stream), sealed: ours %s, peer %s bytes; best of %s runs\n' \
	"$size" "$(stat -c %s in.btr)" "$(stat -c %s in.age)" "$runs"
row() { printf '%-34s %8s %10s %8s\n' "$1" "$2" "$(rate "$2")" "$3"; }
printf '%-34s %8s %10s %8s\n' "" "seconds" "MB/s" "CPU s"
row "btr-seal -r KEY" "$wall_seal" "$cpu_seal"
row "zstd -3 -T0 | age -r KEY" "$wall_zage" "$cpu_zage"
row "btr-unseal -k KEY" "$wall_unseal" "$cpu_unseal"
row "age -d -i KEY | zstd -d" "$wall_agez" "$cpu_agez"
printf 'seal speed ratio (ours / peer): %s (at least 1 wanted)\n' "$(echo "scale=2; $wall_zage / $wall_seal" | bc)"
printf 'unseal speed ratio (ours / peer): %s (at least 1 wanted)\n' "$(echo "scale=2; $wall_agez / $wall_unseal" | bc)"
printf 'run at the same time (same load; each has about half the machine):\n'
printf '  seal %s s, peer %s s: ratio %s\n' "$both_seal" "$both_zage" "$(echo "scale=2; $both_zage / $both_seal" | bc)"
printf '  unseal %s s, peer %s s: ratio %s\n' "$both_unseal" "$both_agez" "$(echo "scale=2; $both_agez / $both_unseal" | bc)"
printf 'load average: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
