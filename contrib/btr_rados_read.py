# Reading a RADOS object's omap through Ceph's own Python binding of librados (not
# our C code), for the independent readers: drill-reader.py (`btrdb-backup drill`)
# and sandbox-digest.py (`contrib/sandbox compare`).  `make install` puts it beside
# them; each imports it from its own directory.
import rados

# Entries asked for per read: below the OSD's cap of 1024 a page, so a page shorter
# than this is the last one.
OMAP_PAGE = 1000


def omap(io, name, page=OMAP_PAGE):
    """Every omap entry of object NAME (io's namespace and locator key) as (key, value)
    bytes, in key order, one page at a time: memory does not grow with the omap."""
    after = ""
    while True:
        with rados.ReadOpCtx() as op:
            it, _ = io.get_omap_vals(op, after, "", page)
            io.operate_read_op(op, name)
            entries = list(it)
        for k, v in entries:
            # keys come as str (surrogateescape keeps any byte); None is an empty value
            yield k.encode("utf-8", "surrogateescape"), v or b""
        if len(entries) < page:
            return
        after = entries[-1][0]
