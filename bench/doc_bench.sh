#!/usr/bin/env bash
# doc_bench.sh — builds bench/doc_bench.c against the release objects and runs
# it: rendering the 200-line sample quotation to XLSX, DOCX and PDF.
#   bench/doc_bench.sh [TIMES] [LINES]
set -euo pipefail
cd "$(dirname "$0")/.."
flock /tmp/tf-build.lock make -s tradeflow >/dev/null
PKGS="libmicrohttpd jansson sqlite3 libpq libsodium zlib libcurl libzip xlsxwriter expat libcrypto cairo pangocairo"
objs=$(ls build/rel/src/*/*.o build/rel/build/gen/*.o | grep -v '/src/main.o$')
mkdir -p build/bench
cc -std=c17 -D_GNU_SOURCE -O2 -Isrc $(pkg-config --cflags $PKGS) -I/usr/include/postgresql \
  -o build/bench/doc_bench bench/doc_bench.c $objs $(pkg-config --libs $PKGS) -lpthread -lm
build/bench/doc_bench "${1:-20}" "${2:-200}"
