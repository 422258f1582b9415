#!/usr/bin/env python3
"""Memory of a plugin around a large Synchronize (and other big messages), side by side with the
Go reference plugin under the real NRI runtime library (../shared/tools/nri-harness). Every run
samples the plugin's /proc/PID/status every 50 ms, so it sees what the harness summary cannot: the
RSS a given time after Synchronize. Plugins run interleaved (Go, then each --plugin), several runs,
medians. Run it under the shared lock:

    flock /tmp/resmgrlite-bench.lock python3 tests/bench/sync_memory.py --runs 3 \\
        --plugin main=/tmp/main-resmgrlite --plugin ours=out/resmgrlite \\
        --version v061 --mode external -- -sync 500 -n 100 -c 2

Columns (KiB unless said): Synchronize round trip (ms, the runtime's view, all chunks), RSS right
after Synchronize (the harness's "idle" figure: taken when the plugin is synchronized and active),
peak (VmHWM at the end), RSS --after seconds after Synchronize ("-" when the workload ended before
that: give a larger -n), RSS at the end of the workload, CPU during the workload (ms). Our plugins
run with every manager off and the state directory in a temporary directory."""
import argparse, json, os, shutil, statistics, subprocess, sys, tempfile, threading, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HARNESS = os.path.join(os.path.dirname(ROOT), "shared", "tools", "nri-harness", "bin")


def status(pid):
    """VmRSS and VmHWM of a process, or None once it is gone."""
    values = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    values[key] = int(value.split()[0])
    except OSError:
        return None
    return values if len(values) == 2 else None


def find_pid(executable):
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.readlink(f"/proc/{entry}/exe") == executable:
                    return int(entry)
            except OSError:
                pass
    return None


def run_once(label, binary, version, mode, harness_args, after, work):
    """One harness run with sampling; returns a dict of figures (and 'failed')."""
    os.makedirs(work)
    # A copy under its own name: the sampler finds the plugin by its executable.
    executable = os.path.join(work, "plugin-" + label)
    shutil.copy(binary, executable)
    conf = os.path.join(work, "plugin.conf")
    with open(conf, "w") as f:
        f.write(f'[state]\ndirectory = "{os.path.join(work, "state")}"\n')
    summary = os.path.join(work, "summary.json")
    harness = os.path.join(HARNESS, f"nri-runtime-harness-{version}")
    is_go = label == "go"
    cmd = [harness, "-summary-out", summary, "-adjust-out", os.path.join(work, "adjust.jsonl")]
    if mode == "external":
        run = f"{executable} -socket {{socket}} -name ref -idx 90" if is_go else \
            f"{executable} run --socket {{socket}} --name resmgrlite --idx 90 --config {conf}"
        cmd += ["-mode", "external", "-exec", run, "-exec-log", os.path.join(work, "plugin.log")]
    else:
        cmd += ["-plugin", executable, "-name", "ref" if is_go else "resmgrlite", "-idx", "90"]
        if not is_go:
            cmd += ["-plugin-config", conf]
    cmd += harness_args

    process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
    samples, pid, synchronized, output = [], None, None, []

    def reader():
        nonlocal synchronized
        for line in process.stdout:
            output.append(line)
            if line.startswith("Synchronize:") and synchronized is None:
                synchronized = time.monotonic()

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    while process.poll() is None:
        if pid is None:
            pid = find_pid(executable)
        if pid is not None:
            s = status(pid)
            if s:
                samples.append((time.monotonic(), s["VmRSS"]))
        time.sleep(0.05)
    thread.join(timeout=5)

    result = {"failed": process.returncode != 0, "command": " ".join(cmd)}
    if result["failed"]:
        result["output"] = "".join(output[-20:])
    try:
        with open(summary) as f:
            data = json.load(f)
    except (OSError, ValueError):
        data = {}
    sync = [v for k, v in data.get("wire_us", {}).items() if k.startswith("Synchronize")]
    result.update({
        "sync_ms": sum(v.get("TotalMs", 0) for v in sync) if sync else None,
        "rss_after_sync_kb": data.get("rss_idle_kb"),
        "peak_kb": data.get("hwm_kb"),
        "rss_end_kb": data.get("rss_end_kb"),
        "cpu_ms": data.get("cpu_ms"),
        "rss_later_kb": None,
    })
    if synchronized is not None:
        later = [rss for t, rss in samples if t >= synchronized + after]
        result["rss_later_kb"] = later[0] if later else None
    return result


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--plugin", action="append", default=[], metavar="LABEL=BINARY",
                   help="one of ours (repeat to compare builds); default ours=out/resmgrlite")
    p.add_argument("--version", choices=["v061", "v012"], default="v061")
    p.add_argument("--mode", choices=["external", "prelaunch"], default="external")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--after", type=float, default=10.0, help="seconds after Synchronize for the 'later' RSS")
    p.add_argument("harness_args", nargs="*", default=["-sync", "500", "-n", "100", "-c", "2"])
    a = p.parse_args()
    if not os.path.isdir(HARNESS):
        print(f"sync_memory: {HARNESS} is absent: nothing to compare with", file=sys.stderr)
        return 3
    plugins = [("go", os.path.join(HARNESS, f"nri-ref-plugin-{a.version}"))]
    for spec in a.plugin or [f"ours={os.path.join(ROOT, 'out', 'resmgrlite')}"]:
        label, _, binary = spec.partition("=")
        if label == "go" or not os.path.isfile(binary):
            print(f"sync_memory: --plugin {spec}: give LABEL=BINARY (not 'go') of an existing file", file=sys.stderr)
            return 2
        plugins.append((label, os.path.abspath(binary)))

    base = tempfile.mkdtemp(prefix="resmgrlite-sync-memory-")
    results = {label: [] for label, _ in plugins}
    try:
        for r in range(a.runs):
            for label, binary in plugins:
                res = run_once(label, binary, a.version, a.mode, a.harness_args, a.after, os.path.join(base, f"{label}-{r}"))
                results[label].append(res)
                print(f"  run {r + 1}/{a.runs} {label}: " + ("FAILED " if res["failed"] else "")
                      + json.dumps({k: v for k, v in res.items() if k not in ("command", "output")}), flush=True)
                if res["failed"]:
                    print(res.get("output", ""), flush=True)
    finally:
        shutil.rmtree(base, ignore_errors=True)

    columns = [("sync_ms", "Synchronize ms"), ("rss_after_sync_kb", "RSS after Synchronize"), ("peak_kb", "peak (VmHWM)"),
               ("rss_later_kb", f"RSS {a.after:g} s after"), ("rss_end_kb", "RSS end"), ("cpu_ms", "CPU ms")]
    print(f"\n{a.version} {a.mode} {' '.join(a.harness_args)}: medians of {a.runs} run(s), KiB unless said\n")
    print("| plugin | " + " | ".join(name for _, name in columns) + " | failed runs |")
    print("|---|" + "---|" * (len(columns) + 1))
    for label, _ in plugins:
        ok = [x for x in results[label] if not x["failed"]]
        cells = []
        for key, _ in columns:
            values = [x[key] for x in ok if x[key] is not None]
            cells.append(f"{statistics.median(values):,.0f}" if values else "-")
        print(f"| {label} | " + " | ".join(cells) + f" | {len(results[label]) - len(ok)} |")
    return 1 if any(x["failed"] for label, _ in plugins if label != "go" for x in results[label]) else 0


if __name__ == "__main__":
    sys.exit(main())
