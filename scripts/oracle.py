#!/usr/bin/env python3
"""Measure how far `pkt read --json` agrees with scapy's own dissection, over many captures.

Usage: scripts/oracle.py [--pkt target/release/pkt] [--min PCT] [--show N] CAPTURE_OR_DIR...

Uses ../shared/oracle/compare.py (scapy's rendering of the NDJSON contract, compared field by
field) in one process for every file, and prints the total agreement, per layer, and the first
disagreements. Exit status 1 when the total agreement is below --min (default 0: report only),
2 when the oracle or scapy is missing.
"""

import argparse
import contextlib
import io
import json
import os
import subprocess
import sys
from collections import defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ORACLE = os.path.join(ROOT, "..", "shared", "oracle")


def captures(paths):
    for p in paths:
        if os.path.isdir(p):
            for name in sorted(os.listdir(p)):
                if name.endswith((".pcap", ".pcapng", ".cap")):
                    yield os.path.join(p, name)
        else:
            yield p


# Where pkt departs from scapy on purpose (README, "Agreement with scapy"):
def deliberate(ref, cand):
    """The reason pkt differs from scapy on this packet on purpose, or None."""
    layers = ref.get("layers", [])
    if layers and layers[0].get("layer") in ("Loopback", "LoopbackOpenBSD") and \
            layers[0].get("type") in (24, 28, 30):
        # scapy decodes BSD loopback IPv6 only with its own host's AF_INET6 value (10 on
        # Linux); pkt, as tcpdump, decodes the BSDs' 24, 28 and 30 everywhere.
        return "bsd-loopback-ipv6"
    for l in layers:
        if l.get("layer") == "ICMP" and "ext" in l and not l.get("length"):
            # scapy reads RFC 4884 extensions from any ICMP error of 144+ bytes, even when the
            # length field says there are none; pkt follows the length field.
            return "icmp-ext-without-length"
    errs = (cand or {}).get("errors") or []
    if any(str(e.get("error", "")).startswith("truncated") for e in errs):
        # scapy renders a field cut off by the end of the packet as "" (or a shorter value);
        # pkt leaves it out and says where the packet was truncated.
        return "truncated"
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--pkt", default=os.path.join(ROOT, "target", "release", "pkt"))
    ap.add_argument("--min", type=float, default=0.0)
    ap.add_argument("--per-file", type=int, default=5, help="disagreements kept per file")
    ap.add_argument("--show", type=int, default=15)
    ap.add_argument("--json", action="store_true", help="print one summary JSON line last")
    ap.add_argument("--extra-layers", default="",
                    help="also compare these layers (comma-separated); 'pkt': every layer "
                         "`pkt ls --names` lists")
    ap.add_argument("--all", action="store_true",
                    help="compare every packet, not only those made of supported layers")
    a = ap.parse_args()
    if not os.path.isdir(ORACLE):
        print("oracle: ../shared/oracle not present", file=sys.stderr)
        return 2
    sys.path.insert(0, ORACLE)
    try:
        import compare  # noqa: E402
    except ImportError as e:
        print("oracle: scapy is needed (pip install scapy): %s" % e, file=sys.stderr)
        return 2

    supported = set(compare.SUPPORTED)
    for x in a.extra_layers.split(","):
        if x == "pkt":
            names = subprocess.run([a.pkt, "ls", "--names"], capture_output=True, check=True)
            supported |= set(names.stdout.decode().split())
        elif x:
            supported.add(x)

    tot = defaultdict(int)
    per_layer = defaultdict(lambda: [0, 0])
    diffs = []
    files = 0
    for path in captures(a.paths):
        files += 1
        out = subprocess.run([a.pkt, "read", path, "--json"], capture_output=True)
        cand = {}
        for i, line in enumerate(out.stdout.decode("utf-8", "replace").splitlines()):
            try:
                r = json.loads(line)
                cand[r.get("n", i + 1)] = r
            except ValueError:
                tot["bad_lines"] += 1
        try:
            with contextlib.redirect_stderr(io.StringIO()):
                ref, _errs = compare.load_reference(path)
        except Exception:  # noqa: BLE001 - scapy could not read the file at all
            tot["files_scapy_failed"] += 1
            continue
        if a.all:
            kept = ref
        else:
            # "Valid packets of the supported protocols": scapy read every layer of the packet
            # with a class pkt implements, and without error.
            kept = [r for r in ref if not r.get("errors")
                    and all(l.get("layer") in supported for l in r.get("layers", []))]
            tot["packets_skipped"] += len(ref) - len(kept)
        st, d = compare.compare(kept, cand, supported, max_diffs=a.per_file)
        plain = []
        for r in kept:
            why = deliberate(r, cand.get(r["n"]))
            if why:
                tot["deliberate_" + why] += 1
            else:
                plain.append(r)
        st2, _ = compare.compare(plain, cand, supported, max_diffs=0)
        tot["plain_compared"] += st2["fields_compared"]
        tot["plain_agreeing"] += st2["fields_agreeing"]
        for k in ("packets", "missing_packets", "fields_compared",
                  "fields_agreeing", "layer_lists_matching"):
            tot[k] += st[k]
        for k, v in st["per_layer"].items():
            per_layer[k][0] += v["compared"]
            per_layer[k][1] += v["agreeing"]
        for x in d:
            x["file"] = os.path.basename(path)
            diffs.append(x)
    fc = tot["fields_compared"]
    pct = 100.0 * tot["fields_agreeing"] / fc if fc else 100.0
    print("files: %d   packets compared: %d (skipped as not all-supported or invalid: %d; "
          "missing from pkt: %d)" % (files, tot["packets"], tot["packets_skipped"],
                                      tot["missing_packets"]))
    print("layer lists matching: %d / %d" % (tot["layer_lists_matching"], tot["packets"]))
    print("fields agreeing: %d / %d = %.3f%%" % (tot["fields_agreeing"], fc, pct))
    pc = tot["plain_compared"]
    pct2 = 100.0 * tot["plain_agreeing"] / pc if pc else 100.0
    why = ", ".join("%s %d" % (k[len("deliberate_"):], v) for k, v in sorted(tot.items())
                    if k.startswith("deliberate_"))
    print("without deliberate differences (%s packets): %d / %d = %.3f%%" % (
        why or "no", tot["plain_agreeing"], pc, pct2))
    for k, (c, ok) in sorted(per_layer.items()):
        print("  %-24s %8d  %8.3f%%" % (k, c, 100.0 * ok / c if c else 100.0))
    for x in diffs[: a.show]:
        print("  %s n=%s %s.%s expected %s got %s" % (
            x["file"], x["n"], x["layer"], x["field"],
            json.dumps(x["expected"])[:80], json.dumps(x["got"])[:80]))
    if a.json:
        print(json.dumps({"files": files, "packets": tot["packets"], "fields": fc,
                          "agreeing": tot["fields_agreeing"], "pct": pct,
                          "pct_without_deliberate": pct2,
                          "per_layer": {k: {"fields": c, "agreeing": ok}
                                        for k, (c, ok) in sorted(per_layer.items())}}))
    return 1 if pct < a.min else 0


if __name__ == "__main__":
    sys.exit(main())
