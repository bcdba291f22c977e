# The README's two commands: `make run` and `make test`. Both install what is missing first.
BUILD ?= build
JOBS ?= $(shell nproc)
LISTEN ?= 127.0.0.1:8080
DB ?= sqlite:./data/accounts.db

.PHONY: bootstrap build run test unit integration e2e format format-check sanitize clean install

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

format:
	git ls-files '*.cc' '*.h' | xargs clang-format -i

format-check: bootstrap
	git ls-files '*.cc' '*.h' | xargs clang-format --dry-run --Werror

PREFIX ?= /usr/local
install: build
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(BUILD)/bin/2501-accounts $(BUILD)/bin/2501 $(DESTDIR)$(PREFIX)/bin/
	ln -sf 2501 $(DESTDIR)$(PREFIX)/bin/@2501

clean:
	rm -rf $(BUILD) build-asan
