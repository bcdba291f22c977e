# The README's two commands: `make run` and `make test`. Both install what is missing first.
BUILD ?= build
JOBS ?= $(shell nproc)
LISTEN ?= 127.0.0.1:8080
DB ?= sqlite:./data/accounts.db

.PHONY: bootstrap build run test unit integration e2e format format-check sanitize fuzz clean install bench deb

bootstrap:
	@scripts/bootstrap

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: bootstrap $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

run: build
	@mkdir -p data && chmod 700 data
	$(BUILD)/bin/2501-accounts serve --listen $(LISTEN) --db $(DB)

# Every test: unit (GoogleTest), integration (real binaries over HTTP), e2e (Chromium).
test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

unit: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -L unit

integration: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -L integration

e2e: build
	cd $(BUILD) && ctest --output-on-failure -L e2e

# Unit and integration tests again under AddressSanitizer + UndefinedBehaviorSanitizer.
sanitize: bootstrap
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DTFZO_SANITIZE=ON
	cmake --build build-asan -j $(JOBS)
	cd build-asan && ctest --output-on-failure -j $(JOBS) -LE e2e

# libFuzzer targets (fuzz/README.md), built with clang in their own directory, each run for
# FUZZ_SECONDS from the seeds in fuzz/corpus/; prints the executions per target.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= fuzz_key_parser fuzz_api fuzz_router
fuzz: bootstrap
	CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTFZO_FUZZ=ON
	cmake --build build-fuzz -j $(JOBS) --target $(FUZZ_TARGETS)
	fuzz/run build-fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# Benchmarks (figures beside baselines; never pass or fail): the micro benchmarks, then the
# load script (installs wrk, nginx-light and valgrind first). About 17 minutes on 2 cores.
bench:
	@BOOTSTRAP_BENCH=1 scripts/bootstrap
	@$(MAKE) --no-print-directory $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS) --target key_bench closed_loop 2501-accounts
	$(BUILD)/bin/key_bench
	BUILD=$(BUILD) bench/load.sh

format:
	git ls-files '*.cc' '*.h' | xargs clang-format -i

format-check: bootstrap
	git ls-files '*.cc' '*.h' | xargs clang-format --dry-run --Werror

PREFIX ?= /usr/local
install: build
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(BUILD)/bin/2501-accounts $(BUILD)/bin/2501 $(DESTDIR)$(PREFIX)/bin/
	ln -sf 2501 $(DESTDIR)$(PREFIX)/bin/@2501
	install -d $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/doc/2501-accounts
	install -m 644 docs/man/2501-accounts.1 docs/man/2501.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 docs/configuration.md $(DESTDIR)$(PREFIX)/share/doc/2501-accounts/

# The Debian packages 2501-accounts_VERSION_ARCH.deb (server) and 2501_VERSION_ARCH.deb (CLI),
# built by CPack in $(BUILD)/deb/ (docs/packaging.md).
deb: build
	rm -f $(BUILD)/deb/*.deb
	cd $(BUILD) && cpack -G DEB
	@ls -1 $(BUILD)/deb/*.deb

clean:
	rm -rf $(BUILD) build-asan
