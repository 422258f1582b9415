#!/usr/bin/env python3
"""Where the plugin's resident memory goes: runs one harness scenario with the published binary,
samples /proc/PID/smaps of the plugin until the workload ends, and prints the last sample (taken at
most 0.2 s before the plugin exited) grouped by kind of mapping.

    flock /tmp/resmgrlite-bench.lock python3 tests/bench/rss_breakdown.py [--binary out/resmgrlite]
        [--config FILE] [--version v061|v012] [-- harness flags, default -n 1000 -c 2]

Groups: the binary's own pages (code, read-only data, writable data), the main thread's stack,
glibc's brk heap, the GC's reserved range (anonymous mappings of 1 GiB and more), glibc malloc
arenas (64 MiB reservations), and the remaining anonymous mappings (thread stacks, runtime data)."""
import argparse, os, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HARNESS = os.path.join(os.path.dirname(ROOT), "shared", "tools", "nri-harness", "bin")


def parse_smaps(text, binary):
    groups, maps, current = {}, [], None
    for line in text.splitlines():
        fields = line.split()
        if not fields:
            continue
        if "-" in fields[0] and ":" not in fields[0]:
            lo, hi = (int(x, 16) for x in fields[0].split("-"))
            path = fields[5] if len(fields) > 5 else ""
            current = {"size_kb": (hi - lo) // 1024, "perms": fields[1], "path": path, "rss_kb": 0}
            maps.append(current)
        elif fields[0] == "Rss:" and current is not None:
            current["rss_kb"] = int(fields[1])
    for m in maps:
        path, perms, size = m["path"], m["perms"], m["size_kb"]
        if path == binary or (path and os.path.basename(path) == os.path.basename(binary)):
            kind = {"r-x": "image code", "r--": "image read-only data", "rw-": "image writable data"}.get(perms[:3], "image other")
        elif path == "[stack]":
            kind = "main thread stack"
        elif path == "[heap]":
            kind = "glibc brk heap"
        elif path.startswith("["):
            kind = path
        elif path:
            kind = "file " + path
        elif size >= 1024 * 1024:
            kind = "GC heap (reserved range)"
        elif size in (65536, 131072) or (perms.startswith("---") and size > 60000):
            kind = "glibc malloc arenas"
        else:
            kind = "other anonymous (thread stacks, runtime)"
        g = groups.setdefault(kind, [0, 0])
        g[0] += m["rss_kb"]
        g[1] += 1
    return groups, maps


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--binary", default=os.path.join(ROOT, "out", "resmgrlite"))
    p.add_argument("--config", help="plugin configuration (TOML); default: every manager off")
    p.add_argument("--version", default="v061")
    p.add_argument("harness_args", nargs="*", default=["-n", "1000", "-c", "2"])
    a = p.parse_args()
    if not os.path.isdir(HARNESS):
        print(f"rss_breakdown: {HARNESS} is absent", file=sys.stderr)
        return 3
    binary = os.path.abspath(a.binary)
    work = tempfile.mkdtemp(prefix="resmgrlite-rss-")
    conf = a.config or os.path.join(work, "plugin.conf")
    if not a.config:
        with open(conf, "w") as f:
            f.write(f'[state]\ndirectory = "{work}/state"\n')
    cmd = [os.path.join(HARNESS, f"nri-runtime-harness-{a.version}"), "-plugin", binary, "-name", "resmgrlite",
           "-idx", "90", "-plugin-config", conf, "-summary-out", os.path.join(work, "summary.json"),
           "-adjust-out", os.path.join(work, "adjust.jsonl")] + a.harness_args
    harness = subprocess.Popen(cmd, cwd=work, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    pid, last, first = None, None, None
    while harness.poll() is None:
        if pid is None:
            try:
                children = open(f"/proc/{harness.pid}/task/{harness.pid}/children").read().split()
                pid = int(children[0]) if children else None
            except OSError:
                pass
        if pid is not None:
            try:
                snapshot = open(f"/proc/{pid}/smaps").read()
                status = open(f"/proc/{pid}/status").read()
                last = (snapshot, status)
                first = first or last
            except OSError:
                pass
        time.sleep(0.2)
    out = harness.stdout.read()
    print("\n".join(l for l in out.splitlines() if l.startswith(("plugin pid", "result", "workload"))))
    if last is None:
        print("rss_breakdown: no sample of the plugin was taken", file=sys.stderr)
        return 1
    for title, (smaps, status) in (("first sample (after registration)", first), ("last sample (end of the workload)", last)):
        groups, _ = parse_smaps(smaps, binary)
        total = sum(g[0] for g in groups.values())
        threads = next((l.split()[1] for l in status.splitlines() if l.startswith("Threads:")), "?")
        print(f"\n{title}: RSS {total:,} KiB in {sum(g[1] for g in groups.values())} mappings, {threads} threads")
        for kind, (rss, n) in sorted(groups.items(), key=lambda kv: -kv[1][0]):
            if rss:
                print(f"  {rss:>8,} KiB  {kind} ({n} mappings)")
    _, maps = parse_smaps(last[0], binary)
    print("\nlargest resident mappings at the end:")
    for m in sorted(maps, key=lambda m: -m["rss_kb"])[:12]:
        print(f"  {m['rss_kb']:>8,} KiB of {m['size_kb']:>10,} KiB {m['perms']} {m['path']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
