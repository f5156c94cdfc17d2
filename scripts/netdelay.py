#!/usr/bin/env python3
"""netdelay.py - constant packet delay through an nfnetlink_queue (NFQUEUE) queue.

The pkt test lab (scripts/lab.sh) uses this when the kernel has no sch_netem.
It speaks the nfnetlink_queue protocol directly over a raw AF_NETLINK socket
(NETLINK_NETFILTER), with nothing but the Python standard library:

  1. bind queue Q (NFQNL_MSG_CONFIG / NFQNL_CFG_CMD_BIND), copy mode META
     (the packet body is never copied to user space), a queue maxlen, and the
     flags FAIL_OPEN (packets are accepted, not dropped, when the queue is
     full) and GSO (no segmentation of GSO packets just for us);
  2. for every queued packet (NFQNL_MSG_PACKET), note its id and push
     (arrival time + delay, id) on a heap;
  3. when a packet's release time is reached, send NFQNL_MSG_VERDICT with
     NF_ACCEPT for its id (verdicts may go out in any order of id).

Feed it with, e.g. inside the namespace that owns IFACE:

    iptables  -t mangle -A POSTROUTING -o IFACE -j NFQUEUE --queue-num Q --queue-bypass
    ip6tables -t mangle -A POSTROUTING -o IFACE -j NFQUEUE --queue-num Q --queue-bypass
    python3 scripts/netdelay.py --queue Q --delay 5 --ready-file /run/x.ready

--queue-bypass makes the kernel accept packets while no program is bound to
the queue, so traffic flows (undelayed) if this helper is not running.  Queue
numbers are per network namespace.

Once bound, the helper prints "ready" on stdout and, with --ready-file,
creates that file (containing its PID).  On SIGTERM/SIGINT/SIGHUP it accepts
every packet it still holds, unbinds and exits 0.

Accuracy: a packet is held from the moment the helper reads it; the path
kernel -> helper -> verdict adds about 0.1-0.3 ms per delayed hop on an idle
machine.  --realtime PRIO (SCHED_FIFO) and a 1 ns timer slack keep wake-ups
punctual when the CPUs are busy.
"""

import argparse
import errno
import heapq
import os
import select
import signal
import socket
import struct
import sys
import time

# --- constants from linux/netlink.h, linux/netfilter/nfnetlink*.h ---------
NETLINK_NETFILTER = 12
SOL_NETLINK = 270
NETLINK_NO_ENOBUFS = 5

NLMSG_ERROR = 2
NLM_F_REQUEST = 0x1
NLM_F_ACK = 0x4

NFNL_SUBSYS_QUEUE = 3
NFNETLINK_V0 = 0

NFQNL_MSG_PACKET = 0
NFQNL_MSG_VERDICT = 1
NFQNL_MSG_CONFIG = 2

# NFQA_CFG_* config attributes
NFQA_CFG_CMD = 1
NFQA_CFG_PARAMS = 2
NFQA_CFG_QUEUE_MAXLEN = 3
NFQA_CFG_MASK = 4
NFQA_CFG_FLAGS = 5

NFQNL_CFG_CMD_BIND = 1
NFQNL_CFG_CMD_UNBIND = 2

NFQNL_COPY_META = 1
NFQNL_COPY_PACKET = 2

NFQA_CFG_F_FAIL_OPEN = 1 << 0
NFQA_CFG_F_GSO = 1 << 2

# NFQA_* packet / verdict attributes
NFQA_PACKET_HDR = 1
NFQA_VERDICT_HDR = 2

NF_ACCEPT = 1

NLA_TYPE_MASK = 0x3FFF  # strip NLA_F_NESTED / NLA_F_NET_BYTEORDER

NLMSGHDR = struct.Struct("=IHHII")  # len, type, flags, seq, pid (host order)
NFGENMSG = struct.Struct("!BBH")  # family, version, res_id (big endian)
NLATTR = struct.Struct("=HH")  # len, type


def _align4(n):
    return (n + 3) & ~3


def nla(attr_type, payload):
    """Pack one netlink attribute, padded to 4 bytes."""
    length = NLATTR.size + len(payload)
    return NLATTR.pack(length, attr_type) + payload + b"\0" * (_align4(length) - length)


def nfq_msg(msg_type, queue, attrs, flags=NLM_F_REQUEST, seq=0, family=socket.AF_UNSPEC):
    """Build a complete nfnetlink_queue message (nlmsghdr + nfgenmsg + attrs)."""
    body = NFGENMSG.pack(family, NFNETLINK_V0, queue) + b"".join(attrs)
    hdr = NLMSGHDR.pack(NLMSGHDR.size + len(body), (NFNL_SUBSYS_QUEUE << 8) | msg_type, flags, seq, 0)
    return hdr + body


def parse_attrs(buf, off, end):
    """Yield (type, payload) for the netlink attributes in buf[off:end]."""
    while off + NLATTR.size <= end:
        length, attr_type = NLATTR.unpack_from(buf, off)
        if length < NLATTR.size:
            break
        yield attr_type & NLA_TYPE_MASK, buf[off + NLATTR.size:off + length]
        off += _align4(length)


class NetlinkError(Exception):
    pass


class DelayQueue:
    def __init__(self, queue, delay_ms, maxlen, copy_packet):
        self.queue = queue
        self.delay = delay_ms / 1000.0
        self.maxlen = maxlen
        self.copy_mode = NFQNL_COPY_PACKET if copy_packet else NFQNL_COPY_META
        self.seq = 0
        self.heap = []  # (release_monotonic_time, packet_id)
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
        # Big receive buffer: a burst of queued packets must not overflow it.
        for opt in (getattr(socket, "SO_RCVBUFFORCE", 33), socket.SO_RCVBUF):
            try:
                self.sock.setsockopt(socket.SOL_SOCKET, opt, 8 << 20)
                break
            except OSError:
                continue
        try:
            self.sock.setsockopt(SOL_NETLINK, NETLINK_NO_ENOBUFS, 1)
        except OSError:
            pass
        self.sock.bind((0, 0))
        self.sock.settimeout(5.0)  # configuration phase only; run() goes non-blocking

    # -- configuration -----------------------------------------------------
    def _request(self, attrs):
        """Send a config message with NLM_F_ACK and wait for the kernel's ack."""
        self.seq += 1
        seq = self.seq
        self.sock.send(nfq_msg(NFQNL_MSG_CONFIG, self.queue, attrs,
                               flags=NLM_F_REQUEST | NLM_F_ACK, seq=seq))
        deadline = time.monotonic() + 5.0
        while time.monotonic() < deadline:
            data = self.sock.recv(1 << 16)
            for msg_type, msg_seq, payload in self._messages(data):
                if msg_type == NLMSG_ERROR and msg_seq == seq:
                    (err,) = struct.unpack_from("=i", payload, 0)
                    if err:
                        raise NetlinkError(os.strerror(-err))
                    return
                if msg_type == (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET:
                    self._on_packet(payload)  # already queued to us: keep it
        raise NetlinkError("no ack from kernel")

    def bind(self):
        cmd = struct.pack("!BBH", NFQNL_CFG_CMD_BIND, 0, socket.AF_UNSPEC)
        self._request([nla(NFQA_CFG_CMD, cmd)])
        params = struct.pack("!IB", 0xFFFF, self.copy_mode)
        self._request([nla(NFQA_CFG_PARAMS, params)])
        self._request([nla(NFQA_CFG_QUEUE_MAXLEN, struct.pack("!I", self.maxlen))])
        flags = NFQA_CFG_F_FAIL_OPEN | NFQA_CFG_F_GSO
        try:
            self._request([nla(NFQA_CFG_FLAGS, struct.pack("!I", flags)),
                           nla(NFQA_CFG_MASK, struct.pack("!I", flags))])
        except NetlinkError as exc:  # old kernels: not fatal
            print(f"netdelay: queue flags not set: {exc}", file=sys.stderr)

    def unbind(self):
        cmd = struct.pack("!BBH", NFQNL_CFG_CMD_UNBIND, 0, socket.AF_UNSPEC)
        try:
            self.sock.send(nfq_msg(NFQNL_MSG_CONFIG, self.queue, [nla(NFQA_CFG_CMD, cmd)]))
        except OSError:
            pass

    # -- packet path --------------------------------------------------------
    @staticmethod
    def _messages(data):
        """Yield (type, seq, payload-after-nlmsghdr) for each message in data."""
        off = 0
        while off + NLMSGHDR.size <= len(data):
            length, msg_type, _flags, seq, _pid = NLMSGHDR.unpack_from(data, off)
            if length < NLMSGHDR.size:
                break
            yield msg_type, seq, data[off + NLMSGHDR.size:off + length]
            off += _align4(length)

    def _on_packet(self, payload):
        for attr_type, value in parse_attrs(payload, NFGENMSG.size, len(payload)):
            if attr_type == NFQA_PACKET_HDR:
                (packet_id,) = struct.unpack_from("!I", value, 0)
                heapq.heappush(self.heap, (time.monotonic() + self.delay, packet_id))
                return

    def _verdicts(self, ids):
        """Accept the given packet ids, in as few send() calls as practical."""
        batch = []
        for packet_id in ids:
            verdict = struct.pack("!II", NF_ACCEPT, packet_id)
            batch.append(nfq_msg(NFQNL_MSG_VERDICT, self.queue, [nla(NFQA_VERDICT_HDR, verdict)]))
            if len(batch) == 64:
                self.sock.send(b"".join(batch))
                batch = []
        if batch:
            self.sock.send(b"".join(batch))

    def release_due(self):
        now = time.monotonic()
        due = []
        while self.heap and self.heap[0][0] <= now:
            due.append(heapq.heappop(self.heap)[1])
        if due:
            self._verdicts(due)

    def release_all(self):
        ids = [packet_id for _t, packet_id in self.heap]
        self.heap = []
        if ids:
            self._verdicts(ids)

    def run(self, wakeup_fd):
        """Serve until a signal arrives (signal.set_wakeup_fd writes to wakeup_fd).

        select() is used for its microsecond timeout: poll()/epoll() round
        timeouts up to whole milliseconds, which would add ~0.5 ms per packet.
        """
        self.sock.setblocking(False)
        fds = [self.sock, wakeup_fd]
        while True:
            timeout = max(0.0, self.heap[0][0] - time.monotonic()) if self.heap else None
            readable, _, _ = select.select(fds, [], [], timeout)
            if readable:
                self._drain()
            if wakeup_fd in readable:
                break
            self.release_due()
        self.release_all()
        self.unbind()

    def _drain(self):
        """Read every pending netlink message and queue its packet."""
        while True:
            try:
                data = self.sock.recv(1 << 16)
            except BlockingIOError:
                return
            except OSError as exc:
                if exc.errno == errno.ENOBUFS:
                    continue  # lost notifications; fail-open covers it
                raise
            for msg_type, _seq, payload in self._messages(data):
                if msg_type == (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET:
                    self._on_packet(payload)


def set_timer_slack_ns(ns):
    """prctl(PR_SET_TIMERSLACK): wake up on time instead of up to 50 us late."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(29, ctypes.c_ulong(ns), 0, 0, 0)  # 29 = PR_SET_TIMERSLACK
    except (OSError, AttributeError):
        pass


def main():
    parser = argparse.ArgumentParser(description="Delay packets of an NFQUEUE queue by a constant time.")
    parser.add_argument("--queue", type=int, required=True, help="NFQUEUE queue number (0-65535)")
    parser.add_argument("--delay", type=float, required=True, help="delay in milliseconds")
    parser.add_argument("--maxlen", type=int, default=10000,
                        help="kernel queue length; beyond it packets pass undelayed (fail-open)")
    parser.add_argument("--copy-packet", action="store_true",
                        help="ask for COPY_PACKET instead of COPY_META (debugging only)")
    parser.add_argument("--realtime", type=int, default=0, metavar="PRIO",
                        help="run with SCHED_FIFO priority PRIO (1-99; default 0 = no)")
    parser.add_argument("--ready-file", help="create this file once the queue is bound")
    args = parser.parse_args()
    if not 0 <= args.queue <= 65535 or args.delay < 0:
        parser.error("bad --queue or --delay")

    # Signals only write a byte to this pipe; run() notices it and exits.
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_r, False)
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, lambda _signum, _frame: None)

    set_timer_slack_ns(1)
    if args.realtime:
        try:  # punctual wake-ups even when the CPUs are busy
            os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(args.realtime))
        except (OSError, AttributeError) as exc:
            print(f"netdelay: no SCHED_FIFO: {exc}", file=sys.stderr)
    dq = DelayQueue(args.queue, args.delay, args.maxlen, args.copy_packet)
    try:
        dq.bind()
    except NetlinkError as exc:
        print(f"netdelay: cannot bind queue {args.queue}: {exc}", file=sys.stderr)
        return 1
    if args.ready_file:
        tmp = args.ready_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(f"{os.getpid()}\n")
        os.replace(tmp, args.ready_file)
    print("ready", flush=True)
    try:
        dq.run(wake_r)
    finally:
        if args.ready_file:
            try:
                os.unlink(args.ready_file)
            except OSError:
                pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
