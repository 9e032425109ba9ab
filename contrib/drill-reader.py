#!/usr/bin/python3
# The independent reader of `btrdb-backup drill`: reads a restored sandbox back with
# clients that are not ours (Ceph's Python binding of librados, and etcdctl's JSON)
# and compares it with the backup's listing (`btr-inspect -l`: each object's digest as
# the stream holds it, each key's value hash).  The object digest is recomputed here
# from btr-stream(5), not with our C code, so a bug shared by our writer (ceph-load)
# and our checker (ceph-load --verify) does not pass unseen.
#
#   drill-reader.py LIST [--ceph CONF] [--etcd-json FILE]
#
# Prints each difference on stdout (one line, naming the object or key), a summary
# on stderr.  Exit 0 identical, 1 differences, 2 usage, 3 a reader failed.
# Memory does not grow with the number of objects: the listing's objects and the
# sandbox's are each sorted by sort(1) into files and merged.  The keys are held in
# memory, as etcdctl's answer is (etcd keeps them all in memory too).
import base64
import hashlib
import json
import os
import struct
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ beside an installed script
try:
    import rados
    import xxhash
except ImportError as e:
    sys.stderr.write("drill-reader: %s: python3-rados and python3-xxhash are needed (contrib/install-deps)\n" % e)
    sys.exit(3)
try:
    from btr_rados_read import omap
except ImportError as e:
    sys.stderr.write("drill-reader: %s: btr_rados_read.py belongs beside %s (make install puts both there)\n"
                     % (e, os.path.abspath(__file__)))
    sys.exit(3)

CHUNK = 4 << 20
prog = "drill-reader"


def die(code, msg):
    sys.stderr.write("%s: %s\n" % (prog, msg))
    sys.exit(code)


def unescape(f):
    """A field of btr-inspect -l: '-' is empty, '\\\\' a backslash, '\\xHH' a byte."""
    if f == "-":
        return b""
    out, i = bytearray(), 0
    while i < len(f):
        c = f[i]
        if c == "\\" and f[i + 1:i + 2] == "\\":
            out.append(0x5C)
            i += 2
        elif c == "\\" and f[i + 1:i + 2] == "x":
            out.append(int(f[i + 2:i + 4], 16))
            i += 4
        else:
            out.append(ord(c))
            i += 1
    return bytes(out)


def escape(b):
    """The inverse, for names that only the sandbox has."""
    if b == b"":
        return "-"
    if b == b"-":
        return "\\x2d"
    return "".join("\\\\" if c == 0x5C else chr(c) if 0x20 < c < 0x7F else "\\x%02x" % c for c in b)


def u64(x):
    return struct.pack("<Q", x & 0xFFFFFFFFFFFFFFFF)


def lp(b):
    return u64(len(b)) + b


def hasher(digest_hex):
    """The stream's digest function, told by the digest's length (btr-stream(5))."""
    if len(digest_hex) == 32:
        return xxhash.xxh3_128()
    if len(digest_hex) == 64:
        return hashlib.blake2b(digest_size=32)
    return None


def hexkey(pool, ns, name, loc):
    """An object's identity as one sortable field (hex keeps every byte apart)."""
    return " ".join(x.hex() or "-" for x in (pool, ns, name, loc))


def unhexkey(k):
    return tuple(b"" if x == "-" else bytes.fromhex(x) for x in k.split(" "))


def read_list(path, out):
    """The listing's keys (a map), and its objects and deletions as KEY TAB SEQ TAB
    ENTRY lines in OUT, in listing order, for sort(1)."""
    kvs = {}
    with open(path, encoding="ascii", errors="strict") as f:
        for n, line in enumerate(f, 1):
            fl = line.split()
            if not fl or fl[0] not in ("object", "kv", "delete"):
                continue
            kw = dict(x.split("=", 1) for x in fl[5:] if "=" in x)
            if fl[0] == "kv":
                if "value_xxh128" not in kw:
                    die(2, "%s:%d: a key without value_xxh128= (a listing from an older btr-inspect?)" % (path, n))
                kvs[unescape(fl[3])] = (fl[3], kw["value_xxh128"], int(fl[4]))
                continue
            if fl[0] == "object":
                if "digest" not in kw:
                    die(2, "%s:%d: an object without digest= (a listing from an older btr-inspect?)" % (path, n))
                entry = "%d %s %s %s %s" % (int(fl[4]), int(kw["mtime"]), int(kw["version"]), int(kw["xattrs"]),
                                            kw["digest"])
            else:
                entry = "delete"
            key = hexkey(unescape(fl[1]), unescape(fl[2]), unescape(fl[3]), unescape(kw.get("locator", "-")))
            out.write("%s\t%012d\t%s\n" % (key, n, entry))
    return kvs


def sort_file(path, tmpdir):
    """PATH sorted in place by its first tab-separated field, then the second (listing
    order): sort(1) spills to TMPDIR, so memory stays bounded."""
    env = dict(os.environ, LC_ALL="C")
    subprocess.run(["sort", "-t", "\t", "-k1,1", "-k2,2", "-S", "64M", "-T", tmpdir, "-o", path, path],
                   env=env, check=True)


def backup_objects(path):
    """(KEY, META or None) per object identity of the sorted listing: its last entry
    wins, as a restore of a full and its incrementals leaves it; None: deleted."""
    last = None
    with open(path) as f:
        for line in f:
            key, _, entry = line.rstrip("\n").split("\t", 2)
            if last is not None and key != last[0]:
                yield last
            if entry == "delete":
                last = (key, None)
            else:
                size, mtime, version, nx, dg = entry.split(" ")
                last = (key, (int(size), int(mtime), int(version), int(nx), dg))
    if last is not None:
        yield last


def where(ident):
    pool, ns, name, loc = ident
    s = escape(pool) + "/" + ("" if not ns else escape(ns) + "/") + escape(name)
    return s + (" locator=" + escape(loc) if loc else "")


def s(b):
    return b.decode("utf-8", "surrogateescape")


def object_digest(io, ident, meta):
    """(size, xattr count, digest hex) of the live object, over the stream's mtime and
    version (a restore changes those, so they are not compared)."""
    _, ns, name, loc = ident
    size0, mtime, version, _, dg = meta
    h = hasher(dg)
    io.set_namespace(s(ns))
    io.set_locator_key(s(loc))
    oname = s(name)
    xs = sorted(((k.encode("utf-8", "surrogateescape"), v or b"") for k, v in io.get_xattrs(oname)),
                key=lambda kv: kv[0])
    # Data in chunks straight into the hash: memory does not grow with the object.
    size = io.stat(oname)[0]
    h.update(b"btr-object-v1\0" + lp(ns) + lp(name) + lp(loc) + u64(size) + u64(mtime) + u64(version)
             + u64(len(xs)))
    for k, v in xs:
        h.update(lp(k) + lp(v))
    off = 0
    while off < size:
        b = io.read(oname, min(CHUNK, size - off), off)
        if not b:
            break
        h.update(b)
        off += len(b)
    if off != size:
        raise IOError("short read: %d of %d bytes" % (off, size))
    n = 0
    for k, v in omap(io, oname):
        h.update(lp(k) + lp(v))
        n += 1
    h.update(u64(size) + u64(n))
    return size, len(xs), h.hexdigest()


def read_ceph(conf, listed, tmpdir, diff):
    """Every object of every pool of the sandbox, merged with the backup's (both
    sorted by identity): compared, or named as being on one side only."""
    c = rados.Rados(conffile=conf)
    c.connect(timeout=60)
    ios = {}
    live = os.path.join(tmpdir, "live")
    with open(live, "w") as out:
        for pool in c.list_pools():
            io = ios[pool.encode("utf-8", "surrogateescape")] = c.open_ioctx(pool)
            io.set_namespace(rados.LIBRADOS_ALL_NSPACES)
            for o in io.list_objects():
                out.write(hexkey(pool.encode("utf-8", "surrogateescape"), o.nspace.encode("utf-8", "surrogateescape"),
                                 o.key.encode("utf-8", "surrogateescape"),
                                 (o.locator_key or "").encode("utf-8", "surrogateescape")) + "\n")
    sort_file(live, tmpdir)
    nobj = nbytes = 0
    with open(live) as lf:
        sandbox = (line.rstrip("\n") for line in lf)
        backup = backup_objects(listed)
        a, b = next(backup, None), next(sandbox, None)
        while a is not None or b is not None:
            if b is None or (a is not None and a[0] < b):
                if a[1] is not None:
                    diff("object %s: in the backup but not in the sandbox" % where(unhexkey(a[0])))
                a = next(backup, None)
                continue
            ident = unhexkey(b)
            if a is None or b < a[0] or a[1] is None:
                why = "deleted by the backup" if a is not None and a[0] == b else "not in the backup"
                diff("object %s: in the sandbox but %s" % (where(ident), why))
                if a is not None and a[0] == b:
                    a = next(backup, None)
                b = next(sandbox, None)
                continue
            meta = a[1]
            a, b = next(backup, None), next(sandbox, None)
            try:
                size, nx, dg = object_digest(ios[ident[0]], ident, meta)
            except (rados.Error, IOError) as e:
                diff("object %s: unreadable in the sandbox (%s)" % (where(ident), e))
                continue
            nobj += 1
            nbytes += size
            if size != meta[0]:
                diff("object %s: %d bytes in the sandbox, %d in the backup" % (where(ident), size, meta[0]))
            elif nx != meta[3]:
                diff("object %s: %d xattrs in the sandbox, %d in the backup" % (where(ident), nx, meta[3]))
            elif dg != meta[4]:
                diff("object %s: data, xattrs or omap differ from the backup (object digest %s, %s in the backup)"
                     % (where(ident), dg, meta[4]))
    for io in ios.values():
        io.close()
    c.shutdown()
    return nobj, nbytes


def read_etcd(path, kvs, diff):
    try:
        with open(path) as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        die(3, "cannot read etcdctl's output %s: %s" % (path, e))
    seen = set()
    for kv in doc.get("kvs") or []:
        k = base64.b64decode(kv.get("key", ""))
        v = base64.b64decode(kv.get("value", ""))
        want = kvs.get(k)
        if want is None:
            diff("key %s: in the sandbox but not in the backup" % escape(k))
            continue
        seen.add(k)
        if xxhash.xxh3_128_hexdigest(v) != want[1]:
            diff("key %s: value differs (%d bytes in the sandbox, %d in the backup)" % (want[0], len(v), want[2]))
    for k in sorted(set(kvs) - seen):
        diff("key %s: in the backup but not in the sandbox" % kvs[k][0])
    return len(seen)


def main():
    a = sys.argv[1:]
    conf = etcd_json = None
    if not a or a[0].startswith("-"):
        die(2, "usage: drill-reader.py LIST [--ceph CONF] [--etcd-json FILE]")
    listing = a.pop(0)
    while a:
        o = a.pop(0)
        if o in ("--ceph", "--etcd-json") and a:
            if o == "--ceph":
                conf = a.pop(0)
            else:
                etcd_json = a.pop(0)
        else:
            die(2, "unknown argument %s" % o)
    ndiff = [0]

    def diff(msg):  # said at once: a million differences are not kept
        ndiff[0] += 1
        print(msg)

    nobj = nbytes = nkeys = 0
    with tempfile.TemporaryDirectory(prefix="drill-reader.") as tmpdir:
        listed = os.path.join(tmpdir, "listed")
        try:
            with open(listed, "w") as out:
                kvs = read_list(listing, out)
            listed_objects = os.path.getsize(listed) > 0
            sort_file(listed, tmpdir)
        except (OSError, ValueError, subprocess.CalledProcessError) as e:
            die(2, "cannot read the listing %s: %s" % (listing, e))
        if conf:
            try:
                nobj, nbytes = read_ceph(conf, listed, tmpdir, diff)
            except Exception as e:  # the binding's connection and listing errors, sort's
                die(3, "reading the sandbox's Ceph with python3-rados failed: %s" % e)
        elif listed_objects:
            diff("the backup holds objects but no Ceph was read")
    if etcd_json:
        nkeys = read_etcd(etcd_json, kvs, diff)
    elif kvs:
        diff("the backup holds %d keys but no etcd was read" % len(kvs))
    sys.stdout.flush()
    if ndiff[0]:
        die(1, "%d difference(s) between the sandbox and the backup" % ndiff[0])
    sys.stderr.write("%s: identical: %d objects (%d bytes) and %d etcd keys\n" % (prog, nobj, nbytes, nkeys))


main()
