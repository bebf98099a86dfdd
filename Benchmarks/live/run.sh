#!/usr/bin/env bash
# Tick-to-order latency inside `reflex run` and its resident memory over a long replay, against `reflex venue` on
# loopback (two release processes). Usage: Benchmarks/live/run.sh [minutes=10] [speed=200]
# The latency is measured by the runtime itself: from the instant its WebSocket message is read (inside the socket's
# read, before the aggTrade decode) to the instant its order's REST call starts; `reflex status --json` reports
# p50/p99 over the last 10 000 orders. Memory is VmRSS of the bot, sampled every 30 s.
# PIN=1 gives the bot CPU 1 and everything else (venue, capture) CPU 0, as a deployment would give it a core.
# CAPTURE=N (seconds, needs tcpdump and root) also captures the venue's loopback port for the first N seconds and
# prints the wire-to-wire latency (Benchmarks/live/wire.py): from the trade's packet reaching the bot to the order's
# packet leaving it, measured outside the bot.
set -euo pipefail
cd "$(dirname "$0")/../.."
MINUTES=${1:-10}
SPEED=${2:-200}
BIN=${BIN:-.build/release/reflex}
[ -x "$BIN" ] || swift build -c release --product reflex
OUT=${OUT:-/tmp/reflex-live-bench}
rm -rf "$OUT" && mkdir -p "$OUT"
# A long replay loops the same hours of tape: fees alone would drain a small account and stop the trading, so the
# venue's balance and the engine's equity are large (sizes stay capped by maxPositionNotional).
BALANCE=${BALANCE:-10000000}
VENUE_PORT=${VENUE_PORT:-19765}
LISTENER_PORT=${LISTENER_PORT:-19787}
export B_KEY=bench-key B_SECRET=bench-secret
export B_WEBHOOK=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw B_CONTROL=whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD
cat > "$OUT/config.json" <<JSON
{
  "venue": "binance", "symbols": ["BTCUSDT"], "strategy": "Strategies/donchian-trend.json",
  "exchange": { "apiKeyEnv": "B_KEY", "apiSecretEnv": "B_SECRET",
                "restURL": "http://127.0.0.1:$VENUE_PORT", "streamURL": "ws://127.0.0.1:$VENUE_PORT" },
  "listener": { "host": "127.0.0.1", "port": $LISTENER_PORT, "secretEnvs": ["B_WEBHOOK"] },
  "control": { "secretEnv": "B_CONTROL" },
  "risk": { "maxPositionNotional": "25000" }, "initialEquity": "$BALANCE",
  "stateDirectory": "$OUT/state", "record": false, "logFormat": "json"
}
JSON
VENUE_CPU=() BOT_CPU=()
if [ "${PIN:-0}" = 1 ]; then VENUE_CPU=(taskset -c 0) BOT_CPU=(taskset -c 1); fi
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT
"${VENUE_CPU[@]}" "$BIN" venue --ticks Data/BTCUSDT-trades-2024-08-08-2354.csv --port "$VENUE_PORT" --speed "$SPEED" --loop \
  --api-key-env B_KEY --api-secret-env B_SECRET --webhook-url "http://127.0.0.1:$LISTENER_PORT/webhooks/events" \
  --webhook-secret-env B_WEBHOOK --balance "$BALANCE" > "$OUT/venue.log" 2>&1 &
PIDS+=($!)
sleep 1
CAPTURE=${CAPTURE:-0}
if [ "$CAPTURE" -gt 0 ]; then
  "${VENUE_CPU[@]}" timeout "$CAPTURE" tcpdump -i lo -s 0 -B 16384 -w "$OUT/wire.pcap" "tcp port $VENUE_PORT" 2> "$OUT/tcpdump.log" &
  PIDS+=($!)
  sleep 1
fi
"${BOT_CPU[@]}" "$BIN" run --config "$OUT/config.json" > "$OUT/run.log" 2>&1 &
BOT=$!
PIDS+=($BOT)
echo "minute,rss_mb,ticks,fills,p50_us,p99_us,orders"
END=$((SECONDS + MINUTES * 60))
while [ $SECONDS -lt $END ]; do
  sleep 30
  rss=$(awk '/VmRSS/ {print int($2/1024)}' /proc/$BOT/status)
  status=$("$BIN" status --json --config "$OUT/config.json")
  python3 - "$status" "$rss" "$SECONDS" <<'PY'
import json, sys
s = json.loads(sys.argv[1]); l = s.get("tickToOrder") or {}
print(f'{int(sys.argv[3])/60:.1f},{sys.argv[2]},{s["ticks"]},{s["fills"]},{l.get("p50Micros","")},{l.get("p99Micros","")},{l.get("orders","")}')
PY
done
if [ "$CAPTURE" -gt 0 ]; then
  grep -h "packets" "$OUT/tcpdump.log" || true
  python3 Benchmarks/live/wire.py "$OUT/wire.pcap" "$OUT/run.log" "$VENUE_PORT"
fi
