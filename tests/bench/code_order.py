#!/usr/bin/env python3
"""Writes src/ResMgrLite/hot-code.order: the functions the plugin runs when it starts, registers,
configures and handles a workload, so the compiler (--method-layout:explicit --order) and the linker
(--symbol-ordering-file) put them next to each other. The kernel maps file pages in 64 KiB blocks
around each fault (fault-around), so code that runs spread over the whole image keeps nearly all
of it resident; packed together, the rest of the image stays on disk. Only the layout changes: a
function missing from the list (renamed, new) still works, it is just placed among the cold code.

    ./build.sh publish-symbols        # out-symbols/resmgrlite: same build, symbol table kept
    python3 tests/bench/code_order.py out-symbols/resmgrlite

Each scenario runs the binary under valgrind's callgrind (which records every function that ran)
with the real NRI runtime libraries (../shared/tools/nri-harness), small workloads: pre-launched
v0.6.1 and v0.12.2 with every manager off, external with the static CPU and memory managers on a
synthetic two-node machine, an external Synchronize, big messages, and a start with a state file
and without one. docs/benchmarks.md has the effect on RSS."""
import argparse, glob, os, re, shutil, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import idle_rss, nri_bench  # noqa: E402

ROOT = nri_bench.ROOT
OUTPUT = os.path.join(ROOT, "src", "ResMgrLite", "hot-code.order")

# (NRI version, nri_bench scenario shape, configuration name, harness arguments)
PROFILES = [
    ("v012", "pre", "off", ["-n", "20", "-c", "2"]),
    ("v061", "pre", "off", ["-n", "20", "-c", "2"]),
    ("v061", "ext", "cpu+mem", ["-n", "20", "-c", "2"]),
    ("v012", "ext", "cpu", ["-n", "20", "-c", "2"]),
    ("v061", "ext-sync", "off", ["-sync", "20", "-n", "10", "-c", "2"]),
    ("v012", "split-sync", "off", ["-big", "-sync", "10", "-n", "10", "-c", "2"]),
    ("v012", "big", "off", ["-big", "-n", "10", "-c", "2"]),
]


def functions(callgrind_file):
    """Names of every function (fn=) and callee (cfn=) in a callgrind output file."""
    names, ids = set(), {}
    with open(callgrind_file, errors="replace") as f:
        for line in f:
            m = re.match(r"c?fn=\((\d+)\)(?: (.*))?", line)
            if m:
                if m.group(2):
                    ids[m.group(1)] = m.group(2).strip()
                name = ids.get(m.group(1))
                if name and not name.startswith("0x"):
                    names.add(name)
    return names


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("binary", help="the published binary with its symbol table (not stripped)")
    parser.add_argument("--out", default=OUTPUT)
    args = parser.parse_args()
    binary = os.path.realpath(args.binary)
    if not shutil.which("valgrind"):
        raise SystemExit("valgrind is needed (apt-get install valgrind)")
    if not os.path.isdir(nri_bench.HARNESS):
        raise SystemExit(f"{nri_bench.HARNESS} is absent: the profile needs the NRI harness")
    work = tempfile.mkdtemp(prefix="resmgrlite-order-")
    wrapper = os.path.join(work, "plugin.sh")
    with open(wrapper, "w") as f:
        f.write("#!/bin/sh\n"
                f"exec /usr/bin/valgrind --tool=callgrind --demangle=no --dump-every-bb=2000000 "
                f"--callgrind-out-file={work}/cg.%p {binary} \"$@\" 2>>{work}/valgrind.log\n")
    os.chmod(wrapper, 0o755)
    sysfs = os.path.join(work, "sysfs")
    nri_bench.synthetic_sysfs(sysfs)
    names = set()
    for i, (version, shape, config, harness_args) in enumerate(PROFILES):
        run_dir = os.path.join(work, f"run{i}")
        state = os.path.join(run_dir, "state")
        config_text = nri_bench.configs(state, cgroup2=False)[config]
        nri_bench.SCENARIOS[f"order{i}"] = dict(versions=[version], args=harness_args + ["-reg-timeout", "120s", "-req-timeout", "60s"],
                                               mode=nri_bench.SCENARIOS[shape]["mode"])
        external = nri_bench.SCENARIOS[shape]["mode"] == "external"
        result = nri_bench.run_once(version, f"order{i}", "ours", wrapper, config_text, run_dir,
                                    sysfs=sysfs if external and config != "off" else None)
        before = len(names)
        for cg in glob.glob(os.path.join(work, "cg.*")):
            names |= functions(cg)
            os.remove(cg)
        print(f"{version} {shape} {config}: {'FAILED' if result['failed'] else 'ok'}, {len(names) - before} new functions")
    # A start with no state directory and one that reads the state file written above.
    for state in ["/nonexistent/resmgrlite-state", os.path.join(work, "run0", "state")]:
        config = f'[state]\ndirectory = "{state}"\n[log]\ntarget = "/dev/null"\n'.encode()
        runtime, child = idle_rss.start_plugin(wrapper, config)
        time.sleep(3)
        runtime.close()
        child.wait(timeout=300)
        for cg in glob.glob(os.path.join(work, "cg.*")):
            names |= functions(cg)
            os.remove(cg)
    with open(args.out, "w") as f:
        f.write("\n".join(sorted(names)) + "\n")
    print(f"{len(names)} functions -> {args.out}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
