# Tradeflow — one Makefile for everything. `make` builds ./tradeflow;
# `make run`, `make test`, `make bench` as the README says.
.DEFAULT_GOAL := all
SHELL := /bin/bash

PKGS    := libmicrohttpd jansson sqlite3 libpq libsodium zlib libcurl libzip xlsxwriter expat libcrypto cairo pangocairo
CC      ?= cc
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-unused-parameter
BASE    := -std=c17 -D_GNU_SOURCE -Isrc -Ibuild/gen $(WARN) $(shell pkg-config --cflags $(PKGS) 2>/dev/null) -I/usr/include/postgresql
LIBS    := $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lmicrohttpd -ljansson -lsqlite3 -lpq -lsodium -lz -lcurl -lzip -lxlsxwriter -lexpat -lcrypto -lpangocairo-1.0 -lpango-1.0 -lgobject-2.0 -lglib-2.0 -lcairo) -lpthread -lm

SRC     := $(sort $(wildcard src/*.c src/*/*.c))
LIBSRC  := $(filter-out src/main.c,$(SRC))
MIGR    := $(sort $(wildcard migrations/*.sql))
WEBSRC  := $(shell find web/src web/index.html web/package.json web/vite.config.* -type f 2>/dev/null)
UNIT    := $(sort $(wildcard tests/unit/test_*.c))

# Build variants: release (default) and asan (ASan + UBSan, used by make test).
REL_CFLAGS  := $(BASE) -O2 -g
ASAN_CFLAGS := $(BASE) -O1 -g -fno-omit-frame-pointer -fno-optimize-sibling-calls -fsanitize=address,undefined -fno-sanitize-recover=undefined

all: tradeflow

build/tools/embed: tools/embed.c
	@mkdir -p $(@D)
	$(CC) -O2 -Wall -Wextra -Werror -o $@ $<

# the folder too: its time changes when a migration is added or removed
build/gen/migrations.c: build/tools/embed $(MIGR) migrations
	@mkdir -p $(@D)
	build/tools/embed tf_migrations migrations/ $@ $(MIGR)

# The front end is built by Vite into web/dist and compiled into the binary.
web/dist/index.html: $(WEBSRC) web/package-lock.json
	@if [ -f web/package.json ]; then \
	  [ -d web/node_modules ] || (cd web && npm ci --no-audit --no-fund --loglevel=error); \
	  cd web && npm run build --silent; \
	else mkdir -p web/dist && cp tools/placeholder.html web/dist/index.html; fi

web/package-lock.json:
	@true

build/gen/assets.c: build/tools/embed web/dist/index.html
	@mkdir -p $(@D)
	build/tools/embed tf_assets web/dist $@ $$(find web/dist -type f | sort)

GEN := build/gen/migrations.c build/gen/assets.c

build/rel/%.o: %.c $(GEN)
	@mkdir -p $(@D)
	$(CC) $(REL_CFLAGS) -MMD -MP -c -o $@ $<
build/asan/%.o: %.c $(GEN)
	@mkdir -p $(@D)
	$(CC) $(ASAN_CFLAGS) -MMD -MP -c -o $@ $<

REL_OBJ  := $(SRC:%.c=build/rel/%.o) build/rel/build/gen/migrations.o build/rel/build/gen/assets.o
ASAN_OBJ := $(SRC:%.c=build/asan/%.o) build/asan/build/gen/migrations.o build/asan/build/gen/assets.o
ASAN_LIB := $(filter-out build/asan/src/main.o,$(ASAN_OBJ))

tradeflow: $(REL_OBJ)
	$(CC) $(REL_CFLAGS) -o $@ $^ $(LIBS)

tradeflow-asan: $(ASAN_OBJ)
	$(CC) $(ASAN_CFLAGS) -o $@ $^ $(LIBS)

asan: tradeflow-asan

build/unit/%: tests/unit/%.c $(ASAN_LIB) tests/unit/testdb.h
	@mkdir -p $(@D)
	$(CC) $(ASAN_CFLAGS) -o $@ $(filter-out %.h,$^) $(LIBS) -lcmocka

unit: $(UNIT:tests/unit/%.c=build/unit/%)
	@for t in $^; do echo "== $$t"; $$t || exit 1; done

deps:
	@bash scripts/deps.sh

run: deps tradeflow
	@bash scripts/run.sh

test: deps tradeflow tradeflow-asan $(UNIT:tests/unit/%.c=build/unit/%) fuzz-build
	@bash tests/run.sh

# tests/cluster alone (make test runs it too): several servers on a
# PostgreSQL pair under pg_auto_failover, HAProxy in front, a failover
test-cluster: deps tradeflow-asan
	@TF_BIN=$(CURDIR)/tradeflow-asan node --test --test-timeout=600000 tests/cluster/*.test.mjs

bench: deps tradeflow
	@bash bench/run.sh
	@bash bench/import.sh

screens: deps tradeflow
	@bash scripts/screens.sh

format:
	clang-format -i $(SRC) $(wildcard src/*/*.h) tools/*.c tests/unit/*.c

clean:
	rm -rf build tradeflow tradeflow-asan web/dist

.PHONY: all asan unit deps run test test-cluster bench screens format clean
include tests/fuzz/fuzz.mk
-include $(shell find build -name '*.d' 2>/dev/null)
