#!/usr/bin/env bash
# Loads the release `reflex webhook listen` and two Flask baselines with the same signed order.filled
# deliveries, one after the other, on loopback. Needs: wrk, python3 with flask (gunicorn optional).
# Usage: Benchmarks/webhook/run.sh [duration=10s] [connections=32] [threads=2]
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${1:-10s}
CONNECTIONS=${2:-32}
export THREADS=${3:-2}
OUT=${OUT:-/tmp/reflex-webhook-bench}
# Ports away from the defaults, so a running `reflex run` (8787) is never loaded by mistake.
PORT=${PORT:-18787}
mkdir -p "$OUT"
export REFLEX_WEBHOOK_SECRET=${REFLEX_WEBHOOK_SECRET:-whsec_$(head -c 32 /dev/urandom | base64)}
BIN=${BIN:-.build/release/reflex}
[ -x "$BIN" ] || swift build -c release --product reflex
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT

wait_for() {  # url: the server just started must be the one answering
  for _ in $(seq 1 100); do
    kill -0 "${PIDS[-1]}" 2>/dev/null || { echo "server for $1 exited" >&2; return 1; }
    curl -s -o /dev/null "$1" && return 0
    sleep 0.1
  done
  echo "server at $1 did not come up" >&2; return 1
}

load() {  # name url pool
  echo "== $1"
  POOL=$3 wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s Benchmarks/webhook/signed.lua "$2" \
    | tee "$OUT/$1.wrk.txt" | grep -E "Requests/sec|Latency  |50%|99%|requests in|Non-2xx|Socket errors"
}

# Each server gets its own pool of distinct ids (signed just now, inside the 5-minute window).
python3 Benchmarks/webhook/make_pool.py --count "${POOL_SIZE:-400000}" --prefix reflex --out "$OUT/pool-reflex.tsv"
"$BIN" webhook listen --port "$PORT" --secret-env REFLEX_WEBHOOK_SECRET --rate-limit 0 ${LISTENER_ARGS:-} \
  --dead-letter "$OUT/dead-letter.jsonl" > "$OUT/reflex-events.jsonl" 2> "$OUT/reflex-listener.log" &
PIDS+=($!)
wait_for http://127.0.0.1:$PORT/healthz
load reflex http://127.0.0.1:$PORT "$OUT/pool-reflex.tsv"
kill "${PIDS[-1]}"; wait "${PIDS[-1]}" 2>/dev/null || true
echo "reflex: $(wc -l < "$OUT/reflex-events.jsonl") events printed, $(sort -u "$OUT/reflex-events.jsonl" | wc -l) distinct"

python3 Benchmarks/webhook/make_pool.py --count 100000 --prefix flask --out "$OUT/pool-flask.tsv"
( cd Benchmarks/webhook && exec flask --app flask_listener run --port $((PORT + 1)) ) > "$OUT/flask.log" 2>&1 &
PIDS+=($!)
wait_for http://127.0.0.1:$((PORT + 1))/
load flask-dev-server http://127.0.0.1:$((PORT + 1)) "$OUT/pool-flask.tsv"
kill "${PIDS[-1]}"

if command -v gunicorn > /dev/null; then
  python3 Benchmarks/webhook/make_pool.py --count 100000 --prefix gunicorn --out "$OUT/pool-gunicorn.tsv"
  # One worker per core; each worker keeps its own replay set (good enough for a throughput baseline).
  ( cd Benchmarks/webhook && exec gunicorn -w 2 -b 127.0.0.1:$((PORT + 2)) flask_listener:app ) > "$OUT/gunicorn.log" 2>&1 &
  PIDS+=($!)
  wait_for http://127.0.0.1:$((PORT + 2))/
  load flask-gunicorn http://127.0.0.1:$((PORT + 2)) "$OUT/pool-gunicorn.tsv"
  kill "${PIDS[-1]}"
fi
