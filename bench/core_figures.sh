#!/usr/bin/env bash
# The core figures, each beside its reference on this machine, all on loopback:
#   1. a run of N plain GETs of a 2 KB page from nginx (one worker), 64 in flight, through the
#      runtime (asyncscrape-bench) beside wrk with 64 connections on the same page;
#   2. GET of a run's status from asyncscrape-server under wrk (64 connections) beside nginx
#      serving the same JSON bytes from a file.
# Needs nginx and wrk (apt-get install nginx-light wrk) and a Release build in build/.
#
#     bench/core_figures.sh [requests=20000] [seconds=5]
set -euo pipefail
cd "$(dirname "$0")/.."

requests=${1:-20000}
seconds=${2:-5}
bin=build/bin
nginx_port=18081
server_port=18080
work=$(mktemp -d)
trap 'kill $(cat "$work"/*.pid 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT

for tool in nginx wrk curl; do
  command -v "$tool" >/dev/null || { echo "core_figures: $tool is missing" >&2; exit 1; }
done

source bench/nginx_target.sh
start_nginx_target "$work" "$nginx_port"

wrk_rate() {  # requests/s that wrk reports for a URL
  wrk -t1 -c64 -d"${seconds}s" "$1" | awk '/Requests\/sec/ {print $2}'
}

page="http://127.0.0.1:$nginx_port/page.html"
echo "fan-out: $requests GETs of $page, 64 in flight"
wrk_page=$(wrk_rate "$page")
ours=$("$bin/asyncscrape-bench" --url "$page" --requests "$requests" --concurrency 64)
ours_rate=$(echo "$ours" | sed 's/.*"requests_per_second": \([0-9.]*\).*/\1/')
echo "  wrk -c64:                  $wrk_page req/s"
echo "  asyncscrape (one run):     $ours_rate req/s   $ours"

# The API: a finished run's status, from our server and from nginx as a file.
"$bin/asyncscrape-server" --listen 127.0.0.1:$server_port --allow-private-targets \
  --log-level warn & echo $! > "$work/server.pid"
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$server_port/v1/health" >/dev/null && break; sleep 0.1; done
api="http://127.0.0.1:$server_port/v1/async/collections"
collection=$(curl -sf -X POST "$api" -H 'Content-Type: application/json' \
  -d "{\"name\": \"bench\", \"requests\": [{\"url\": \"$page\"}]}" | sed 's/.*"id":"\([^"]*\)".*/\1/')
run=$(curl -sf -X POST "$api/$collection/run" | sed 's/.*"run_id":"\([^"]*\)".*/\1/')
sleep 0.5
run_url="$api/$collection/runs/$run"
curl -sf "$run_url" > "$work/www/run.json"
echo "API: GET $run_url, 64 connections, one server thread"
ours_api=$(wrk_rate "$run_url")
nginx_api=$(wrk_rate "http://127.0.0.1:$nginx_port/run.json")
echo "  asyncscrape-server:        $ours_api req/s"
echo "  nginx, same bytes (file):  $nginx_api req/s"
