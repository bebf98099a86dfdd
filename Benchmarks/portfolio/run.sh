#!/usr/bin/env bash
# One bot trading 1, 2 and 10 markets against `reflex venue` on loopback, back to back in one run, at the same total
# trade rate as Benchmarks/live's ×200 one-market run (12,400 trades/s: the BTCUSDT tape at 200×).
# Usage: Benchmarks/portfolio/run.sh [minutes-per-run=3] [market-counts="1 2 10"]
# Markets: 1 = BTCUSDT (donchian-trend); 2 = BTCUSDT + ETHUSDT (donchian-range-eth); 10 = the two recordings looped
# under five symbols each (BTC0USDT…BTC4USDT, ETH0USDT…ETH4USDT), each copy started a fifth further into its
# recording, each with its strategy's copy. The venue's speed is
# chosen per run so that the sum of every tape's trade rate is the same.
# Per run it prints, from the bot itself: in-process tick → order p50/p99 (`reflex status --json`, message read →
# the order's REST call), CPU per market message (utime+stime of the bot over the trades it applied, after the first
# 30 s), and RSS every 30 s; at the end each figure as a ratio of the one-market run's.
# `run.sh 30 10` is the 30-minute memory check of ten markets. QUIET=1 lets only the first market trade (the others
# stream and never order): the cost of more markets at the one-market run's order load.
set -euo pipefail
cd "$(dirname "$0")/../.."
MINUTES=${1:-3}
QUIET=${QUIET:-0}
COUNTS=${2:-"1 2 10"}
BIN=${BIN:-.build/release/reflex}
[ -x "$BIN" ] || swift build -c release --product reflex
OUT=${OUT:-/tmp/reflex-portfolio-bench}
rm -rf "$OUT" && mkdir -p "$OUT"
BTC=Data/BTCUSDT-trades-2024-08-08-2354.csv
ETH=Data/ETHUSDT-trades-2024-08-08-spot.csv
BALANCE=10000000
VENUE_PORT=${VENUE_PORT:-19865}
LISTENER_PORT=${LISTENER_PORT:-19887}
export B_KEY=bench-key B_SECRET=bench-secret
export B_WEBHOOK=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw B_CONTROL=whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT

# Trades per second of a tape (Binance CSV: time is the fifth column).
rate() { python3 -c '
import csv, sys
rows = [r for r in csv.reader(open(sys.argv[1])) if r and r[0].isdigit()]
print(len(rows) / ((int(rows[-1][4]) - int(rows[0][4])) / 1000))' "$1"; }
BTC_RATE=$(rate "$BTC")
ETH_RATE=$(rate "$ETH")
TARGET=$(python3 -c "print($BTC_RATE * 200)")

# A Binance trades CSV started K/OF of the way in: the rows before that point follow the last row, their ids moved
# on by the recording's length so that ids stay consecutive, and every time moved so that the copy spans the same
# clock as the recording (the venue merges its tapes by time).
rotate() { python3 - "$@" <<'PY'
import csv, sys
path, k, of = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
lines = list(csv.reader(open(path)))
header = [l for l in lines if l and not l[0].isdigit()]
rows = [l for l in lines if l and l[0].isdigit()]
cut = len(rows) * k // of
span_ids = int(rows[-1][0]) - int(rows[0][0]) + 1
span_ms = int(rows[-1][4]) - int(rows[0][4]) + 1
out = csv.writer(sys.stdout, lineterminator="\n")
for h in header: out.writerow(h)
shift = int(rows[cut][4]) - int(rows[0][4])  # the copy keeps the recording's clock: it covers the same span
for r in rows[cut:]:
    r = list(r); r[4] = str(int(r[4]) - shift); out.writerow(r)
for r in rows[:cut]:
    r = list(r); r[0] = str(int(r[0]) + span_ids); r[4] = str(int(r[4]) + span_ms - shift); out.writerow(r)
PY
}

# Lays out run N's tapes, strategies and config in $OUT/N; prints the venue's speed.
prepare() {
  local n=$1 dir="$OUT/$1" markets="" ticks=() symbols=() i
  mkdir -p "$dir/tapes" "$dir/strategies"
  case $n in
    1) symbols=(BTCUSDT) ;;
    2) symbols=(BTCUSDT ETHUSDT) ;;
    *) for ((i = 0; i < n / 2; i++)); do symbols+=("BTC${i}USDT" "ETH${i}USDT"); done ;;
  esac
  local total=0 copy=0
  for s in "${symbols[@]}"; do
    if [[ $s == BTC* ]]; then src=$BTC strategy=Strategies/donchian-trend.json r=$BTC_RATE
    else src=$ETH strategy=Strategies/donchian-range-eth.json r=$ETH_RATE; fi
    # Copy k of a recording starts k/5 of the way into it (the rest follows, ids and times running on), so that
    # five copies do not break out on the same trade: identical tapes would make every order wait for four others.
    rotate "$src" "$((copy / 2))" "$((n > 2 ? n / 2 : 1))" > "$dir/tapes/$s-trades-2024-08-08.csv"
    copy=$((copy + 1))
    python3 - "$strategy" "$s" "$((QUIET && copy > 1))" > "$dir/strategies/$s.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1])); s["symbol"] = sys.argv[2]
if sys.argv[3] == "1": s["sizing"]["maxNotional"] = "1"  # sizes round to nothing: it streams, never orders
print(json.dumps(s, indent=1))
PY
    markets+="${markets:+,} {\"symbol\": \"$s\", \"strategy\": \"$dir/strategies/$s.json\"}"
    total=$(python3 -c "print($total + $r)")
  done
  cat > "$dir/config.json" <<JSON
{
  "venue": "binance", "markets": [$markets],
  "exchange": { "apiKeyEnv": "B_KEY", "apiSecretEnv": "B_SECRET",
                "restURL": "http://127.0.0.1:$VENUE_PORT", "streamURL": "ws://127.0.0.1:$VENUE_PORT" },
  "listener": { "host": "127.0.0.1", "port": $LISTENER_PORT, "secretEnvs": ["B_WEBHOOK"] },
  "control": { "secretEnv": "B_CONTROL" },
  "risk": { "maxPositionNotional": "25000" }, "initialEquity": "$BALANCE",
  "portfolio": { "maxTotalNotional": "100000000", "maxOrdersPerMinute": 100000 },
  "stateDirectory": "$dir/state", "record": false, "logFormat": "json"
}
JSON
  python3 -c "print(round($TARGET / $total, 3))"
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
status_field() { # status JSON → "ticks p50 p99 orders fills"
  python3 -c '
import json, sys
s = json.loads(sys.argv[1]); l = s.get("tickToOrder") or {}
print(sum(m["ticks"] for m in s["markets"]), l.get("p50Micros", 0), l.get("p99Micros", 0), l.get("orders", 0),
      sum(m["fills"] for m in s["markets"]))' "$1"
}

HZ=$(getconf CLK_TCK)
RESULTS="$OUT/results.csv"
echo "markets,speed,trades_per_s,ticks,orders,fills,p50_us,p99_us,cpu_us_per_msg,rss_first_mb,rss_last_mb" > "$RESULTS"
for n in $COUNTS; do
  speed=$(prepare "$n")
  dir="$OUT/$n"
  "$BIN" venue $(for f in "$dir"/tapes/*.csv; do printf -- '--ticks %s ' "$f"; done) --port "$VENUE_PORT" \
    --speed "$speed" --loop --api-key-env B_KEY --api-secret-env B_SECRET \
    --webhook-url "http://127.0.0.1:$LISTENER_PORT/webhooks/events" --webhook-secret-env B_WEBHOOK \
    --balance "$BALANCE" > "$dir/venue.log" 2>&1 &
  VENUE=$!
  PIDS+=($VENUE)
  sleep 1
  "$BIN" run --config "$dir/config.json" > "$dir/run.log" 2>&1 &
  BOT=$!
  PIDS+=($BOT)
  echo "# $n market(s): venue speed ${speed}× (total $(python3 -c "print(round($TARGET))") trades/s)"
  echo "minute,rss_mb,ticks,fills,p50_us,p99_us,orders"
  start=$SECONDS first_rss="" first_ticks="" first_cpu=""
  end=$((SECONDS + MINUTES * 60))
  while [ $SECONDS -lt $end ]; do
    sleep 30
    rss=$(awk '/VmRSS/ {print int($2/1024)}' "/proc/$BOT/status")
    cpu=$(cpu_ticks "$BOT")
    read -r ticks p50 p99 orders fills < <(status_field "$("$BIN" status --json --config "$dir/config.json")")
    if [ -z "$first_ticks" ]; then first_rss=$rss first_ticks=$ticks first_cpu=$cpu; fi
    echo "$(python3 -c "print(round(($SECONDS - $start) / 60, 1))"),$rss,$ticks,$fills,$p50,$p99,$orders"
  done
  per_msg=$(python3 -c "print(round(($cpu - $first_cpu) / $HZ * 1e6 / max(1, $ticks - $first_ticks), 2))")
  rate_seen=$(python3 -c "print(round(($ticks - $first_ticks) / max(1, $SECONDS - $start - 30)))")
  echo "$n,$speed,$rate_seen,$ticks,$orders,$fills,$p50,$p99,$per_msg,$first_rss,$rss" >> "$RESULTS"
  kill "$BOT" "$VENUE" 2>/dev/null || true
  wait "$BOT" "$VENUE" 2>/dev/null || true
  sleep 2
done
echo
cat "$RESULTS"
python3 - "$RESULTS" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
base = rows[0]
for r in rows[1:]:
    ratio = lambda k: float(r[k]) / float(base[k]) if float(base[k]) else float("nan")
    print(f'{r["markets"]} markets vs {base["markets"]}: p50 {ratio("p50_us"):.2f}×, p99 {ratio("p99_us"):.2f}×, '
          f'CPU per message {ratio("cpu_us_per_msg"):.2f}×, RSS {r["rss_last_mb"]} MB vs {base["rss_last_mb"]} MB')
PY
