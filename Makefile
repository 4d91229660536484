# Spool: build, run and test on a Debian machine with the Swift toolchain.
# `make run` and `make test` install what is missing first (Debian packages need root or sudo; Python
# packages go into a virtual environment under .build, since Debian's Python refuses a global install).

SPOOL ?= spool
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
SWIFT_BUILD_FLAGS ?=
VENV := .build/venv
PYTHON := $(VENV)/bin/python3
# Debian packages the tests use: inotify, Node.js for the producer example, Python's venv, the filesystems
# of the power-loss tests, and faketime for clock jumps of the real binary.
TEST_PACKAGES := libinotifytools0-dev python3-venv e2fsprogs xfsprogs btrfs-progs faketime rsync

.PHONY: deps test-deps build run test release clean

deps:
	@dpkg -s libinotifytools0-dev >/dev/null 2>&1 || { $(SUDO) apt-get update && $(SUDO) apt-get install -y libinotifytools0-dev; }
	@command -v node >/dev/null 2>&1 || { $(SUDO) apt-get update && $(SUDO) apt-get install -y nodejs; }

test-deps: deps
	@dpkg -s $(TEST_PACKAGES) >/dev/null 2>&1 || { $(SUDO) apt-get update && $(SUDO) apt-get install -y $(TEST_PACKAGES); }
	@command -v node >/dev/null 2>&1 || { $(SUDO) apt-get update && $(SUDO) apt-get install -y nodejs; }
	@$(PYTHON) -c 'import jsonschema, rfc3339_validator' 2>/dev/null || { python3 -m venv $(VENV) && $(PYTHON) -m pip install --quiet jsonschema rfc3339-validator; }

build: deps
	swift build $(SWIFT_BUILD_FLAGS)

release: deps
	swift build -c release

run: build
	SPOOL=$(SPOOL) examples/demo/run.sh

# A warning in our own code fails the test build.
test: export SPOOL_WARNINGS_AS_ERRORS = 1
test: test-deps
	swift build --build-tests $(SWIFT_BUILD_FLAGS)
	# Serially: the crash and race suites start many processes, and the engine suites measure real time.
	swift test --skip-build --no-parallel
	$(PYTHON) Tests/schema/check_schema.py
	# A bounded libFuzzer run on the JSON parser, the task decoder and the name parsers (Tests/fuzz/run.sh).
	Tests/fuzz/run.sh 20

clean:
	rm -rf .build
