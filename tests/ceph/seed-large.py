#!/usr/bin/python3
# seed-large.py CONF POOL [MiB] [SEED]: a BTrDB-like pool of about MiB (default 600):
# cold data objects of 2 KB to 2.5 MB, superblocks of 16 MiB, a 75 MB staging object,
# empty meta objects with a version xattr, journal objects in a namespace with range
# xattrs, a 5,000-entry omap.  Deterministic for a seed.  Uses the python binding
# (one process, fast), so benchmarks do not measure the rados CLI's start-up.
import os, random, sys, rados

conf, pool = sys.argv[1], sys.argv[2]
mib = int(sys.argv[3]) if len(sys.argv) > 3 else 600
rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 1)
c = rados.Rados(conffile=conf)
c.connect()
io = c.open_ioctx(pool)
blob = os.urandom(80 << 20)
pos = 0

def data(n):
    global pos
    if pos + n > len(blob):
        pos = 0
    pos += n
    return blob[pos - n:pos]

uuid = "555ab4f9aa12406fb7bc2e2ef6b22d07"
total = 0
io.write_full("staging.data.psl.pqube3.big", data(75 * 1000 * 1000))
total += 75 * 1000 * 1000
for i in range(3):
    io.write_full("sb%s%011x" % (uuid, i), data(16 << 20))
    total += 16 << 20
for i in range(200):
    io.write_full("meta%032x" % i, b"")
    io.set_xattr("meta%032x" % i, "version", data(8))
io.set_namespace("journalprovider")
for i in range(20):
    n = rng.randint(100000, 4 << 20)
    io.write_full("jo/node1/%016x" % i, data(n))
    io.set_xattr("jo/node1/%016x" % i, "range", b"%d-%d" % (i, i + 1))
    total += n
io.set_namespace("")
with rados.WriteOpCtx() as op:
    keys = tuple("key%06d" % i for i in range(5000))
    io.set_omap(op, keys, tuple(b"v" * 64 for _ in keys))
    io.operate_write_op(op, "meta.master")
i = 0
while total < mib << 20:
    n = rng.choice((2048, 8192, 65536, 262144, 1 << 20, 2500000, rng.randint(2048, 2500000)))
    io.write_full("%s%010x" % (uuid, 0x1000 * i + 8), data(n))
    total += n
    i += 1
print("%d objects, %d MiB" % (i + 3 + 200 + 20 + 2, total >> 20))
