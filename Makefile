# btrdb-backup.  GNU make.  `make`, `make check`, `make check SAN=1`, `make bench`,
# `make demo`, `make fuzz`, `make install PREFIX=/usr/local DESTDIR=...`.
#
# Everything is discovered: lib/*.c and lib/AREA/*.c go into build/libbtr.a, each bin/*.c becomes
# bin/NAME, each tests/unit/*.c a unit test, each tests/fuzz/*.c a fuzz target,
# each proto/*.proto is compiled with protoc-c into build/proto/.

VERSION   := 0.1.0
PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
MANDIR    ?= $(PREFIX)/share/man
# contrib/sandbox, for btrdb-backup drill (which looks for it at BINDIR/../lib/btrdb-backup)
SANDBOXDIR ?= $(PREFIX)/lib/btrdb-backup
COMPDIR   ?= $(PREFIX)/share/bash-completion/completions

CC        ?= cc
PKGS      := grpc gpr libprotobuf-c libsodium libzstd libcrypto msgpack libxxhash
# pkg-config is asked when a recipe first needs its answer (then kept), never while make
# reads this file: on a bare machine `make demo` and `make check` install the packages
# first (deps) and build in a new make; a plain `make` without them stops with one line.
pkg_query = $(if $(shell pkg-config --exists $(PKGS) 2>/dev/null && echo y),$(shell pkg-config $1 $(PKGS)),$(error pkg-config does not find all of $(PKGS): run 'make deps' (contrib/install-deps) first))
PKG_CFLAGS = $(eval PKG_CFLAGS := $(call pkg_query,--cflags))$(PKG_CFLAGS)
PKG_LIBS   = $(eval PKG_LIBS := $(call pkg_query,--libs))$(PKG_LIBS)

OPT       ?= -O2 -g
WERROR    ?= $(if $(CI),-Werror,)
CFLAGS    ?= $(OPT)
CFLAGS    += -std=c11 -Wall -Wextra $(WERROR) -D_GNU_SOURCE -pthread \
             -Ilib -Ibuild/proto $(PKG_CFLAGS) -DBTR_VERSION='"$(VERSION)"' $(CPPFLAGS)
# --as-needed: every tool links every library, the linker keeps only those it uses,
# so btr-seal does not pay librados' start-up.
LDFLAGS   += -pthread -Wl,--as-needed
LDLIBS    += $(PKG_LIBS) -lrados -lsnappy -lm

# A sanitizer build lives in its own tree so it never mixes with the normal one.
ifeq ($(SAN),1)
  B       := build/san
  CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
  LDFLAGS += -fsanitize=address,undefined
  BINOUT  := build/san/bin
  export LSAN_OPTIONS := suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0
  export UBSAN_OPTIONS := print_stacktrace=1:halt_on_error=1
else
  B       := build/norm
  BINOUT  := bin
endif

PROTOS    := $(wildcard proto/*.proto)
PB_C      := $(patsubst proto/%.proto,build/proto/%.pb-c.c,$(PROTOS))
PB_H      := $(PB_C:.c=.h)
LIB_SRC   := $(wildcard lib/*.c lib/*/*.c)
LIB_H     := $(wildcard lib/*.h lib/*/*.h)
LIB_OBJ   := $(patsubst lib/%.c,$(B)/lib/%.o,$(LIB_SRC)) $(patsubst build/proto/%.c,$(B)/proto/%.o,$(PB_C))
TOOLS_C   := $(wildcard bin/*.c)
TOOLS     := $(patsubst bin/%.c,$(BINOUT)/%,$(TOOLS_C))
# Shell code sourced by btrdb-backup (not programs): installed beside the sandbox script.
HELPERS   := $(wildcard bin/*.sh)
# Python the installed scripts run, installed beside the sandbox script where they look:
# drill's and compare's independent readers, and the module both import from beside them.
SANDBOX_PY  := contrib/drill-reader.py contrib/sandbox-digest.py
SANDBOX_MOD := contrib/btr_rados_read.py
SCRIPTS   := $(filter-out $(TOOLS_C) $(patsubst bin/%.c,bin/%,$(TOOLS_C)) $(HELPERS),$(wildcard bin/*))
UNIT_SRC  := $(wildcard tests/unit/*.c)
UNITS     := $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRC))
TOOLS_T   := $(patsubst tests/tools/%.c,$(B)/tools/%,$(wildcard tests/tools/*.c))
FUZZ_SRC  := $(wildcard tests/fuzz/*.c)
MAN       := $(wildcard man/*.[1-8])

.PHONY: all tools check unit bench demo fuzz fuzz-build install uninstall clean deps torture memcheck deb fresh
.SECONDARY:

# A sanitizer build gets its own copy of the scripts: btrdb-backup runs the tools beside
# itself, so the copy in build/san/bin runs the sanitized ones.
ifneq ($(BINOUT),bin)
  SCRIPT_COPIES := $(patsubst bin/%,$(BINOUT)/%,$(SCRIPTS) $(HELPERS))
endif

all: tools $(UNITS) $(TOOLS_T)

# The installed programs only (what `make install` and the Debian package need).
tools: $(TOOLS) $(SCRIPT_COPIES)

$(SCRIPT_COPIES): $(BINOUT)/%: bin/%
	@mkdir -p $(@D)
	@cp $< $@

build/proto/%.pb-c.c build/proto/%.pb-c.h: proto/%.proto
	@mkdir -p build/proto
	@echo '  PROTOC $<'; protoc-c --proto_path=proto --c_out=build/proto $<

$(B)/proto/%.o: build/proto/%.c $(PB_H)
	@mkdir -p $(@D)
	@echo '  CC     $<'
	@$(CC) $(CFLAGS) -Wno-unused-parameter -c -o $@ $<

# -MMD -MP: each object depends on the headers it includes, and no others.
DEPFLAGS   = -MMD -MP -MF $(B)/dep/$@.d
$(B)/lib/%.o: lib/%.c $(PB_H)
	@mkdir -p $(@D) $(dir $(B)/dep/$@)
	@echo '  CC     $<'
	@$(CC) $(CFLAGS) $(DEPFLAGS) -c -o $@ $<

$(B)/libbtr.a: $(LIB_OBJ)
	@rm -f $@
	@ar rcs $@ $^

$(BINOUT)/%: bin/%.c $(B)/libbtr.a
	@mkdir -p $(@D) $(dir $(B)/dep/$@)
	@echo '  LD     $@'
	@$(CC) $(CFLAGS) $(DEPFLAGS) $(LDFLAGS) -o $@ $< $(B)/libbtr.a $(LDLIBS)

$(B)/tests/%: tests/unit/%.c $(B)/libbtr.a
	@mkdir -p $(@D) $(dir $(B)/dep/$@)
	@echo '  LD     $@'
	@$(CC) $(CFLAGS) $(DEPFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< $(B)/libbtr.a $(LDLIBS)

# Test helpers (stream generators and the like), not installed.
$(B)/tools/%: tests/tools/%.c $(B)/libbtr.a
	@mkdir -p $(@D) $(dir $(B)/dep/$@)
	@echo '  LD     $@'
	@$(CC) $(CFLAGS) $(DEPFLAGS) $(LDFLAGS) -o $@ $< $(B)/libbtr.a $(LDLIBS)

-include $(shell find $(B)/dep -name '*.d' 2>/dev/null)

TESTENV   := BTR_BIN=$(CURDIR)/$(BINOUT) BTR_UNITS=$(CURDIR)/$(B)/tests BTR_TOOLS=$(CURDIR)/$(B)/tools

deps:
	@contrib/install-deps

# The targets a newcomer types install what is missing first (deps), then build in a new
# make, which reads pkg-config's answers only once the packages are there.
BUILD     = $(MAKE) --no-print-directory all

# The test command of the README.  Installs what is missing (saying so), builds, runs
# every unit test and integration test, ends with "N passed, N failed, N skipped".
check: deps
	@$(BUILD)
	@$(TESTENV) tests/run $(T)

unit: all
	@$(TESTENV) tests/run --unit

bench: deps
	@$(BUILD)
	@BTR_BIN=$(CURDIR)/bin tests/bench/run

torture: deps
	@$(BUILD)
	@$(TESTENV) BTR_TORTURE_LONG=1 BTR_FAULTS_LONG=1 tests/run torture faults

# valgrind memcheck over the unit tests and the stream tools (tests/memcheck).
memcheck: deps
	@$(BUILD)
	@$(TESTENV) tests/memcheck

demo: deps
	@$(BUILD)
	@BTR_BIN=$(CURDIR)/bin contrib/demo

# libFuzzer targets (clang).  `make fuzz FUZZTIME=60 FUZZJOBS=2` runs each for that many
# seconds, that many at a time.
FUZZTIME  ?= 60
FUZZJOBS  ?= 1
FUZZ_B    := build/fuzz
FUZZ_CFLAGS = -std=c11 -g -O1 -D_GNU_SOURCE -pthread -Ilib -Ibuild/proto $(PKG_CFLAGS) \
               -DBTR_VERSION='"$(VERSION)"' -fsanitize=fuzzer,address,undefined
FUZZ_LIB_SRC := $(LIB_SRC) $(PB_C)
FUZZERS   := $(patsubst tests/fuzz/%.c,$(FUZZ_B)/%,$(FUZZ_SRC))

$(FUZZ_B)/%: tests/fuzz/%.c $(FUZZ_LIB_SRC) $(PB_H) $(LIB_H)
	@mkdir -p $(@D)
	@echo '  FUZZ   $@'
	@clang $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_LIB_SRC) $(PKG_LIBS) -lrados -lsnappy -lm

fuzz-build: $(FUZZERS)

fuzz: fuzz-build
	@tests/fuzz/run.sh $(FUZZTIME) $(FUZZJOBS) $(FUZZERS)

install: tools
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7
	install -m 0755 $(TOOLS) $(SCRIPTS) $(DESTDIR)$(BINDIR)/
	for m in $(MAN); do s=$${m##*.}; install -m 0644 $$m $(DESTDIR)$(MANDIR)/man$$s/; done
	install -d $(DESTDIR)$(SANDBOXDIR)
	install -m 0755 contrib/sandbox $(SANDBOX_PY) $(DESTDIR)$(SANDBOXDIR)/
	install -m 0644 $(HELPERS) $(SANDBOX_MOD) $(DESTDIR)$(SANDBOXDIR)/
	@# One completion file; bash-completion loads it by command name: a link per tool.
	install -d $(DESTDIR)$(COMPDIR)
	install -m 0644 contrib/completion/btrdb-backup.bash $(DESTDIR)$(COMPDIR)/btrdb-backup
	for t in $(notdir $(TOOLS)); do ln -sf btrdb-backup $(DESTDIR)$(COMPDIR)/$$t; done

# The Debian package (debian/), built from a copy of this tree in build/deb/src, so that
# dpkg-buildpackage's output (it writes beside the tree it builds) lands in build/deb/
# and not outside the checkout; lintian must report no error or warning.
deb:
	@contrib/install-deps deb
	@rm -rf build/deb && mkdir -p build/deb/src
	@tar -c --exclude=./build --exclude=./.git . | tar -x -C build/deb/src
	cd build/deb/src && dpkg-buildpackage -us -uc -b
	lintian --fail-on error,warning build/deb/*.changes
	@ls build/deb/*.deb

# The README's two commands on a bare Debian root, and the package installed on another
# (contrib/fresh; needs root).
fresh:
	@contrib/install-deps fresh
	@contrib/fresh

uninstall:
	for t in $(notdir $(TOOLS) $(SCRIPTS)); do rm -f $(DESTDIR)$(BINDIR)/$$t $(DESTDIR)$(COMPDIR)/$$t; done
	rm -f $(addprefix $(DESTDIR)$(SANDBOXDIR)/,sandbox $(notdir $(SANDBOX_PY) $(SANDBOX_MOD) $(HELPERS)))
	for m in $(notdir $(MAN)); do s=$${m##*.}; rm -f $(DESTDIR)$(MANDIR)/man$$s/$$m; done

clean:
	rm -rf build $(patsubst bin/%.c,bin/%,$(TOOLS_C))
