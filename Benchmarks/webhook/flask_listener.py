"""The baseline: the simplest Flask listener a user would write for the same job — Standard Webhooks
HMAC check over the raw body (constant-time compare), ±5 min timestamp, replay set, JSON parse, a few
field checks, 200. Run: REFLEX_WEBHOOK_SECRET=whsec_… flask --app flask_listener run --port 8788"""
import base64, hashlib, hmac, json, os, threading, time
from decimal import Decimal, InvalidOperation

from flask import Flask, request, jsonify

app = Flask(__name__)
_secret = os.environ["REFLEX_WEBHOOK_SECRET"].removeprefix("whsec_")
KEY = base64.b64decode(_secret + "=" * (-len(_secret) % 4))
seen = set()
seen_lock = threading.Lock()


@app.post("/webhooks/events")
def events():
    msg_id = request.headers.get("webhook-id")
    ts = request.headers.get("webhook-timestamp")
    sigs = request.headers.get("webhook-signature", "")
    body = request.get_data()
    if not msg_id or not ts or not ts.isdigit() or abs(time.time() - int(ts)) > 300:
        return jsonify(status="rejected"), 401
    expected = hmac.new(KEY, f"{msg_id}.{ts}.".encode() + body, hashlib.sha256).digest()
    if not any(
        s.startswith("v1,") and hmac.compare_digest(base64.b64decode(s[3:] or "A==="), expected)
        for s in sigs.split(" ")
    ):
        return jsonify(status="rejected"), 401
    with seen_lock:
        if msg_id in seen:
            return jsonify(status="duplicate"), 200
        seen.add(msg_id)
    try:
        event = json.loads(body)
        data = event["data"]
        if Decimal(data["price"]) <= 0 or Decimal(data["quantity"]) <= 0 or data["side"] not in ("BUY", "SELL"):
            return jsonify(status="rejected"), 422
    except (ValueError, KeyError, TypeError, InvalidOperation):
        return jsonify(status="rejected"), 400
    return jsonify(status="accepted", id=msg_id), 200
