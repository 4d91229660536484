# Spool: build, run and test on a Debian machine with the Swift toolchain.
# `make run` and `make test` install what is missing first (Debian packages need root or sudo; Python
# packages go into a virtual environment under .build, since Debian's Python refuses a global install).

SPOOL ?= spool
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
SWIFT_BUILD_FLAGS ?=
VENV := .build/venv
PYTHON := $(VENV)/bin/python3
# Debian packages the tests use: inotify, Node.js for the producer example, Python's venv, the filesystems
# of the power-loss tests, faketime for clock jumps of the real binary, for the install test the shells
# whose completions it loads, man, and what the Debian package depends on; curl for the delay-queue example;
# the browser (with its WebDriver) that the dashboard's browser test drives; GlusterFS, whose volume the
# cluster test mounts once per host (Tests/cluster/gluster.sh).
TEST_PACKAGES := libinotifytools0-dev python3-venv e2fsprogs xfsprogs btrfs-progs faketime rsync \
	zsh fish man-db adduser curl chromium chromium-driver glusterfs-server glusterfs-client

# Where `make install` puts spoold, spoolctl, their completions, man pages, docs and systemd unit
# (packaging/install.sh); DESTDIR is a staging root.
PREFIX ?= /usr/local
DESTDIR ?=
# The binaries installed: release, with the Swift standard library (and Foundation) linked in, so that a
# server needs no toolchain. In their own scratch folder, so that `make release` and the benchmarks, which
# link it dynamically into .build/release, never overwrite them. SwiftPM plans a build again whenever its
# environment changes, and here that recompiles part of a dependency: make's own variables and those given
# to it (DESTDIR=...) are left out, so that `make install DESTDIR=...` then `make deb` build once.
STATIC_BUILD := env -u DESTDIR -u PREFIX -u MAKEFLAGS -u MFLAGS -u MAKEOVERRIDES -u MAKELEVEL \
	swift build --scratch-path .build/static -c release --static-swift-stdlib

.PHONY: deps test-deps build run test release release-static install uninstall deb clean

deps:
	@dpkg -s libinotifytools0-dev >/dev/null 2>&1 || { $(SUDO) apt-get update && $(SUDO) apt-get install -y libinotifytools0-dev; }
	@command -v node >/dev/null 2>&1 || { $(SUDO) apt-get update && $(SUDO) apt-get install -y nodejs; }

test-deps: deps
	@dpkg -s $(TEST_PACKAGES) >/dev/null 2>&1 || { $(SUDO) apt-get update && $(SUDO) apt-get install -y $(TEST_PACKAGES); }
	@command -v node >/dev/null 2>&1 || { $(SUDO) apt-get update && $(SUDO) apt-get install -y nodejs; }
	@$(PYTHON) -c 'import jsonschema, rfc3339_validator, prometheus_client, schemathesis, selenium' 2>/dev/null || { python3 -m venv $(VENV) && $(PYTHON) -m pip install --quiet jsonschema rfc3339-validator prometheus-client schemathesis selenium; }

build: deps
	swift build $(SWIFT_BUILD_FLAGS)

release: deps
	swift build -c release

# generate-manual is argument-parser's man page generator (the tool its generate-manual plugin runs).
release-static: deps
	$(STATIC_BUILD) --product spoold
	$(STATIC_BUILD) --product spoolctl
	$(STATIC_BUILD) --product generate-manual

install: release-static
	PREFIX="$(PREFIX)" DESTDIR="$(DESTDIR)" packaging/install.sh install

uninstall:
	PREFIX="$(PREFIX)" DESTDIR="$(DESTDIR)" packaging/install.sh uninstall

# A Debian package of the same files for /usr, with a spool user and /var/lib/spool (packaging/deb.sh).
deb: release-static
	packaging/deb.sh

run: build
	SPOOL=$(SPOOL) examples/demo/run.sh

# A warning in our own code fails the test build; the dashboard's browser test runs (it is skipped only
# where Chromium is not installed and this is not set), and so does the cluster test on GlusterFS (skipped
# where this is not set; it needs root, glusterd and FUSE).
test: export SPOOL_WARNINGS_AS_ERRORS = 1
test: export SPOOL_BROWSER_TESTS = 1
test: export SPOOL_CLUSTER_TESTS = 1
test: test-deps
	swift build --build-tests $(SWIFT_BUILD_FLAGS)
	# Serially: the crash and race suites start many processes, and the engine suites measure real time.
	swift test --skip-build --no-parallel
	$(PYTHON) Tests/schema/check_schema.py
	# The running HTTP API against docs/openapi.yaml, with inputs schemathesis generates (Tests/api/run.sh).
	Tests/api/run.sh
	# A bounded libFuzzer run on the JSON parser, the task decoder and the name parsers (Tests/fuzz/run.sh).
	Tests/fuzz/run.sh 20
	# make install into a staging folder and make deb, each installed and run (Tests/install/run.sh).
	Tests/install/run.sh

clean:
	rm -rf .build
