#!/usr/bin/env bash
# Browser page loads, beside the obvious alternative on this machine, all on loopback: N loads of
# a local page that builds its content with JavaScript,
#   1. through the runtime (asyncscrape-bench --browser): one Chromium, 4 tabs, a fresh browser
#      context per page;
#   2. a fresh `chromium --headless --dump-dom` per page, 4 at a time (xargs -P 4).
# Needs a Release build in build/ and Debian's chromium (scripts/install-deps.sh installs it).
#
#     bench/browser_figures.sh [loads=100] [repetitions=3]
set -euo pipefail
cd "$(dirname "$0")/.."

loads=${1:-100}
repetitions=${2:-3}
port=18082
chromium=/usr/bin/chromium
work=$(mktemp -d)
trap 'kill $(cat "$work"/server.pid 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT

# A page whose list exists only once its script has run, as in a client-rendered app.
mkdir -p "$work/www"
cat > "$work/www/app.html" <<'HTML'
<!doctype html><html><head><title>app</title></head><body><ul id="list"></ul><script>
const list = document.getElementById('list');
for (let i = 0; i < 200; ++i) {
  const item = document.createElement('li');
  item.textContent = 'item ' + i;
  list.appendChild(item);
}
</script></body></html>
HTML
/usr/bin/python3 -m http.server "$port" --bind 127.0.0.1 --directory "$work/www" \
  >/dev/null 2>&1 & echo $! > "$work/server.pid"
url="http://127.0.0.1:$port/app.html"
for _ in $(seq 50); do curl -sf "$url" >/dev/null && break; sleep 0.1; done

# As ChromiumProcess starts it: no sandbox as root (containers), a throwaway profile.
sandbox_flag=""
[ "$(id -u)" = 0 ] && sandbox_flag=--no-sandbox
dump_dom() {
  local profile
  profile=$(mktemp -d)
  # shellcheck disable=SC2086 # the flag is one word or none
  "$chromium" --headless $sandbox_flag --disable-gpu --disable-dev-shm-usage --no-first-run \
    --user-data-dir="$profile" --dump-dom "$url" 2>/dev/null | grep -q 'item 199'
  rm -rf "$profile"
}
export -f dump_dom
export chromium url sandbox_flag

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

ours=(); theirs=()
for rep in $(seq "$repetitions"); do
  printf 'repetition %d/%d: asyncscrape...\r' "$rep" "$repetitions" >&2
  rate=$(build/bin/asyncscrape-bench --url "$url" --requests "$loads" --concurrency 4 --browser \
    | sed -E 's/.*"requests_per_second": ([0-9.]+).*/\1/')
  ours+=("$rate")
  printf 'repetition %d/%d: chromium --dump-dom...\r' "$rep" "$repetitions" >&2
  started=$(date +%s.%N)
  seq "$loads" | xargs -P 4 -I{} bash -c dump_dom
  ended=$(date +%s.%N)
  theirs+=("$(awk -v n="$loads" -v a="$started" -v b="$ended" 'BEGIN {print n / (b - a)}')")
done
printf '\n' >&2

ours_median=$(printf '%s\n' "${ours[@]}" | median)
theirs_median=$(printf '%s\n' "${theirs[@]}" | median)
printf '%-52s %12s\n' "workload ($loads loads, 4 at a time, medians of $repetitions)" "pages/s"
printf '%-52s %12.1f\n' "asyncscrape, one Chromium, 4 tabs" "$ours_median"
printf '%-52s %12.1f\n' "a fresh chromium --headless --dump-dom per page" "$theirs_median"
printf '%-52s %11.1fx\n' "ratio" "$(awk -v a="$ours_median" -v b="$theirs_median" 'BEGIN {print a / b}')"
