#!/usr/bin/env python3
"""Times iptkit's example tools against the iptables and nft tools, as whole
processes on identical input files, each sample in a fresh network namespace.

Needs root (it runs `unshare -n`), the iptables and nftables packages, GNU
time (/usr/bin/time, package `time`) for honest peak memory, and the example
binaries:

    cargo build --release --examples
    sudo benches/compare.py                 # every workload, 7 samples
    sudo benches/compare.py --quick         # 10k-rule workloads, 3 samples
    sudo benches/compare.py --only delete --samples 5
    sudo benches/compare.py --floor         # the kernel's share, under strace
    benches/compare.py --list               # the workloads, what each runs

How a sample is taken: this script starts itself again under `unshare -n`
(so nothing it does can reach the machine's firewall), sets the namespace up
untimed (for example loads the 10,000-rule table with iptables-legacy-restore),
then starts the one measured command and waits for it with wait4(): wall time
around spawn and wait, user and system time of the child, and its peak RSS.
Afterwards, untimed, it checks that the command did its work. Sides alternate
(iptkit, peer, iptkit, peer, ...) after one warm-up pair; medians are shown.

Why /usr/bin/time: a process started by Python inherits Python's peak RSS
(the kernel folds the old address space's high-water mark into ru_maxrss at
exec), which would hide every tool smaller than Python. So the measured command
is started by GNU time, whose own footprint is about 1 MiB; its %M is the peak
RSS shown, while wall, user and system time come from our own wait4 on it
(microseconds, not GNU time's hundredths). The launch overhead this adds is the
same on both sides and is printed in the header (the `/bin/true` line).

--floor runs each command under `strace -f -T -yy` instead and adds up the
time of its calls on the firewall's sockets (IPT_SO_* socket options, and
NETLINK_NETFILTER messages): what the kernel spends, the floor no tool can
go below. It shows the smallest of the samples (a busy machine only adds).
"""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_BIN = os.path.join(ROOT, "target", "release", "examples")
GNU_TIME = "/usr/bin/time"
CHAIN = "allow"
# The address block_ip and iptables -I block.
BLOCKED = "203.0.113.7"
# Rule numbers deleted by the delete workloads: every tenth of 10,000.
DELETED = range(0, 10_000, 10)


# ------------------------------------------------------------ rule files
# The shapes of benches/shared/ruleset.rs, so the Rust benches and this
# script work on the same rules.


def rule_spec(i):
    """Rule `i` of a large allow list, without `-A CHAIN`."""
    a, b = i // 256 % 256, i % 256
    if i % 3 == 0:
        return f"-s 10.{a}.{b}.0/24 -p tcp -m tcp --dport 22 -j ACCEPT"
    if i % 3 == 1:
        return f"-s 172.16.{a}.{b}/32 -i eth0 -j ACCEPT"
    return f"-d 192.168.{a}.{b}/32 -p udp -m udp --sport 53 -j DROP"


def big_ruleset(n, counters=False):
    """A filter table of `n` rules (plus two in INPUT), as big_ruleset() in
    ruleset.rs; with `counters`, every rule and policy has nonzero [p:b]."""

    def c(k):
        return f"[{k}:{k * 60}] " if counters else ""

    pol = "[7:420]" if counters else "[0:0]"
    lines = [
        "*filter",
        f":INPUT DROP {pol}",
        f":FORWARD DROP {pol}",
        f":OUTPUT ACCEPT {pol}",
        f":{CHAIN} - [0:0]",
        f"{c(3)}-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
        f"{c(2)}-A INPUT -j {CHAIN}",
    ]
    lines += [f"{c(i + 1)}-A {CHAIN} {rule_spec(i)}" for i in range(n)]
    lines.append("COMMIT")
    return "\n".join(lines) + "\n"


def restore_lines(lines):
    return "*filter\n" + "".join(line + "\n" for line in lines) + "COMMIT\n"


def write_inputs(work, sizes):
    """The input files both sides read, written once per run."""
    files = {}
    for n in sizes:
        files[f"rules-{n}"] = big_ruleset(n)
    files["counters-10000"] = big_ruleset(10_000, counters=True)
    files["insert-1"] = restore_lines([f"-I {CHAIN} {rule_spec(10_000)}"])
    files["delete-1k"] = restore_lines(f"-D {CHAIN} {rule_spec(i)}" for i in DELETED)
    files["append-20k"] = restore_lines(
        f"-A {CHAIN} {rule_spec(i)}" for i in range(10_000, 30_000)
    )
    for name, text in files.items():
        with open(os.path.join(work, name), "w") as f:
            f.write(text)


# ------------------------------------------------------------ workloads


class Workload:
    """One comparison: the same job done by iptkit (`ours`) and by a peer,
    each from the same untimed `setup`, each checked by `check` afterwards.

    Commands are argv lists; `{bin}/`, `{work}/` and `{sample}/` in their
    words become the example binaries' directory, the directory of input
    files, and the sample's own scratch directory."""

    def __init__(self, name, what, ours, peer, setup=(), check=None, size=10_000):
        self.name, self.what = name, what
        self.ours, self.peer = ours, peer
        self.setup, self.check, self.size = list(setup), check, size

    def peer_name(self):
        return os.path.basename(self.peer[0])


def legacy_load(file):
    return ["iptables-legacy-restore", "{work}/" + file]


def nft_load(file):
    return ["iptables-nft-restore", "{work}/" + file]


def workloads(sizes):
    w = []
    for n in sizes:
        k = f"{n // 1000}k"
        w.append(Workload(
            f"load-{k}-legacy",
            f"load a {n}-rule filter table into an empty namespace",
            ["{bin}/restore", "--backend", "legacy", f"{{work}}/rules-{n}"],
            ["iptables-legacy-restore", f"{{work}}/rules-{n}"],
            check=("legacy", {CHAIN: n}), size=n))
        w.append(Workload(
            f"load-{k}-nft",
            f"load a {n}-rule filter table into an empty namespace",
            ["{bin}/restore", "--backend", "nft", f"{{work}}/rules-{n}"],
            ["iptables-nft-restore", f"{{work}}/rules-{n}"],
            check=("nft", {CHAIN: n}), size=n))
        w.append(Workload(
            f"load-{k}-nft-native",
            f"load the same {n} rules; the peer loads nft's own listing of them "
            "(native nft rules, which iptables-nft cannot read back)",
            ["{bin}/restore", "--backend", "nft", f"{{work}}/rules-{n}"],
            ["nft", "-f", f"{{work}}/rules-{n}.nft"],
            check=("nft-native", {CHAIN: n}), size=n))
    w += [
        Workload(
            "insert-head-legacy",
            "insert one rule at the head of the 10,000-rule chain",
            ["{bin}/restore", "-n", "--backend", "legacy", "{work}/insert-1"],
            ["iptables-legacy", "-I", CHAIN] + rule_spec(10_000).split(),
            setup=[legacy_load("rules-10000")],
            check=("legacy", {CHAIN: 10_001}, (CHAIN, 0, rule_spec(10_000)))),
        Workload(
            "insert-head-nft",
            "insert one rule at the head of the 10,000-rule chain",
            ["{bin}/restore", "-n", "--backend", "nft", "{work}/insert-1"],
            ["iptables-nft", "-I", CHAIN] + rule_spec(10_000).split(),
            setup=[nft_load("rules-10000")],
            check=("nft", {CHAIN: 10_001}, (CHAIN, 0, rule_spec(10_000)))),
        Workload(
            "block-ip-legacy",
            f"block {BLOCKED}: a DROP at the head of INPUT (10,000-rule table)",
            ["{bin}/block_ip", "--backend", "legacy", BLOCKED],
            ["iptables-legacy", "-I", "INPUT", "-s", BLOCKED, "-j", "DROP"],
            setup=[legacy_load("rules-10000")],
            check=("legacy", {"INPUT": 3}, ("INPUT", 0, f"-s {BLOCKED}/32 -j DROP"))),
        Workload(
            "block-ip-nft",
            f"block {BLOCKED}: a DROP at the head of INPUT (10,000-rule table)",
            ["{bin}/block_ip", "--backend", "nft", BLOCKED],
            ["iptables-nft", "-I", "INPUT", "-s", BLOCKED, "-j", "DROP"],
            setup=[nft_load("rules-10000")],
            check=("nft", {"INPUT": 3}, ("INPUT", 0, f"-s {BLOCKED}/32 -j DROP"))),
        Workload(
            "delete-1k-legacy",
            "delete 1,000 of the 10,000 rules, named by their specs (-D lines)",
            ["{bin}/restore", "-n", "--backend", "legacy", "{work}/delete-1k"],
            ["iptables-legacy-restore", "-n", "{work}/delete-1k"],
            setup=[legacy_load("rules-10000")],
            check=("legacy", {CHAIN: 9_000}, (CHAIN, 0, rule_spec(1)))),
        Workload(
            "delete-1k-nft",
            "delete 1,000 of the 10,000 rules, named by their specs (-D lines)",
            ["{bin}/restore", "-n", "--backend", "nft", "{work}/delete-1k"],
            ["iptables-nft-restore", "-n", "{work}/delete-1k"],
            setup=[nft_load("rules-10000")],
            check=("nft", {CHAIN: 9_000}, (CHAIN, 0, rule_spec(1)))),
        Workload(
            "delete-1k-nft-native",
            "the same 1,000 deletes; the peer is nft -f with `delete rule ... "
            "handle H` lines (handles looked up in the setup, untimed)",
            ["{bin}/restore", "-n", "--backend", "nft", "{work}/delete-1k"],
            ["nft", "-f", "{sample}/delete-1k.nft"],
            setup=[nft_load("rules-10000"), "nft-handles"],
            check=("nft", {CHAIN: 9_000}, (CHAIN, 0, rule_spec(1)))),
    ]
    for n in sizes:
        k = f"{n // 1000}k"
        w.append(Workload(
            f"save-{k}-legacy",
            f"print the {n}-rule filter table (to a file)",
            ["{bin}/save", "--backend", "legacy", "-t", "filter"],
            ["iptables-legacy-save", "-t", "filter"],
            setup=[legacy_load(f"rules-{n}")],
            check=("output", n + 2), size=n))
        w.append(Workload(
            f"save-{k}-nft",
            f"print the {n}-rule filter table (to a file)",
            ["{bin}/save", "--backend", "nft", "-t", "filter"],
            ["iptables-nft-save", "-t", "filter"],
            setup=[nft_load(f"rules-{n}")],
            check=("output", n + 2), size=n))
    w += [
        Workload(
            "noflush-counters-legacy",
            "restore -n of 20,000 appended rules onto 10,000 rules with "
            "counters, which must keep them",
            ["{bin}/restore", "-n", "--backend", "legacy", "{work}/append-20k"],
            ["iptables-legacy-restore", "-n", "{work}/append-20k"],
            setup=[["iptables-legacy-restore", "-c", "{work}/counters-10000"]],
            check=("legacy-counters", {CHAIN: 30_000}, (CHAIN, 0, "[1:60]"))),
        Workload(
            "noflush-counters-nft",
            "restore -n of 20,000 appended rules onto 10,000 rules with "
            "counters, which must keep them",
            ["{bin}/restore", "-n", "--backend", "nft", "{work}/append-20k"],
            ["iptables-nft-restore", "-n", "{work}/append-20k"],
            setup=[["iptables-nft-restore", "-c", "{work}/counters-10000"]],
            check=("nft-counters", {CHAIN: 30_000}, (CHAIN, 0, "[1:60]"))),
    ]
    return w


# ------------------------------------------------------------ one sample
# Everything below runs in the child, inside its private namespace.


class Sample:
    def __init__(self, work, sample, bin_dir):
        self.work, self.sample, self.bin = work, sample, bin_dir

    def argv(self, words):
        out = [
            w.replace("{bin}", self.bin)
            .replace("{work}", self.work)
            .replace("{sample}", self.sample)
            for w in words
        ]
        # Peers are resolved to full paths so no PATH search is timed.
        if "/" not in out[0]:
            out[0] = tool_path(out[0])
        return out

    def run(self, words):
        """Runs an untimed command; its stdout."""
        argv = self.argv(words)
        p = subprocess.run(argv, capture_output=True, text=True)
        if p.returncode != 0:
            raise SystemExit(f"{' '.join(argv)}: exit {p.returncode}: {p.stderr.strip()}")
        return p.stdout

    def nft_handles(self):
        """The delete file for nft -f: the handles of the rules delete-1k
        names. The chain holds rule i at position i."""
        listing = self.run(["nft", "-a", "list", "chain", "ip", "filter", CHAIN])
        handles = [
            line.rsplit("# handle ", 1)[1]
            for line in listing.splitlines()
            if "# handle " in line and not line.strip().startswith("chain ")
        ]
        with open(os.path.join(self.sample, "delete-1k.nft"), "w") as f:
            for i in DELETED:
                f.write(f"delete rule ip filter {CHAIN} handle {handles[i]}\n")

    def measure(self, words, floor=False):
        """Runs the measured command under GNU time; wall, user and system
        seconds from our wait4, peak RSS in KiB from GNU time. With `floor`,
        runs it under strace instead: the time it spent in calls on the
        firewall's sockets."""
        argv = self.argv(words)
        out, err = os.path.join(self.sample, "out"), os.path.join(self.sample, "err")
        stat = os.path.join(self.sample, "stat")
        actions = [
            (os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0),
            (os.POSIX_SPAWN_OPEN, 1, out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
            (os.POSIX_SPAWN_OPEN, 2, err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
        ]
        if floor:
            # -yy names each call's socket, so the calls on the firewall's
            # sockets can be told from the rest (iptables' port parsing asks
            # getaddrinfo, which talks to NETLINK_ROUTE for every udp rule).
            wrap = [tool_path("strace"), "-f", "-T", "-yy", "-e", "trace=" + FIREWALL_CALLS,
                    "-o", stat]
        else:
            wrap = [GNU_TIME, "-f", "%M", "-o", stat]
        full = wrap + ["--"] + argv
        start = time.perf_counter()
        pid = os.posix_spawn(full[0], full, os.environ, file_actions=actions)
        _, status, usage = os.wait4(pid, 0)
        wall = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            with open(err) as f:
                raise SystemExit(f"{' '.join(argv)}: failed: {f.read().strip()}")
        with open(stat) as f:
            text = f.read()
        if floor:
            return socket_time(text)
        rss = int(text.split()[-1])
        return {"wall": wall, "user": usage.ru_utime, "sys": usage.ru_stime, "rss": rss}

    def rules(self, how):
        """Chain -> its rules as the peer's save prints them (the words after
        `-A CHAIN `), or with `counters` in `how`, each rule's `[p:b]`."""
        tool = "iptables-legacy-save" if how.startswith("legacy") else "iptables-nft-save"
        counters = ["-c"] if how.endswith("counters") else []
        chains = {}
        for line in self.run([tool, "-t", "filter"] + counters).splitlines():
            prefix = ""
            if line.startswith("["):
                prefix, line = line.split(" ", 1)
            if line.startswith("-A "):
                chain, rest = line[3:].split(" ", 1)
                chains.setdefault(chain, []).append(prefix if counters else rest)
        return chains

    def check(self, check):
        """Checks that the measured command did its work."""
        kind = check[0]
        if kind == "output":
            with open(os.path.join(self.sample, "out")) as f:
                got = sum(1 for line in f if line.startswith("-A "))
            if got != check[1]:
                raise SystemExit(f"check: output has {got} rules, {check[1]} expected")
            return
        if kind == "nft-native":
            # Either side's rules, counted in nft's own listing.
            listing = self.run(["nft", "list", "chain", "ip", "filter", CHAIN])
            got = sum(1 for line in listing.splitlines() if " counter " in line)
            if got != check[1][CHAIN]:
                raise SystemExit(f"check: {CHAIN} has {got} rules, {check[1][CHAIN]} expected")
            return
        chains = self.rules(kind)
        for chain, want in check[1].items():
            got = len(chains.get(chain, []))
            if got != want:
                raise SystemExit(f"check: {chain} has {got} rules, {want} expected")
        if len(check) > 2:
            chain, pos, want = check[2]
            got = chains[chain][pos]
            if got != want:
                raise SystemExit(f"check: rule {pos} of {chain} is `{got}`, `{want}` expected")


# The calls that talk to the firewall: the IPT_SO_* socket options of a raw
# IP socket (legacy) and messages on a NETLINK_NETFILTER socket (nf_tables).
FIREWALL_CALLS = "getsockopt,setsockopt,sendmsg,recvmsg,sendto,recvfrom"
STRACE_LINE = re.compile(r"^\d+ +(\w+)\(\d+<(RAW|NETLINK:\[NETFILTER)[^>]*>.*<([\d.]+)>$")


def socket_time(trace):
    """Seconds and calls per syscall on the firewall's sockets, from
    `strace -f -T -yy` output, and their total."""
    result = {"kernel": 0.0, "calls": 0, "by": {}}
    for line in trace.splitlines():
        m = STRACE_LINE.match(line)
        if not m:
            continue
        name, secs = m.group(1), float(m.group(3))
        result["kernel"] += secs
        result["calls"] += 1
        by = result["by"].setdefault(name, [0.0, 0])
        by[0] += secs
        by[1] += 1
    return result


def run_sample(args):
    """One sample in this (fresh) namespace: setup, measure, check. Prints
    the measurement as one JSON line."""
    if os.readlink("/proc/self/ns/net") == args.host_ns:
        raise SystemExit("refusing to run: not in a private network namespace")
    sample = tempfile.mkdtemp(prefix="sample-", dir=args.work)
    s = Sample(args.work, sample, args.bin)
    try:
        if args.sample == "true":
            print(json.dumps(s.measure(["/bin/true"])))
            return
        if args.sample == "prep-nft":
            # nft's own text of the rule files, for the native load.
            for n in args.sizes:
                s.run(nft_load(f"rules-{n}"))
                text = s.run(["nft", "list", "ruleset"])
                s.run(["nft", "flush", "ruleset"])
                with open(os.path.join(args.work, f"rules-{n}.nft"), "w") as f:
                    f.write(text)
            return
        w = next(w for w in workloads(args.sizes) if w.name == args.sample)
        for step in w.setup:
            if step == "nft-handles":
                s.nft_handles()
            else:
                s.run(step)
        result = s.measure(w.ours if args.side == "iptkit" else w.peer, args.floor)
        if w.check:
            s.check(w.check)
        print(json.dumps(result))
    finally:
        shutil.rmtree(sample, ignore_errors=True)


# ------------------------------------------------------------ the parent


def tool_path(name):
    path = shutil.which(name, path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin")
    if not path:
        raise SystemExit(f"`{name}` is not installed (apt-get install iptables nftables)")
    return path


def sample(args, name, side=""):
    """Runs one sample in a fresh namespace; its measurement."""
    cmd = ["unshare", "-n", sys.executable, os.path.abspath(__file__),
           "--sample", name, "--side", side, "--work", args.work, "--bin", args.bin,
           "--host-ns", os.readlink("/proc/self/ns/net"),
           "--sizes", ",".join(map(str, args.sizes))] + (["--floor"] if args.floor else [])
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(p.stderr.strip() or f"exit {p.returncode}")
    return json.loads(p.stdout) if p.stdout.strip() else None


def med(samples, key):
    return statistics.median(s[key] for s in samples)


def header(args, launch):
    def out(argv):
        try:
            return subprocess.run(argv, capture_output=True, text=True).stdout.strip()
        except OSError:
            return "?"

    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    commit = out(["git", "-C", ROOT, "describe", "--always", "--dirty"])
    return "\n".join([
        f"iptkit {commit} vs the iptables tools, {datetime.date.today().isoformat()}",
        "",
        f"- kernel {platform.release()}, {out([tool_path('iptables-legacy'), '--version'])}, "
        f"{out([tool_path('nft'), '--version'])}",
        f"- CPU {cpu}, {os.cpu_count()} cores, load average at start "
        f"{os.getloadavg()[0]:.2f}",
        f"- {'best' if launch is None else 'median'} of {args.samples} samples per side "
        "after one warm-up pair, each in a fresh network namespace",
        "- time in calls on the firewall's sockets, entry to exit (strace -f -T -yy), ms"
        if launch is None else
        "- time in ms, memory is peak RSS in MiB; launch overhead in every number "
        f"(GNU time starting /bin/true): {launch['wall'] * 1e3:.1f} ms wall, "
        f"{(launch['user'] + launch['sys']) * 1e3:.1f} ms cpu",
        "",
    ])


def row(w, ours, peer):
    def ms(x):
        return f"{x * 1e3:.1f}"

    def cpu(s):
        return f"{ms(med(s, 'user') + med(s, 'sys'))} ({ms(med(s, 'sys'))})"

    def mib(s):
        return f"{med(s, 'rss') / 1024:.1f}"

    ratio = med(ours, "wall") / med(peer, "wall")
    return (f"| {w.name} | {w.peer_name()} | {ms(med(ours, 'wall'))} | {ms(med(peer, 'wall'))} "
            f"| {ratio:.2f} | {cpu(ours)} | {cpu(peer)} | {mib(ours)} | {mib(peer)} |")


def floor_row(w, ours, peer):
    # The least disturbed sample: on a busy machine a long call is preempted
    # and its time grows, it never shrinks.
    ours, peer = (min(s, key=lambda x: x["kernel"]) for s in (ours, peer))

    def total(s):
        return f"{s['kernel'] * 1e3:.1f} ({s['calls']})"

    def by(s):
        calls = sorted(s["by"].items(), key=lambda kv: -kv[1][0])[:3]
        return ", ".join(f"{name} {secs * 1e3:.1f}/{n}" for name, (secs, n) in calls)

    return f"| {w.name} | {w.peer_name()} | {total(ours)} | {total(peer)} | {by(ours)} | {by(peer)} |"


FLOOR_HEAD = """\
| workload | peer | iptkit kernel ms (calls) | peer kernel ms (calls) | iptkit: ms/calls | peer: ms/calls |
|---|---|--:|--:|---|---|"""

TABLE_HEAD = """\
| workload | peer | iptkit ms | peer ms | iptkit/peer | iptkit cpu (sys) ms | peer cpu (sys) ms | iptkit MiB | peer MiB |
|---|---|--:|--:|--:|--:|--:|--:|--:|"""


def main():
    p = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--samples", type=int, help="samples per side (default 7; 3 with --quick)")
    p.add_argument("--only", action="append", metavar="PATTERN",
                   help="only workloads whose name contains PATTERN (repeatable)")
    p.add_argument("--quick", action="store_true",
                   help="3 samples, and only the 10,000-rule sizes")
    p.add_argument("--list", action="store_true", help="list the workloads and exit")
    p.add_argument("--floor", action="store_true",
                   help="instead of timing, run each command under strace -T and show "
                   "the time spent in calls on the firewall's sockets (the kernel's share)")
    p.add_argument("--bin", default=DEFAULT_BIN,
                   help="iptkit's example binaries (default target/release/examples)")
    # Internal: one sample, run by the script itself under unshare -n.
    p.add_argument("--sample", help=argparse.SUPPRESS)
    p.add_argument("--side", help=argparse.SUPPRESS)
    p.add_argument("--work", help=argparse.SUPPRESS)
    p.add_argument("--host-ns", help=argparse.SUPPRESS)
    p.add_argument("--sizes", help=argparse.SUPPRESS)
    args = p.parse_args()

    if args.sample:
        args.sizes = [int(n) for n in args.sizes.split(",")]
        run_sample(args)
        return

    args.sizes = [10_000] if args.quick else [10_000, 50_000]
    if args.samples is None:
        args.samples = 3 if args.quick else 7
    chosen = [w for w in workloads(args.sizes)
              if not args.only or any(o in w.name for o in args.only)]
    if args.list:
        for w in chosen:
            print(f"{w.name}\n    {w.what}\n    iptkit: {' '.join(w.ours)}\n"
                  f"    peer:   {' '.join(w.peer)}")
        return
    if os.geteuid() != 0:
        raise SystemExit("compare.py needs root (it runs every sample under unshare -n)")
    for tool in ("restore", "save", "block_ip"):
        if not os.access(os.path.join(args.bin, tool), os.X_OK):
            raise SystemExit(f"{args.bin}/{tool} missing: run `cargo build --release --examples`")
    if not os.access(GNU_TIME, os.X_OK):
        raise SystemExit(f"{GNU_TIME} missing (apt-get install time)")
    for tool in ("iptables-legacy", "iptables-nft", "nft", "unshare") + (
            ("strace",) if args.floor else ()):
        tool_path(tool)

    args.work = tempfile.mkdtemp(prefix="iptkit-compare-")
    # Every iptables and iptkit process of the run takes this lock, not the
    # machine's: other jobs on the machine neither block nor skew a sample.
    os.environ["XTABLES_LOCKFILE"] = os.path.join(args.work, "xtables.lock")
    failed = False
    try:
        write_inputs(args.work, args.sizes)
        if any(w.name.endswith("nft-native") for w in chosen):
            sample(args, "prep-nft")
        if args.floor:
            lines = [header(args, None), FLOOR_HEAD]
        else:
            launch = [sample(args, "true") for _ in range(args.samples)]
            launch = {k: med(launch, k) for k in launch[0]}
            lines = [header(args, launch), TABLE_HEAD]
        for w in chosen:
            print(f"{w.name}: ", end="", file=sys.stderr, flush=True)
            runs = {"iptkit": [], "peer": []}
            try:
                for i in range(args.samples + 1):
                    for side in ("iptkit", "peer"):
                        s = sample(args, w.name, side)
                        if i > 0:  # the first pair warms up
                            runs[side].append(s)
                    print(".", end="", file=sys.stderr, flush=True)
                lines.append((floor_row if args.floor else row)(w, runs["iptkit"], runs["peer"]))
                print(" " + lines[-1], file=sys.stderr)
            except RuntimeError as e:
                failed = True
                print(f" FAILED: {e}", file=sys.stderr)
                lines.append(f"| {w.name} | {w.peer_name()} | failed: {e} | | | | | | |")
        print("\n".join(lines))
    finally:
        shutil.rmtree(args.work, ignore_errors=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
