#!/usr/bin/env python3
"""Wire-to-wire tick-to-order latency from a loopback capture.

Pairs each order the bot logged as caused by a trade ("order sent" with tradeId, JSON log) with two packets of
the capture: the first one from the venue carrying that trade's aggTrade message ("a":<id>), and the first one to
the venue carrying the order's client id (newClientOrderId=/clientAlgoId=). The difference of their capture
timestamps is the time from the trade reaching the bot's socket to the order's bytes leaving it: the bot's whole
path, kernel included, measured outside the bot.

Usage: wire.py CAPTURE.pcap RUN.log VENUE_PORT [--detail]
--detail also prints every order, slowest last: its latency, the trade's place in its packet and how many packets
from the venue came in the 3 ms before it (a burst the bot had to read through first).
"""
import json
import re
import struct
import sys

TRADE = re.compile(rb'"a":(\d+)')
ORDER = re.compile(rb'(?:newClientOrderId|clientAlgoId)=([A-Za-z0-9._-]+)')


def packets(path):
    with open(path, 'rb') as f:
        header = f.read(24)
        magic = struct.unpack('<I', header[:4])[0]
        if magic == 0xA1B2C3D4:
            scale = 1e-6
        elif magic == 0xA1B23C4D:
            scale = 1e-9
        else:
            sys.exit(f'{path}: not a little-endian pcap file')
        link = struct.unpack('<I', header[20:24])[0]
        offset = {1: 14, 113: 16, 276: 20, 0: 4}.get(link)
        if offset is None:
            sys.exit(f'{path}: link type {link} not handled')
        while True:
            record = f.read(16)
            if len(record) < 16:
                return
            seconds, fraction, length, _ = struct.unpack('<IIII', record)
            data = f.read(length)
            ip = data[offset:]
            if not ip or ip[0] >> 4 != 4:
                continue
            ihl = (ip[0] & 15) * 4
            tcp = ip[ihl:]
            if len(tcp) < 20:
                continue
            source, destination = struct.unpack('>HH', tcp[:4])
            payload = tcp[(tcp[12] >> 4) * 4:]
            if payload:
                yield seconds + fraction * scale, source, destination, payload


def main():
    capture, log, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    detail = '--detail' in sys.argv[4:]
    trades, orders, placement, venue_times = {}, {}, {}, []
    for time, source, destination, payload in packets(capture):
        if source == port:
            venue_times.append(time)
            found = TRADE.findall(payload)
            for index, match in enumerate(found):
                if int(match) not in trades:
                    trades[int(match)] = time
                    placement[int(match)] = f'{index + 1}/{len(found)}'

        elif destination == port:
            for match in ORDER.finditer(payload):
                orders.setdefault(match.group(1).decode(), time)
    latencies, rows = [], []
    unmatched = 0
    with open(log) as f:
        for line in f:
            if '"order sent"' not in line:
                continue
            entry = json.loads(line)
            if 'tradeId' not in entry:
                continue
            trade, order = trades.get(int(entry['tradeId'])), orders.get(entry['clientOrderId'])
            if trade is None or order is None:
                unmatched += 1  # outside the capture window
                continue
            latencies.append((order - trade) * 1e6)
            if detail:
                before = sum(1 for t in venue_times if trade - 0.003 <= t < trade)
                rows.append((latencies[-1], placement[int(entry['tradeId'])], before, entry.get('purpose', '')))
    if not latencies:
        sys.exit('no order caused by a trade fell inside the capture')
    latencies.sort()
    for latency, place, before, purpose in sorted(rows):
        print(f'{latency:8.0f} us  trade {place} of its packet  {before:3d} venue packets in the 3 ms before  {purpose}')

    def percentile(p):
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))]

    print(f'orders={len(latencies)} p50_us={percentile(50):.0f} p90_us={percentile(90):.0f} '
          f'p99_us={percentile(99):.0f} max_us={latencies[-1]:.0f} (outside capture: {unmatched})')


main()
