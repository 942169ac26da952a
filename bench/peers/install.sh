#!/usr/bin/env bash
# Installs the npm peers of the benchmark harness into bench/peers/node_modules: playwright-core
# at the version pinned in package.json (package-lock.json when present), without a browser of its
# own: it drives Debian's /usr/bin/chromium. The driver calls this when node_modules is missing.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v npm >/dev/null; then
  echo "install.sh: npm is missing (apt-get install npm)" >&2
  exit 1
fi
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
if [ -f package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
else
  npm install --no-audit --no-fund --loglevel=error
fi
