#!/usr/bin/env bash
# Installs the Debian 12 packages asyncscrape builds and runs with. Idempotent: asks apt only for
# what is missing, and does nothing (not even `apt-get update`) when everything is there.
#
# Boost 1.81: Asio, Beast and URL are header libraries (compiled once inside our library); JSON is
# Debian's compiled libboost_json.
#
# clang-16 and its compiler-rt (libFuzzer, ASan, UBSan) build `make fuzz`, llvm-16 symbolizes its
# stack traces: clang 14, Debian's default clang, cannot compile libstdc++ 12's <ranges>.
#
#     scripts/install-deps.sh          # what the build, the tests and the fuzzers need
#     scripts/install-deps.sh bench    # that, plus the peers of the benchmark harness (make bench)
set -euo pipefail

packages=(
  g++ cmake ninja-build ccache make
  libboost1.81-all-dev libboost-json1.81-dev
  libssl-dev zlib1g-dev libsqlite3-dev ca-certificates
  catch2
  chromium chromium-headless-shell
  clang-16 libclang-rt-16-dev llvm-16
)

case "${1:-}" in
  "") ;;
  bench)
    # The benchmark's peers and its chart. Node only where none is on PATH: a machine may carry
    # another Node.js (e.g. a vendor's nodejs package, which conflicts with Debian's npm).
    packages+=(nginx-light wrk curl python3-aiohttp gnuplot-nox)
    command -v node >/dev/null || packages+=(nodejs)
    command -v npm >/dev/null || packages+=(npm)
    ;;
  *)
    echo "usage: scripts/install-deps.sh [bench]" >&2
    exit 2
    ;;
esac

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo=()
if [[ $(id -u) -ne 0 ]]; then
  sudo=(sudo)
fi
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
