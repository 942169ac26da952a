#!/usr/bin/env bash
# The store figures: what durability costs, all on loopback against nginx (one worker).
#   1. a run of N plain GETs of a 2 KB page, 64 in flight, results stored: the memory store
#      beside the SQLite store, alternating, `reps` times each (asyncscrape-bench, embedding);
#   2. latency of GET of the run's status while such a run works, over HTTP from
#      asyncscrape-server with each store (wrk, one connection back to back, --latency);
#   3. the peak RSS of one run of `big` small pages with the SQLite store (0 skips it).
# Needs nginx, wrk and curl (apt-get install nginx-light wrk curl) and a Release build in build/.
#
#     bench/store_figures.sh [requests=20000] [reps=3] [big=1000000]
set -euo pipefail
cd "$(dirname "$0")/.."

requests=${1:-20000}
reps=${2:-3}
big=${3:-1000000}
bin=build/bin
nginx_port=18081
server_port=18080
work=$(mktemp -d)
trap 'kill $(cat "$work"/*.pid 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT

for tool in nginx wrk curl; do
  command -v "$tool" >/dev/null || { echo "store_figures: $tool is missing" >&2; exit 1; }
done

source bench/nginx_target.sh
start_nginx_target "$work" "$nginx_port"
page="http://127.0.0.1:$nginx_port/page.html"

rate_of() {  # the requests_per_second of asyncscrape-bench's JSON line
  sed 's/.*"requests_per_second": \([0-9.]*\).*/\1/'
}

median() {
  sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}

echo "1. fan-out: $requests GETs of $page, 64 in flight, $reps runs per store, alternating"
: > "$work/memory.rates"
: > "$work/sqlite.rates"
for rep in $(seq "$reps"); do
  "$bin/asyncscrape-bench" --url "$page" --requests "$requests" --concurrency 64 \
    | rate_of >> "$work/memory.rates"
  rm -rf "$work/data"
  "$bin/asyncscrape-bench" --url "$page" --requests "$requests" --concurrency 64 \
    --data "$work/data" | rate_of >> "$work/sqlite.rates"
  echo "   run $rep: memory $(tail -1 "$work/memory.rates") req/s," \
    "sqlite $(tail -1 "$work/sqlite.rates") req/s"
done
echo "   median: memory $(median < "$work/memory.rates") req/s," \
  "sqlite $(median < "$work/sqlite.rates") req/s"
echo "   database after one run: $(du -sh "$work/data" | cut -f1)"

# A collection of $requests GETs of the page, as a request body.
{
  printf '{"name": "bench", "requests": ['
  for i in $(seq "$requests"); do
    [ "$i" -gt 1 ] && printf ','
    printf '{"url": "%s?%d"}' "$page" "$i"
  done
  printf ']}'
} > "$work/collection.json"

echo "2. GET of the run's status while the run works (wrk, 1 connection, back to back)"
for store in memory sqlite; do
  rm -rf "$work/data"
  "$bin/asyncscrape-server" --listen 127.0.0.1:$server_port --allow-private-targets \
    --store "$store" --data "$work/data" --max-concurrency 64 --per-host 64 \
    --max-requests "$requests" --log-level warn & echo $! > "$work/server.pid"
  for _ in $(seq 50); do
    curl -sf "http://127.0.0.1:$server_port/v1/health" >/dev/null && break
    sleep 0.1
  done
  api="http://127.0.0.1:$server_port/v1/async/collections"
  collection=$(curl -sf -X POST "$api" -H 'Content-Type: application/json' \
    --data-binary @"$work/collection.json" | sed 's/.*"id":"\([^"]*\)".*/\1/')
  run=$(curl -sf -X POST "$api/$collection/run" | sed 's/.*"run_id":"\([^"]*\)".*/\1/')
  # Measured over the first second the run is certainly still working.
  latency=$(wrk -t1 -c1 -d1s --latency "$api/$collection/runs/$run" \
    | awk '/ 50%/ {p50 = $2} / 99%/ {p99 = $2} END {print "p50", p50, "p99", p99}')
  status=$(curl -sf "$api/$collection/runs/$run")
  echo "   $store: $latency (finished by then: $(echo "$status" \
    | sed 's/.*"success_requests":\([0-9]*\).*/\1/') of $requests)"
  kill "$(cat "$work/server.pid")"
  wait "$(cat "$work/server.pid")" 2>/dev/null || true
  rm -f "$work/server.pid"
done

if [ "$big" -gt 0 ]; then
  echo "3. peak memory of one run of $big small pages, SQLite store"
  rm -rf "$work/data"
  /usr/bin/time -f '%M' -o "$work/big.rss" "$bin/asyncscrape-bench" \
    --url "http://127.0.0.1:$nginx_port/small.html" --requests "$big" --concurrency 64 \
    --data "$work/data" > "$work/big.json"
  echo "   $(cat "$work/big.json")"
  echo "   peak RSS $(( $(cat "$work/big.rss") / 1024 )) MB," \
    "database $(du -sh "$work/data" | cut -f1)"
fi
