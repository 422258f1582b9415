#!/usr/bin/env python3
"""Side-by-side benchmark of the published plugin and the minimal Go reference plugin under the
real NRI runtime libraries (../shared/tools/nri-harness: v0.6.1 as in containerd 1.7.24, v0.12.2 as
in containerd 2.3). Every scenario runs several times, interleaved (Go, then ours in every manager
configuration), and the medians are compared. Run it under the shared lock:

    flock /tmp/resmgrlite-bench.lock python3 tests/bench/nri_bench.py [--runs 3] [--quick]

Scenarios (harness flags):
  pre        pre-launched, 1000 pods x 2 containers          (-n 1000 -c 2)
  ext        external, 1000 pods x 2, on a synthetic 64-CPU 2-NUMA machine (run --sysfs)
  ext-sync   external, 500 pods x 2 in Synchronize, +100     (-mode external -sync 500 -n 100)
  big        pre-launched, 200 padded pods (38 KB requests)  (-big -n 200)
  split-sync v0.12 only: 150 padded pods in split Synchronize (-big -sync 150 -n 100)
Manager configurations (TOML given to our plugin; the Go plugin ignores it):
  off        every manager off (the defaults)
  cpu        static CPU manager, CPU 0 reserved
  cpu+mem    static CPU manager + Static memory manager
  +qos       cpu+mem with memory QoS (only on a cgroup v2 host)
Managers other than 'off' run the 'ext' scenario (both NRI versions) only: this 2-CPU host cannot
hold the workload's exclusive CPUs, and only an external plugin can be pointed at another sysfs.

Registration is also timed on its own: --registration-runs short pre-launched starts per NRI version
(1 pod, state directory on disk), alternating Go and ours, medians; a start is a few milliseconds,
so the three starts of the 'pre' scenario are too few for a median on a shared machine.

Prints, per scenario and configuration, our median, the Go plugin's median and the ratio for:
binary size, registration time, RSS idle / end / high-water mark, CPU, CreateContainer p50/p99 and
the Synchronize time; --json FILE keeps every run's summary."""
import argparse, json, os, shutil, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HARNESS = os.path.join(os.path.dirname(ROOT), "shared", "tools", "nri-harness", "bin")
VERSIONS = ["v061", "v012"]


def configs(state_dir, cgroup2):
    """TOML per manager configuration; the state directory is on disk, as on a node."""
    state = f'[state]\ndirectory = "{state_dir}"\n'
    cpu = '[cpuManager]\npolicy = "static"\nreservedSystemCPUs = "0"\n'
    mem = ('[memoryManager]\npolicy = "Static"\n\n[[memoryManager.reservedMemory]]\nnumaNode = 0\n'
           'limits = { memory = "612Mi" }\n\n[nodeAllocatable]\nsystemReserved = { memory = "512Mi" }\n')
    out = {"off": state, "cpu": state + cpu, "cpu+mem": state + cpu + mem}
    if cgroup2:
        out["+qos"] = state + cpu + mem + '\n[memoryQoS]\nenabled = true\n'
    return out


def synthetic_sysfs(root, sockets=2, cores=16, threads=2, node_gib=16):
    """A sysfs tree of a 2-socket, 2-NUMA-node, 64-CPU server (what the static managers need: this
    2-CPU host cannot hold the workload's exclusive CPUs). Our plugin reads it through run --sysfs."""
    cpus = sockets * cores * threads

    def write(path, text):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text + "\n")

    def mask(ids):
        value = sum(1 << i for i in ids)
        words = [f"{(value >> (32 * w)) & 0xffffffff:08x}" for w in range((cpus + 31) // 32)]
        return ",".join(reversed(words))

    cpu_root = os.path.join(root, "devices", "system", "cpu")
    write(os.path.join(cpu_root, "online"), f"0-{cpus - 1}")
    write(os.path.join(cpu_root, "offline"), "")
    write(os.path.join(cpu_root, "isolated"), "")
    for cpu in range(cpus):
        socket, core = (cpu % (sockets * cores)) // cores, cpu % cores
        siblings = [socket * cores + core + t * sockets * cores for t in range(threads)]
        package = [c for c in range(cpus) if (c % (sockets * cores)) // cores == socket]
        d = os.path.join(cpu_root, f"cpu{cpu}")
        for name, value in (("physical_package_id", socket), ("core_id", core), ("die_id", 0), ("cluster_id", core)):
            write(os.path.join(d, "topology", name), str(value))
        caches = [(1, "Data", "48K", siblings, socket * cores + core), (1, "Instruction", "32K", siblings, socket * cores + core),
                  (2, "Unified", "2048K", siblings, socket * cores + core), (3, "Unified", "32768K", package, socket)]
        for index, (level, kind, size, shared, ident) in enumerate(caches):
            c = os.path.join(d, "cache", f"index{index}")
            write(os.path.join(c, "level"), str(level))
            write(os.path.join(c, "type"), kind)
            write(os.path.join(c, "size"), size)
            write(os.path.join(c, "id"), str(ident))
            write(os.path.join(c, "shared_cpu_map"), mask(shared))
    for node in range(sockets):
        n = os.path.join(root, "devices", "system", "node", f"node{node}")
        node_cpus = [c for c in range(cpus) if (c % (sockets * cores)) // cores == node]
        for c in node_cpus:
            os.makedirs(os.path.join(n, f"cpu{c}"), exist_ok=True)
        kib = node_gib * 1024 * 1024
        write(os.path.join(n, "meminfo"), f"Node {node} MemTotal:       {kib} kB\nNode {node} MemFree:        {kib // 2} kB")
        write(os.path.join(n, "distance"), " ".join("10" if o == node else "21" for o in range(sockets)))
        h = os.path.join(n, "hugepages", "hugepages-2048kB")
        write(os.path.join(h, "nr_hugepages"), "0")
        write(os.path.join(h, "free_hugepages"), "0")


SCENARIOS = {
    "pre":        dict(versions=VERSIONS, args=["-n", "1000", "-c", "2"], mode="prelaunch"),
    "ext":        dict(versions=VERSIONS, args=["-n", "1000", "-c", "2"], mode="external"),
    "ext-sync":   dict(versions=VERSIONS, args=["-sync", "500", "-n", "100", "-c", "2"], mode="external"),
    "big":        dict(versions=VERSIONS, args=["-big", "-n", "200", "-c", "2"], mode="prelaunch"),
    "split-sync": dict(versions=["v012"], args=["-big", "-sync", "150", "-n", "100", "-c", "2"], mode="prelaunch"),
}
# Registration only (not a table row): one pod, pre-launched.
REGISTRATION = dict(versions=VERSIONS, args=["-n", "1", "-c", "1"], mode="prelaunch")


SMOKE = False


def run_once(version, scenario, plugin, binary, config_text, workdir, sysfs=None):
    """One harness run; returns its -summary-out JSON (with 'failed' set when the harness failed)."""
    os.makedirs(workdir, exist_ok=True)
    harness = os.path.join(HARNESS, f"nri-runtime-harness-{version}")
    summary = os.path.join(workdir, "summary.json")
    conf = os.path.join(workdir, "plugin.conf")
    with open(conf, "w") as f:
        f.write(config_text)
    spec = REGISTRATION if scenario == "reg" else SCENARIOS[scenario]
    args = spec["args"]
    if SMOKE:
        args = [("20" if prev in ("-n", "-sync") else x) for prev, x in zip([""] + args, args)]
    cmd = [harness] + args + ["-summary-out", summary, "-adjust-out", os.path.join(workdir, "adjust.jsonl")]
    if spec["mode"] == "external":
        if plugin == "ours":
            exec_cmd = f"{binary} run --socket {{socket}} --name resmgrlite --idx 90 --config {conf}"
            if sysfs:
                exec_cmd += f" --sysfs {sysfs}"
        else:
            exec_cmd = f"{binary} -socket {{socket}} -name ref -idx 90"
        cmd += ["-mode", "external", "-exec", exec_cmd, "-exec-log", os.path.join(workdir, "plugin.log")]
    else:
        cmd += ["-plugin", binary, "-name", "resmgrlite" if plugin == "ours" else "ref", "-idx", "90"]
        if plugin == "ours":
            # The Go plugin reads key=value lines and would refuse TOML; it gets no configuration.
            cmd += ["-plugin-config", conf]
    with open(os.path.join(workdir, "harness.log"), "w") as log:
        rc = subprocess.run(cmd, cwd=workdir, stdout=log, stderr=subprocess.STDOUT, timeout=900).returncode
    try:
        with open(summary) as f:
            data = json.load(f)
    except (OSError, ValueError):
        data = {}
    data["failed"] = rc != 0
    data["command"] = " ".join(cmd)
    return data


def metrics(s):
    """The figures compared, from one summary (None when absent)."""
    api = s.get("api_us", {})
    wire = s.get("wire_us", {})
    sync = [v for k, v in wire.items() if k.startswith("Synchronize")]
    return {
        "register_ms": s.get("register_ms"),
        "rss_idle_kb": s.get("rss_idle_kb"),
        "rss_end_kb": s.get("rss_end_kb"),
        "hwm_kb": s.get("hwm_kb"),
        "cpu_ms": s.get("cpu_ms"),
        "create_p50_us": api.get("CreateContainer", {}).get("P50"),
        "create_p99_us": api.get("CreateContainer", {}).get("P99"),
        "sync_ms": sum(v.get("TotalMs", 0) for v in sync) if sync else None,
    }


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(v, digits=0):
    if v is None:
        return "-"
    return f"{v:,.{digits}f}"


MIB = 1024 * 1024


def largest_sync_message(runs):
    """Median over runs of the largest Synchronize request the plugin received (bytes; a message the
    runtime refused to send, such as the unsplit one of a split Synchronize, is not counted)."""
    return median([max((m.get("req_bytes", 0) for m in x.get("sync_messages") or [] if not m.get("error")), default=0) or None
                   for x in runs])


def registration(binary, config_text, state_dir, base, runs):
    """Median launch->RegisterPlugin of `runs` pre-launched starts per NRI version, ours and Go
    alternating; returns {version: (ours_ms, go_ms, ours_all, go_all)}."""
    out = {}
    for v in VERSIONS:
        ours_all, go_all = [], []
        for r in range(runs):
            go = run_once(v, "reg", "go", os.path.join(HARNESS, f"nri-ref-plugin-{v}"), "", os.path.join(base, f"reg-{v}-go-{r}"))
            shutil.rmtree(state_dir, ignore_errors=True)
            ours = run_once(v, "reg", "ours", binary, config_text, os.path.join(base, f"reg-{v}-ours-{r}"))
            if not go["failed"] and go.get("register_ms") is not None:
                go_all.append(go["register_ms"])
            if not ours["failed"] and ours.get("register_ms") is not None:
                ours_all.append(ours["register_ms"])
        out[v] = (median(ours_all), median(go_all), ours_all, go_all)
    return out


def goals(size, table, results, reg_medians=None):
    """The footprint goals against the medians just printed: one line each, 'met' or 'NOT met' with the
    figures behind it, so a re-run says where the binary stands without reading the table."""
    def cell(sc, v, c="off"):
        return next((t for t in table if (t["scenario"], t["nri"], t["managers"]) == (sc, v, c)), None)

    def ratios(key, rows):
        return [(f"{t['scenario']} {t['nri']} {t['managers']}", t["ours"][key] / t["go"][key])
                for t in rows if t["ours"][key] is not None and t["go"][key]]

    lines = [("binary <= 5 MiB (first milestone)", size <= 5 * MIB, f"{size:,} B = {size / MIB:.2f} MiB"),
             ("binary <= 4 MiB", size <= 4 * MIB, f"{size:,} B")]
    pre = [t for t in (cell("pre", "v061"), cell("pre", "v012")) if t]
    if pre:
        idle = max(t["ours"]["rss_idle_kb"] or 0 for t in pre)
        end = max(t["ours"]["rss_end_kb"] or 0 for t in pre)
        end_ratio = max((t["ours"]["rss_end_kb"] or 0) / (t["go"]["rss_end_kb"] or 1) for t in pre)
        lines.append(("RSS idle <= 6 MiB (pre-launched, worst NRI version)", idle <= 6 * 1024, f"{idle:,.0f} KiB"))
        lines.append(("RSS after 1000 x 2 <= 8 MiB and <= 0.5x Go", end <= 8 * 1024 and end_ratio <= 0.5,
                      f"{end:,.0f} KiB, {end_ratio:.2f}x Go"))
    for sc in ("ext-sync", "split-sync"):
        for v in VERSIONS:
            t = cell(sc, v)
            if not t or t["ours"]["hwm_kb"] is None:
                continue
            # The v0.6.1 harness does not report message sizes; its workload is the same as v0.12's.
            sizes = [largest_sync_message([x for x in results.get((sc, w, "off"), []) if not x["failed"]]) for w in (v, "v012")]
            message = next((m for m in sizes if m), None)
            # Idle is the plugin's RSS after Configure without a Synchronize to hold (the 'ext' or 'pre'
            # scenario of the same NRI version): the harness's own idle figure of these scenarios is
            # taken after the Synchronize.
            same_mode = ("pre", "ext") if SCENARIOS[sc]["mode"] == "prelaunch" else ("ext", "pre")
            base = next((c["ours"]["rss_idle_kb"] for c in (cell(n, v) for n in same_mode) if c and c["ours"]["rss_idle_kb"]), None)
            if message and base:
                bound = base + 2 * message / 1024
                lines.append((f"{sc} {v}: VmHWM <= idle + 2 x largest Synchronize message", t["ours"]["hwm_kb"] <= bound,
                              f"VmHWM {t['ours']['hwm_kb']:,.0f} KiB (Go {t['go']['hwm_kb']:,.0f}), bound {bound:,.0f} KiB "
                              f"(idle {base:,.0f} KiB, message {message:,.0f} B); RSS at the end {t['ours']['rss_end_kb']:,.0f} KiB (Go {t['go']['rss_end_kb']:,.0f})"))
            if t["ours"]["sync_ms"] is not None and t["go"]["sync_ms"]:
                lines.append((f"{sc} {v}: Synchronize time <= Go", t["ours"]["sync_ms"] <= t["go"]["sync_ms"],
                              f"{t['ours']['sync_ms']:,.1f} / {t['go']['sync_ms']:,.1f} ms"))
    for key, label, limit in (("cpu_ms", "CPU <= 0.5x Go (state on disk)", 0.5),
                              ("create_p50_us", "CreateContainer p50 <= 0.8x Go, every configuration", 0.8)):
        r = ratios(key, table)
        if r:
            worst = max(r, key=lambda x: x[1])
            lines.append((label, worst[1] <= limit, f"worst {worst[1]:.2f} ({worst[0]}), best {min(x[1] for x in r):.2f}, over the {len(r)} cells measured"))
    if reg_medians:
        worst = max((m for m in reg_medians.items() if m[1][0] is not None), key=lambda m: m[1][0], default=None)
        if worst:
            detail = ", ".join(f"{v} {o:.1f} / Go {g:.1f} ms" for v, (o, g, oa, _) in reg_medians.items() if o is not None and g is not None)
            lines.append(("registration <= 5 ms from exec (pre-launched)", worst[1][0] <= 5,
                          f"{worst[1][0]:.1f} ms (worst median of {len(worst[1][2])} starts; {detail})"))
    else:
        reg = [t["ours"]["register_ms"] for t in pre if t["ours"]["register_ms"] is not None]
        if reg:
            lines.append(("registration <= 5 ms from exec (pre-launched)", max(reg) <= 5, f"{max(reg):.1f} ms (worst median)"))
    print("\nfootprint goals, from the medians above:")
    for label, ok, figures in lines:
        print(f"  {'met    ' if ok else 'NOT met'}  {label}: {figures}")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--binary", default=os.path.join(ROOT, "out", "resmgrlite"))
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--quick", action="store_true", help="one run of 'pre' and 'ext-sync', managers off and cpu")
    p.add_argument("--scenarios", default=",".join(SCENARIOS))
    p.add_argument("--configs", default="off,cpu,cpu+mem,+qos")
    p.add_argument("--registration-runs", type=int, default=9, help="short pre-launched starts per NRI version for the registration median (0: none)")
    p.add_argument("--json", help="write every run's summary and the medians here")
    p.add_argument("--keep", action="store_true", help="keep the work directories (logs, state files)")
    p.add_argument("--smoke", action="store_true", help="tiny workloads (20 pods) to check the script itself; no figures")
    a = p.parse_args()
    global SMOKE
    SMOKE = a.smoke

    if not os.path.isdir(HARNESS):
        print(f"nri_bench: {HARNESS} is absent: no side-by-side comparison with the Go plugin", file=sys.stderr)
        return 3
    binary = os.path.abspath(a.binary)
    if not os.path.isfile(binary):
        print(f"nri_bench: {binary} is missing: run ./build.sh first", file=sys.stderr)
        return 2

    cgroup2 = os.path.exists("/sys/fs/cgroup/cgroup.controllers")
    scenarios = a.scenarios.split(",")
    wanted = a.configs.split(",")
    runs = a.runs
    if a.quick:
        scenarios, wanted, runs = ["pre", "ext", "ext-sync"], ["off", "cpu"], 1
    if "+qos" in wanted and not cgroup2:
        print("nri_bench: memory QoS needs cgroup v2; this host is not (the '+qos' configuration is skipped)")
    base = tempfile.mkdtemp(prefix="resmgrlite-bench-", dir=os.path.join(ROOT, ".work") if os.path.isdir(os.path.join(ROOT, ".work")) else None)
    state_dir = os.path.join(base, "state")
    texts = configs(state_dir, cgroup2)
    sysfs = os.path.join(base, "sysfs")
    synthetic_sysfs(sysfs)
    wanted = [c for c in wanted if c in texts]

    sizes = {"ours": os.path.getsize(binary)}
    for v in VERSIONS:
        sizes[f"go-{v}"] = os.path.getsize(os.path.join(HARNESS, f"nri-ref-plugin-{v}"))
    print(f"binary: ours {sizes['ours']:,} B; Go v0.6.1 stub {sizes['go-v061']:,} B (ratio {sizes['ours'] / sizes['go-v061']:.2f}); "
          f"Go v0.12.2 stub {sizes['go-v012']:,} B (ratio {sizes['ours'] / sizes['go-v012']:.2f})")

    cells = []  # (scenario, version, config)
    for sc in scenarios:
        for v in SCENARIOS[sc]["versions"]:
            for c in wanted:
                if c == "off" or sc == "ext":
                    cells.append((sc, v, c))
    results = {}
    started = time.time()
    for r in range(runs):
        for sc in scenarios:
            for v in SCENARIOS[sc]["versions"]:
                go = run_once(v, sc, "go", os.path.join(HARNESS, f"nri-ref-plugin-{v}"), "", os.path.join(base, f"{sc}-{v}-go-{r}"))
                results.setdefault((sc, v, "go"), []).append(go)
                for (csc, cv, c) in cells:
                    if csc != sc or cv != v:
                        continue
                    shutil.rmtree(state_dir, ignore_errors=True)
                    ours = run_once(v, sc, "ours", binary, texts[c], os.path.join(base, f"{sc}-{v}-{c}-{r}"),
                                    sysfs if SCENARIOS[sc]["mode"] == "external" else None)
                    results.setdefault((sc, v, c), []).append(ours)
                    status = "FAILED " if ours["failed"] or go["failed"] else ""
                    print(f"  run {r + 1}/{runs} {sc} {v} {c}: {status}ours cpu {ours.get('cpu_ms')} ms, rss end {ours.get('rss_end_kb')} KiB; "
                          f"go cpu {go.get('cpu_ms')} ms, rss end {go.get('rss_end_kb')} KiB", flush=True)

    names = [("register_ms", "registration ms", 1), ("rss_idle_kb", "RSS idle KiB", 0), ("rss_end_kb", "RSS end KiB", 0),
             ("hwm_kb", "VmHWM KiB", 0), ("cpu_ms", "CPU ms", 0), ("create_p50_us", "CreateContainer p50 us", 0),
             ("create_p99_us", "CreateContainer p99 us", 0), ("sync_ms", "Synchronize ms", 1)]
    print(f"\nmedians of {runs} run(s) each ({time.time() - started:.0f} s); each cell: ours / Go = ratio (below 1 is better)\n")
    print("| scenario | NRI | managers | " + " | ".join(label for _, label, _ in names) + " |")
    print("|---|---|---|" + "---|" * len(names))
    table = []
    for (sc, v, c) in cells:
        ours_runs, go_runs = results[(sc, v, c)], results[(sc, v, "go")]
        failed = sum(x["failed"] for x in ours_runs), sum(x["failed"] for x in go_runs)
        om = {k: median([metrics(x)[k] for x in ours_runs if not x["failed"]]) for k, _, _ in names}
        gm = {k: median([metrics(x)[k] for x in go_runs if not x["failed"]]) for k, _, _ in names}
        row = f"| {sc} | {v} | {c} |"
        for k, _, d in names:
            ratio = f" = {om[k] / gm[k]:.2f}" if om[k] is not None and gm[k] else ""
            row += f" {fmt(om[k], d)} / {fmt(gm[k], d)}{ratio} |"
        if any(failed):
            row += f" failed runs: ours {failed[0]}, Go {failed[1]}"
        print(row)
        table.append({"scenario": sc, "nri": v, "managers": c, "ours": om, "go": gm, "failed": failed,
                      "command": ours_runs[0]["command"]})
    reg_medians = None
    if a.registration_runs > 0 and not SMOKE:
        reg_medians = registration(binary, texts["off"], state_dir, base, a.registration_runs)
        print(f"\nregistration, launch->RegisterPlugin, median of {a.registration_runs} pre-launched starts (1 pod) per NRI version, alternating:")
        for v, (o, g, oa, ga) in reg_medians.items():
            print(f"  {v}: ours {fmt(o, 1)} ms, Go {fmt(g, 1)} ms; ours {', '.join(f'{x:.1f}' for x in oa)}; Go {', '.join(f'{x:.1f}' for x in ga)}")
    goals(sizes["ours"], table, results, reg_medians)
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"sizes": sizes, "runs": runs, "table": table, "registration": reg_medians,
                       "all": {"|".join(k): v for k, v in results.items()}}, f, indent=1)
    if not a.keep:
        shutil.rmtree(base, ignore_errors=True)
    else:
        print(f"work directories kept in {base}")
    return 1 if any(t["failed"][0] for t in table) else 0


if __name__ == "__main__":
    sys.exit(main())
