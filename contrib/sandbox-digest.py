#!/usr/bin/python3
# The fast reader of `contrib/sandbox compare` (SANDBOX_READER=python): digests every
# object of the pools given, all namespaces, through Ceph's own Python binding of
# librados, in one process instead of three or more `rados` runs per object.  It
# prints the lines `sandbox _digest` prints (TAG ns name locator size data-sha
# xattrs omap), except that the omap digest is over its own encoding, not over
# listomapvals' hexdump: both sides of one comparison use the same reader.
#
#   sandbox-digest.py CONF POOL TAG [POOL TAG]...
import hashlib
import re
import sys

sys.dont_write_bytecode = True  # no __pycache__ beside an installed script
import rados  # noqa: E402
try:
    from btr_rados_read import omap
except ImportError as e:
    sys.stderr.write("sandbox-digest: %s: btr_rados_read.py belongs beside %s (make install puts both there)\n"
                     % (e, sys.argv[0]))
    sys.exit(3)

CHUNK = 4 << 20


def q(s):
    """bash's printf %q for the names that occur; other bytes as $'\\xNN'."""
    if s == "":
        return "''"
    if re.fullmatch(r"[A-Za-z0-9_./:=+@%,-]+", s):
        return s
    b = s.encode("utf-8", "surrogateescape")
    return "$'" + "".join(chr(c) if 0x20 < c < 0x7F and chr(c) not in "'\\" else "\\x%02x" % c for c in b) + "'"


def digest(io, tag, ns, name, loc):
    io.set_namespace(ns)
    io.set_locator_key(loc or "")
    h, size = hashlib.sha256(), 0
    while True:
        b = io.read(name, CHUNK, size)
        h.update(b)
        size += len(b)
        if len(b) < CHUNK:
            break
    xs = sorted(io.get_xattrs(name), key=lambda kv: kv[0].encode())
    xattrs = ",".join("%s=%s" % (k, hashlib.sha256(v).hexdigest()[:16]) for k, v in xs) or "-"
    o, n = hashlib.sha256(), 0
    for kb, v in omap(io, name):
        o.update(b"%d:%s%d:" % (len(kb), kb, len(v)) + v)
        n += 1
    return "%s\t%s\t%s\t%s\t%d\t%s\t%s\t%d:%s" % (tag, q(ns), q(name), q(loc or ""), size, h.hexdigest(),
                                                   xattrs, n, o.hexdigest()[:16])


def main():
    if len(sys.argv) < 4 or len(sys.argv) % 2:
        sys.exit("usage: sandbox-digest.py CONF POOL TAG [POOL TAG]...")
    conf = sys.argv[1]
    c = rados.Rados(conffile=conf)
    c.connect(timeout=60)
    out = sys.stdout
    for pool, tag in zip(sys.argv[2::2], sys.argv[3::2]):
        io = c.open_ioctx(pool)
        io.set_namespace(rados.LIBRADOS_ALL_NSPACES)
        objs = [(o.nspace, o.key, o.locator_key) for o in io.list_objects()]
        for ns, name, loc in objs:
            try:
                line = digest(io, tag, ns, name, loc)
            except rados.ObjectNotFound as e:
                line = "%s\t%s\t%s\t%s\tunreadable\t%s\t-\t-" % (tag, q(ns), q(name), q(loc or ""), e)
            out.write(line + "\n")
        io.close()
    c.shutdown()


main()
