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
# Memory: about 200 bytes per listed object and key (the listing, held as a map).
import base64
import hashlib
import json
import struct
import sys

try:
    import rados
    import xxhash
except ImportError as e:
    sys.stderr.write("drill-reader: %s: python3-rados and python3-xxhash are needed (contrib/install-deps)\n" % e)
    sys.exit(3)

CHUNK = 4 << 20
OMAP_PAGE = 1000
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


def read_list(path):
    """The listing's objects and keys; in a concatenation (a full, then incrementals)
    a later entry replaces an earlier one and a deletion removes it, as a restore does."""
    objs, kvs, gone = {}, {}, set()
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
            if fl[0] == "object" and "digest" not in kw:
                die(2, "%s:%d: an object without digest= (a listing from an older btr-inspect?)" % (path, n))
            ident = (unescape(fl[1]), unescape(fl[2]), unescape(fl[3]), unescape(kw.get("locator", "-")))
            if fl[0] == "delete":
                objs.pop(ident, None)
                gone.add(ident)
                continue
            gone.discard(ident)
            objs[ident] = (int(fl[4]), int(kw["mtime"]), int(kw["version"]), int(kw["xattrs"]), kw["digest"])
    return objs, kvs, gone


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
    n, after = 0, ""
    while True:
        with rados.ReadOpCtx() as op:
            it, _ = io.get_omap_vals(op, after, "", OMAP_PAGE)
            io.operate_read_op(op, oname)
            page = list(it)
        for k, v in page:
            h.update(lp(k.encode("utf-8", "surrogateescape")) + lp(v or b""))
        n += len(page)
        if len(page) < OMAP_PAGE:
            break
        after = page[-1][0]
    h.update(u64(size) + u64(n))
    return size, len(xs), h.hexdigest()


def read_ceph(conf, objs, gone, diffs):
    c = rados.Rados(conffile=conf)
    c.connect(timeout=60)
    nobj = nbytes = 0
    seen = set()
    for pool in sorted(c.list_pools()):
        pb = pool.encode("utf-8", "surrogateescape")
        io = c.open_ioctx(pool)
        io.set_namespace(rados.LIBRADOS_ALL_NSPACES)
        live = [(o.nspace, o.key, o.locator_key) for o in io.list_objects()]
        for ns, name, loc in live:
            ident = (pb, ns.encode("utf-8", "surrogateescape"), name.encode("utf-8", "surrogateescape"),
                     (loc or "").encode("utf-8", "surrogateescape"))
            meta = objs.get(ident)
            if meta is None:
                why = "deleted by the backup" if ident in gone else "not in the backup"
                diffs.append("object %s: in the sandbox but %s" % (where(ident), why))
                continue
            seen.add(ident)
            try:
                size, nx, dg = object_digest(io, ident, meta)
            except (rados.Error, IOError) as e:
                diffs.append("object %s: unreadable in the sandbox (%s)" % (where(ident), e))
                continue
            nobj += 1
            nbytes += size
            if size != meta[0]:
                diffs.append("object %s: %d bytes in the sandbox, %d in the backup" % (where(ident), size, meta[0]))
            elif nx != meta[3]:
                diffs.append("object %s: %d xattrs in the sandbox, %d in the backup" % (where(ident), nx, meta[3]))
            elif dg != meta[4]:
                diffs.append("object %s: data, xattrs or omap differ from the backup (object digest %s, %s in the backup)"
                             % (where(ident), dg, meta[4]))
        io.close()
    c.shutdown()
    for ident in sorted(set(objs) - seen):
        diffs.append("object %s: in the backup but not in the sandbox" % where(ident))
    return nobj, nbytes


def read_etcd(path, kvs, diffs):
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
            diffs.append("key %s: in the sandbox but not in the backup" % escape(k))
            continue
        seen.add(k)
        if xxhash.xxh3_128_hexdigest(v) != want[1]:
            diffs.append("key %s: value differs (%d bytes in the sandbox, %d in the backup)" % (want[0], len(v), want[2]))
    for k in sorted(set(kvs) - seen):
        diffs.append("key %s: in the backup but not in the sandbox" % kvs[k][0])
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
    try:
        objs, kvs, gone = read_list(listing)
    except (OSError, ValueError) as e:
        die(2, "cannot read the listing %s: %s" % (listing, e))
    diffs = []
    nobj = nbytes = nkeys = 0
    if conf:
        try:
            nobj, nbytes = read_ceph(conf, objs, gone, diffs)
        except Exception as e:  # the binding's connection and listing errors
            die(3, "reading the sandbox's Ceph with python3-rados failed: %s" % e)
    elif objs:
        diffs.append("the backup holds %d objects but no Ceph was read" % len(objs))
    if etcd_json:
        nkeys = read_etcd(etcd_json, kvs, diffs)
    elif kvs:
        diffs.append("the backup holds %d keys but no etcd was read" % len(kvs))
    for d in diffs:
        print(d)
    if diffs:
        die(1, "%d difference(s) between the sandbox and the backup" % len(diffs))
    sys.stderr.write("%s: identical: %d objects (%d bytes) and %d etcd keys\n" % (prog, nobj, nbytes, nkeys))


main()
