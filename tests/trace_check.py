#!/usr/bin/python3
"""tests/trace_check.py -- checks a file against the Chrome / Perfetto trace-event format as
dlvta profile writes it: a JSON object with a traceEvents list (or a bare list); every event has
ph, ts, pid, tid and name; ph is one of X B E C i I M; X events have dur >= 0; per track (pid,
tid) the X spans and B/E pairs nest properly (a span inside another ends before it, otherwise
it starts after it ends); C events carry numeric args. Exit 0 and print a summary, or print the
first problem and exit 1.  usage: trace_check.py TRACE.json"""
import json
import sys

EPS = 1e-6


def check(doc):
    evs = doc["traceEvents"] if isinstance(doc, dict) else doc
    if not isinstance(evs, list) or not evs:
        return "no traceEvents list"
    tracks = {}
    for i, e in enumerate(evs):
        for k in ("ph", "ts", "pid", "tid", "name"):
            if k not in e:
                return f"event {i} has no '{k}': {e}"
        if e["ph"] not in ("X", "B", "E", "C", "i", "I", "M"):
            return f"event {i}: unknown ph {e['ph']!r}"
        if not isinstance(e["ts"], (int, float)) or e["ts"] < 0:
            return f"event {i}: bad ts {e['ts']!r}"
        if e["ph"] == "X" and (not isinstance(e.get("dur"), (int, float)) or e["dur"] < 0):
            return f"event {i}: X without a dur >= 0: {e}"
        if e["ph"] == "C" and (not isinstance(e.get("args"), dict) or not e["args"] or
                               not all(isinstance(v, (int, float)) for v in e["args"].values())):
            return f"event {i}: counter without numeric args: {e}"
        if e["ph"] in ("X", "B", "E"):
            tracks.setdefault((e["pid"], e["tid"]), []).append((i, e))
    for key, lst in tracks.items():
        # B/E pairs become spans; then every span must nest within the open one or follow it
        spans, open_be = [], []
        for i, e in lst:
            if e["ph"] == "X":
                spans.append((e["ts"], e["ts"] + e["dur"], i))
            elif e["ph"] == "B":
                open_be.append((e["ts"], i))
            else:
                if not open_be:
                    return f"track {key}: E event {i} without a B"
                b, j = open_be.pop()
                if e["ts"] < b - EPS:
                    return f"track {key}: E event {i} before its B {j}"
                spans.append((b, e["ts"], j))
        if open_be:
            return f"track {key}: B event {open_be[-1][1]} never ends"
        spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
        stack = []
        for s, t, i in spans:
            while stack and s >= stack[-1][1] - EPS:
                stack.pop()
            if stack and t > stack[-1][1] + EPS:
                return f"track {key}: event {i} [{s}, {t}] overlaps event {stack[-1][2]} [{stack[-1][0]}, {stack[-1][1]}] without nesting"
            stack.append((s, t, i))
    return None


def main():
    try:
        doc = json.load(open(sys.argv[1]))
    except (OSError, ValueError) as e:
        print(f"{sys.argv[1]}: not JSON: {e}")
        return 1
    why = check(doc)
    if why:
        print(f"{sys.argv[1]}: {why}")
        return 1
    evs = doc["traceEvents"] if isinstance(doc, dict) else doc
    print(f"{sys.argv[1]}: {len(evs)} events, a valid trace")
    return 0


if __name__ == "__main__":
    sys.exit(main())
