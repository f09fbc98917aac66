# fuzz.mk — the libFuzzer targets (tests/fuzz/fuzz_<name>.c), included by the
# Makefile. Each target is built with clang (ASan + UBSan + libFuzzer) from
# its own source file and only the project sources it parses with, listed
# below. `make fuzz` builds them all and runs each for FUZZ_SECONDS over its
# corpus (tests/fuzz/<name>/) with its dictionary when it has one;
# tests/run.sh runs each briefly.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_CFLAGS  := -std=c17 -D_GNU_SOURCE -Isrc -Itests/fuzz $(WARN) -g -O1 \
                -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
                $(shell pkg-config --cflags jansson libmicrohttpd libzip 2>/dev/null)

FUZZ_IMP  := src/imports/import_csv.c src/imports/import_xlsx.c src/imports/import_parse.c \
             src/base/util.c src/base/arena.c
FUZZ_HTTP := tests/fuzz/fake_http.c src/http/input.c src/base/util.c src/base/arena.c
fuzz_wechat_xml_SRC    := src/wechat/wechat_xml.c src/base/arena.c
fuzz_wechat_xml_LIBS   := -lexpat -lcrypto
fuzz_input_check_SRC   := $(FUZZ_HTTP)
fuzz_input_check_LIBS  := -ljansson -lsodium
fuzz_query_SRC         := $(FUZZ_HTTP) src/customers/customer_filter.c src/base/textsearch.c
fuzz_query_LIBS        := -ljansson -lsodium
fuzz_csv_SRC           := $(FUZZ_IMP)
fuzz_csv_LIBS          := -lzip -lexpat -lsodium -lm
fuzz_xlsx_SRC          := tests/fuzz/zip_pack.c $(FUZZ_IMP)
fuzz_xlsx_LIBS         := -lzip -lexpat -lsodium -lm
fuzz_numbering_SRC     := tests/fuzz/fake_db.c src/core/numbering.c src/base/util.c src/base/arena.c
fuzz_numbering_LIBS    := -lsodium
fuzz_money_SRC         := src/core/money.c src/core/money_doc.c
fuzz_money_LIBS        :=
fuzz_doc_layout_SRC    := src/export/doc_layout.c src/export/doc_model.c src/core/money.c src/core/money_doc.c \
                          src/base/util.c src/base/arena.c
fuzz_doc_layout_LIBS   := -ljansson -lsodium
fuzz_docx_template_SRC := tests/fuzz/zip_pack.c src/export/doc_docx.c src/export/doc_docx_parts.c src/export/doc_model.c \
                          src/core/money.c src/core/money_doc.c src/base/util.c src/base/arena.c
fuzz_docx_template_LIBS := -ljansson -lzip -lsodium

FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS    := $(FUZZ_TARGETS:%=build/fuzz/%)

.SECONDEXPANSION:
build/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz.mk $$($$*_SRC) $(wildcard tests/fuzz/*.h)
	@mkdir -p $(@D)
	nice $(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $($*_SRC) $($*_LIBS)

fuzz-build: $(FUZZ_BINS)

# FUZZ_SECONDS per target (make fuzz FUZZ_SECONDS=600); new inputs found go
# to build/fuzz/corpus/<name>/, crashes to build/fuzz/crash-*
fuzz: deps fuzz-build
	@bash tests/fuzz/run.sh $(FUZZ_SECONDS)

.PHONY: fuzz fuzz-build
