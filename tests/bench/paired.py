#!/usr/bin/env python3
"""paired.py [-n RUNS] NAME_A CMD_A NAME_B CMD_B: ours against a peer, in turn.

Runs each command once to warm up, then RUNS times each, alternating (A B, B A, A B,
...: neither always goes first), each as a whole process under bash with stdout to
/dev/null.  Wall time from a monotonic clock (ms resolution, where /usr/bin/time has
10 ms), CPU (user + sys) and peak RSS from wait4 of that process.  Prints each
command's median and spread, and the ratio pair by pair (B's wall over A's: above 1
means A is faster), whose median holds when the machine's speed drifts during the run.
The last line is machine-readable: `paired NAME_A NAME_B speed=... cpu=... a_wall=...
b_wall=... a_cpu=... b_cpu=...` (medians, seconds)."""
import os
import statistics
import subprocess
import sys
import time


def run(cmd):
    with open(os.devnull, "wb") as null:
        t0 = time.monotonic()
        p = subprocess.Popen(["bash", "-c", cmd], stdout=null)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.monotonic() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        sys.exit(f"paired.py: `{cmd}` exited {p.returncode}")
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024


def spread(xs):
    return f"{statistics.median(xs):.3f} ({min(xs):.3f}-{max(xs):.3f})"


def main(argv):
    n = 11
    if len(argv) > 1 and argv[1] == "-n":
        n = int(argv[2])
        argv = argv[:1] + argv[3:]
    if len(argv) != 5:
        sys.exit(__doc__.split("\n")[0])
    na, ca, nb, cb = argv[1:]
    run(ca)
    run(cb)
    a, b = [], []
    for i in range(n):
        if i % 2:
            b.append(run(cb))
            a.append(run(ca))
        else:
            a.append(run(ca))
            b.append(run(cb))
    for name, r in ((na, a), (nb, b)):
        print(f"  {name:<40} wall {spread([x[0] for x in r])} s  CPU {spread([x[1] for x in r])} s"
              f"  peak RSS {max(x[2] for x in r):.1f} MiB")
    speed = [y[0] / x[0] for x, y in zip(a, b)]
    cpu = [x[1] / y[1] for x, y in zip(a, b) if y[1] > 0]
    print(f"  {na} / {nb}, pair by pair ({n} pairs): {spread(speed)}x as fast, "
          f"{spread(cpu)} of the CPU")
    med = statistics.median
    print(f"paired {na} {nb} speed={med(speed):.3f} cpu={med(cpu):.3f} "
          f"a_wall={med([x[0] for x in a]):.4f} b_wall={med([x[0] for x in b]):.4f} "
          f"a_cpu={med([x[1] for x in a]):.4f} b_cpu={med([x[1] for x in b]):.4f}")


if __name__ == "__main__":
    main(sys.argv)
