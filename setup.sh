#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs what massline needs from Debian's packages (only what is missing), then
# configures and builds it in build/. Usage: ./setup.sh [--with-bench] [--with-fuzz]
#   --with-bench  also the peers and tools of bench/ (Miller, hyperfine, GNU time, sklearn,
#                 Node.js and npm, then DuckDB's Node.js API from the npm registry into
#                 bench/work/duckdb: Debian has no DuckDB)
#   --with-fuzz   also clang and its libFuzzer runtime, for fuzz/ (test.sh asks for it)
set -euo pipefail
cd "$(dirname "$0")"

packages=(build-essential cmake ninja-build pkg-config
  libcli11-dev nlohmann-json3-dev libfmt-dev libgtest-dev libgmock-dev
  libicu-dev libzip-dev zipcmp zipmerge ziptool libpugixml-dev libssl-dev libxxhash-dev
  libstemmer-dev libeigen3-dev libsimdjson-dev
  groff-base python3 tidy)
bench=0
for arg in "$@"; do
  case "$arg" in
    --with-bench)
      packages+=(miller hyperfine time python3-sklearn)
      # Node.js and npm from Debian, unless a Node.js that brings its own npm is there already
      # (a nodejs package from elsewhere conflicts with Debian's npm).
      command -v npm >/dev/null || packages+=(nodejs npm)
      bench=1 ;;
    --with-fuzz) packages+=(clang libclang-rt-dev) ;;
    *) echo "setup.sh: unknown option '$arg' (--with-bench, --with-fuzz)" >&2; exit 64 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}"
fi

# DuckDB, the benchmark's fastest peer, is not packaged by Debian; its Node.js API is, on the npm
# registry, with the engine inside the package (pinned; nothing is downloaded at build time).
duckdb_api="@duckdb/node-api@1.5.6-r.1"
if ((bench)) && [[ ! -d bench/work/duckdb/node_modules/@duckdb/node-api ]]; then
  mkdir -p bench/work/duckdb
  if ! npm install --prefix bench/work/duckdb --no-audit --no-fund "$duckdb_api" >&2; then
    echo "setup: could not install $duckdb_api from the npm registry; bench/gather.sh will run without DuckDB" >&2
  fi
fi

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release ${ML_CMAKE_ARGS:-}
cmake --build build -j "$(nproc)"
