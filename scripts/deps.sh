#!/usr/bin/env bash
# deps.sh — installs what Tradeflow needs on Debian 12 when it is missing:
# the C libraries, PostgreSQL (for the tests), Chromium (browser tests), wrk
# (benchmarks), clang with its sanitizer and libFuzzer runtimes (the fuzz
# targets), pg_auto_failover and HAProxy (tests/cluster), Node.js, and the
# front end's npm packages. Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."

PKGS=(build-essential pkg-config libmicrohttpd-dev libjansson-dev libsqlite3-dev sqlite3
      libpq-dev libsodium-dev zlib1g-dev libcmocka-dev libcurl4-openssl-dev libzip-dev
      libxlsxwriter-dev libexpat1-dev libssl-dev postgresql postgresql-contrib
      chromium fonts-noto-cjk wrk curl ca-certificates libreoffice-calc-nogui
      libcairo2-dev libpango1.0-dev poppler-utils libreoffice-writer-nogui
      clang libclang-rt-dev postgresql-15-auto-failover haproxy)
command -v node >/dev/null 2>&1 || PKGS+=(nodejs npm)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm packages of the front end (and playwright-core for the browser tests)
if [ -f web/package-lock.json ]; then
  stamp=web/node_modules/.tradeflow-lock
  if [ ! -f "$stamp" ] || ! cmp -s web/package-lock.json "$stamp"; then
    echo "deps: npm ci in web/"
    (cd web && npm ci --no-audit --no-fund --loglevel=error)
    cp web/package-lock.json "$stamp"
  fi
fi
