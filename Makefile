# Spool: build, run and test on a Debian machine with the Swift toolchain.
# `make run` and `make test` install what is missing first (Debian packages need root or sudo).

SPOOL ?= spool
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
SWIFT_BUILD_FLAGS ?=

.PHONY: deps build run test release clean

deps:
	@dpkg -s libinotifytools0-dev >/dev/null 2>&1 || { $(SUDO) apt-get update && $(SUDO) apt-get install -y libinotifytools0-dev; }
	@command -v node >/dev/null 2>&1 || { $(SUDO) apt-get update && $(SUDO) apt-get install -y nodejs; }
	@python3 -c 'import jsonschema' 2>/dev/null || python3 -m pip install --quiet jsonschema

build: deps
	swift build $(SWIFT_BUILD_FLAGS)

release: deps
	swift build -c release

run: build
	SPOOL=$(SPOOL) examples/demo/run.sh

test: deps
	swift build --build-tests $(SWIFT_BUILD_FLAGS)
	# Serially: the crash and race suites start many processes, and the engine suites measure real time.
	swift test --skip-build --no-parallel
	python3 Tests/schema/check_schema.py

clean:
	rm -rf .build
