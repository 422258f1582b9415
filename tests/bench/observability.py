#!/usr/bin/env python3
"""RSS cost of the metrics endpoint, measured on the published binary as containerd starts it.

    python3 tests/bench/observability.py out/resmgrlite [runs] [BASELINE_BINARY]
        pre-launched plugin (fd 3, only the NRI_PLUGIN_* variables), static CPU policy; RSS after
        Configure with the endpoint off, and with it on after 10 scrapes; alternating, medians.
        With a baseline binary (e.g. main's, which has no endpoint), its RSS after the same
        Configure is measured in the same rounds, side by side.
    python3 tests/bench/observability.py --demo BINARY [BINARY ...]
        scratch binaries with a hidden 'metrics-demo PORT' command (docs/benchmarks.md, "Metrics
        and logging"): RSS after 10 scrapes, medians of 5 runs each.

Run under `flock /tmp/resmgrlite-bench.lock` so that measurements do not disturb each other."""
import os, socket, statistics, subprocess, sys, tempfile, time, urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from startup import frame, ttrpc, read_frame, rss_kib  # the same runtime side as the start-up bench

def varint(n):
    out = b""
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])

def field_bytes(number, value):
    # startup.py's one-byte lengths are too short for configurations with a metrics section.
    return varint(number << 3 | 2) + varint(len(value)) + value

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

def scrape(port, times=10):
    for _ in range(times):
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
            r.read()

def plugin_once(binary, metrics_on, state_dir):
    port = free_port()
    config = f'[state]\ndirectory = "{state_dir}"\n[cpuManager]\npolicy = "static"\nreservedSystemCPUs = "0"\n[log]\ntarget = "/dev/null"\n'
    if metrics_on:
        config += f'[metrics]\nlistenAddress = "127.0.0.1:{port}"\n'
    runtime, plugin = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    env = {"NRI_PLUGIN_NAME": "resmgrlite", "NRI_PLUGIN_IDX": "90", "NRI_PLUGIN_SOCKET": "3"}
    child = subprocess.Popen([binary], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, close_fds=False,
                             preexec_fn=lambda: os.dup2(plugin.fileno(), 3))
    plugin.close()
    read_frame(runtime)                                # RegisterPlugin
    runtime.sendall(frame(2, ttrpc(1, 2, b"")))
    request = field_bytes(1, config.encode()) + field_bytes(2, b"containerd") + field_bytes(3, b"1.7.24~ds1")
    envelope = field_bytes(1, b"nri.pkg.api.v1alpha1.Plugin") + field_bytes(2, b"Configure") + field_bytes(3, request)
    runtime.sendall(frame(1, ttrpc(1, 1, envelope)))
    read_frame(runtime)                                # ConfigureResponse
    time.sleep(0.2)
    if metrics_on:
        scrape(port)
        time.sleep(0.2)
    rss = rss_kib(child.pid)
    runtime.close()
    child.wait(timeout=10)
    return rss

def demo_once(binary):
    port = free_port()
    child = subprocess.Popen([binary, "metrics-demo", str(port)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True)
    child.stdout.readline()                            # "ready"
    if "base" not in binary:
        scrape(port)
    time.sleep(0.3)
    rss = rss_kib(child.pid)
    child.stdin.close()
    child.wait(timeout=10)
    return rss

def main():
    if sys.argv[1] == "--demo":
        for binary in sys.argv[2:]:
            results = sorted(demo_once(binary) for _ in range(5))
            print(f"{binary}: {os.path.getsize(binary)} bytes, RSS median {statistics.median(results) / 1024:.2f} MiB (runs: {results})")
        return
    binary = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    baseline = sys.argv[3] if len(sys.argv) > 3 else None
    off, on, base = [], [], []
    with tempfile.TemporaryDirectory() as state:
        for i in range(runs):
            if baseline:
                base.append(plugin_once(baseline, False, state))
            off.append(plugin_once(binary, False, state))
            on.append(plugin_once(binary, True, state))
    print(f"runs: {runs}")
    if baseline:
        print(f"baseline {baseline} ({os.path.getsize(baseline)} bytes): RSS after Configure median {statistics.median(base) / 1024:.2f} MiB")
    print(f"{binary}: {os.path.getsize(binary)} bytes")
    print(f"RSS after Configure, endpoint off: median {statistics.median(off) / 1024:.2f} MiB")
    print(f"RSS after Configure + 10 scrapes, endpoint on: median {statistics.median(on) / 1024:.2f} MiB")

if __name__ == "__main__":
    main()
