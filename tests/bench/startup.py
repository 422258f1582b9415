#!/usr/bin/env python3
"""Measures the published binary as containerd starts it (pre-launched): time from spawn to the
RegisterPlugin frame on fd 3, and the RSS once registered and configured.

    python3 tests/bench/startup.py out/resmgrlite [runs]

The runtime side is this script: a socketpair, the child gets one end as fd 3 and exactly the three
NRI_PLUGIN_* variables, like containerd 1.7.24 (docs/nri-rules.md §1.3)."""
import os, socket, statistics, struct, subprocess, sys, time

def frame(conn_id, payload):
    return struct.pack(">II", conn_id, len(payload)) + payload

def ttrpc(stream, kind, data):
    return struct.pack(">IIBB", len(data), stream, kind, 0) + data

def field_bytes(number, value):
    return bytes([number << 3 | 2, len(value)]) + value

def read_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise EOFError("plugin closed the socket")
        buf += chunk
    return buf

def read_frame(sock):
    conn, length = struct.unpack(">II", read_exact(sock, 8))
    return conn, read_exact(sock, length)

def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1

def run_once(binary, config):
    runtime, plugin = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    env = {"NRI_PLUGIN_NAME": "resmgrlite", "NRI_PLUGIN_IDX": "90", "NRI_PLUGIN_SOCKET": "3"}
    start = time.perf_counter()
    child = subprocess.Popen([binary], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, close_fds=False,
                             preexec_fn=lambda: os.dup2(plugin.fileno(), 3))
    plugin.close()
    conn, _ = read_frame(runtime)                      # RegisterPlugin on conn 2
    registered = time.perf_counter() - start
    assert conn == 2
    runtime.sendall(frame(2, ttrpc(1, 2, b"")))        # empty success reply (docs/nri-rules.md §8.2)
    request = field_bytes(1, config) + field_bytes(2, b"containerd") + field_bytes(3, b"1.7.24~ds1")
    envelope = field_bytes(1, b"nri.pkg.api.v1alpha1.Plugin") + field_bytes(2, b"Configure") + field_bytes(3, request)
    runtime.sendall(frame(1, ttrpc(1, 1, envelope)))
    read_frame(runtime)                                # ConfigureResponse
    time.sleep(0.2)
    rss = rss_kib(child.pid)
    runtime.close()
    child.wait(timeout=10)
    return registered * 1000, rss

def main():
    binary = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    config = b'[cpuManager]\npolicy = "static"\nreservedSystemCPUs = "0"\n[log]\ntarget = "/dev/null"\n'
    results = [run_once(binary, config) for _ in range(runs)]
    times = sorted(r[0] for r in results)
    rss = sorted(r[1] for r in results)
    print(f"runs: {runs}")
    print(f"spawn -> RegisterPlugin: median {statistics.median(times):.1f} ms, p90 {times[int(runs * 0.9) - 1]:.1f} ms, max {times[-1]:.1f} ms")
    print(f"RSS after Configure (static CPU policy): median {statistics.median(rss) / 1024:.1f} MiB, max {rss[-1] / 1024:.1f} MiB")

if __name__ == "__main__":
    main()
