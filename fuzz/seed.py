#!/usr/bin/env python3
"""Seeds the pkt `dissect` fuzz corpus from pcap/pcapng files.

Each seed is [selector, snap, frame...]: selector = index of the file's link type in the fuzz
target's LINKTYPES, snap = min(orig_len - caplen, 255) (0 when not cut by a snap length).
Usage: python3 fuzz/seed.py SRC_DIR OUT_DIR [MAX_SEEDS] [MAX_PER_FILE]
"""
import hashlib, os, struct, sys

LINKTYPES = [1, 113, 276, 0, 108, 101, 228, 229, 105]
ALIASES = {12: 101, 14: 101}


def pcap_packets(b):
    magic = b[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        return
    linktype = struct.unpack(e + "I", b[20:24])[0] & 0x0FFFFFFF
    off = 24
    while off + 16 <= len(b):
        _, _, incl, orig = struct.unpack(e + "IIII", b[off:off + 16])
        off += 16
        if off + incl > len(b):
            break
        yield linktype, b[off:off + incl], orig
        off += incl


def pcapng_packets(b):
    off, e, ifaces = 0, "<", []
    while off + 12 <= len(b):
        btype = struct.unpack(e + "I", b[off:off + 4])[0]
        if btype == 0x0A0D0D0A:
            bom = b[off + 8:off + 12]
            e = "<" if bom == b"\x4d\x3c\x2b\x1a" else ">"
            ifaces = []
        blen = struct.unpack(e + "I", b[off + 4:off + 8])[0]
        if blen < 12 or off + blen > len(b):
            break
        body = b[off + 8:off + blen - 4]
        if btype == 1 and len(body) >= 8:
            lt, _, snap = struct.unpack(e + "HHI", body[:8])
            ifaces.append((lt, snap))
        elif btype == 6 and len(body) >= 20:
            iface, _, _, cap, orig = struct.unpack(e + "IIIII", body[:20])
            if iface < len(ifaces):
                yield ifaces[iface][0], body[20:20 + cap], orig
        elif btype == 3 and len(body) >= 4 and ifaces:
            orig = struct.unpack(e + "I", body[:4])[0]
            lt, snap = ifaces[0]
            cap = min(orig, len(body) - 4, snap or 1 << 32)
            yield lt, body[4:4 + cap], orig
        elif btype == 2 and len(body) >= 20:
            iface, _, _, _, cap, orig = struct.unpack(e + "HHIIII", body[:20])
            if iface < len(ifaces):
                yield ifaces[iface][0], body[20:20 + cap], orig
        off += blen


def main():
    src, out = sys.argv[1], sys.argv[2]
    max_seeds = int(sys.argv[3]) if len(sys.argv) > 3 else 4000
    per_file = int(sys.argv[4]) if len(sys.argv) > 4 else 8
    os.makedirs(out, exist_ok=True)
    per = []
    for name in sorted(os.listdir(src)):
        with open(os.path.join(src, name), "rb") as f:
            b = f.read()
        gen = pcapng_packets(b) if b[:4] == b"\x0a\x0d\x0d\x0a" else pcap_packets(b)
        seeds = []
        try:
            for lt, frame, orig in gen:
                lt = ALIASES.get(lt, lt)
                if lt not in LINKTYPES:
                    continue
                snap = min(max(orig - len(frame), 0), 255)
                seeds.append(bytes([LINKTYPES.index(lt), snap]) + frame)
                if len(seeds) >= per_file:
                    break
        except struct.error:
            pass
        per.append(seeds)
    # Round robin over the files, so every file gets in before any gets many.
    seen, n, i = set(), 0, 0
    while n < max_seeds and any(i < len(s) for s in per):
        for s in per:
            if i < len(s) and n < max_seeds:
                h = hashlib.sha1(s[i]).hexdigest()
                if h not in seen:
                    seen.add(h)
                    with open(os.path.join(out, h), "wb") as f:
                        f.write(s[i])
                    n += 1
        i += 1
    print(f"{n} seeds from {sum(1 for s in per if s)} files into {out}")


if __name__ == "__main__":
    main()
