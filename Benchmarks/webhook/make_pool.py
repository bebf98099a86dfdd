#!/usr/bin/env python3
"""Writes a pool of Standard Webhooks-signed order.filled deliveries, one per line:
id <TAB> timestamp <TAB> signature <TAB> body. Every id is distinct, so no request is a replay."""
import argparse, base64, hashlib, hmac, os, sys, time

parser = argparse.ArgumentParser()
parser.add_argument("--count", type=int, default=300_000)
parser.add_argument("--secret-env", default="REFLEX_WEBHOOK_SECRET")
parser.add_argument("--prefix", default="bench")
parser.add_argument("--out", required=True)
args = parser.parse_args()

secret = os.environ[args.secret_env]
key = base64.b64decode(secret.removeprefix("whsec_") + "==="[: (4 - len(secret.removeprefix("whsec_")) % 4) % 4])
timestamp = str(int(time.time()))
with open(args.out, "w") as out:
    for n in range(args.count):
        msg_id = f"{args.prefix}_{n}"
        body = (
            '{"type":"order.filled","timestamp":"2024-08-08T23:54:00.000Z","data":{"symbol":"BTCUSDT",'
            f'"orderId":{4000000000 + n},"clientOrderId":"rfx-e-{n}","tradeId":{9000000000 + n},"side":"BUY",'
            '"price":"61800.30","quantity":"0.002","cumulativeQuantity":"0.002","status":"FILLED",'
            '"fee":"0.04944024","feeAsset":"USDT","time":1723161240000}}'
        )
        mac = hmac.new(key, f"{msg_id}.{timestamp}.{body}".encode(), hashlib.sha256).digest()
        out.write(f"{msg_id}\t{timestamp}\tv1,{base64.b64encode(mac).decode()}\t{body}\n")
print(f"wrote {args.count} signed deliveries to {args.out}", file=sys.stderr)
