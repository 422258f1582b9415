#!/usr/bin/env python3
"""Where an idle plugin's resident memory is: starts the published binary pre-launched (fd 3, only the
three NRI_PLUGIN_* variables), answers RegisterPlugin and Configure like startup.py, waits, then reads
/proc/PID/smaps, /proc/PID/pagemap and /proc/PID/task and prints

  * VmRSS and each mapping's resident and dirty KiB,
  * the binary's resident pages per ELF section (pagemap present bits of each page of the image,
    matched to the section headers; needs root for pagemap),
  * the threads and their names.

    python3 tests/bench/idle_rss.py out/resmgrlite [--config FILE] [--wait SECONDS]

Run it under flock /tmp/resmgrlite-bench.lock on a shared machine."""
import argparse, os, struct, subprocess, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from startup import frame, ttrpc, field_bytes, read_frame  # noqa: E402

PAGE = os.sysconf("SC_PAGE_SIZE")
DEFAULT_CONFIG = b'[cpuManager]\npolicy = "static"\nreservedSystemCPUs = "0"\n[log]\ntarget = "/dev/null"\n'


def elf_sections(path):
    """(name, virtual address, size, occupies memory) of every section with an address."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF" or data[4] != 2:
        raise SystemExit(f"{path}: not a 64-bit ELF file")
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    headers = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    strtab = headers[shstrndx]
    names = data[strtab[4]:strtab[4] + strtab[5]]
    result = []
    for name_off, _type, flags, addr, _off, size, *_ in headers:
        if addr == 0 or size == 0 or not flags & 0x2:  # SHF_ALLOC
            continue
        end = names.index(b"\0", name_off)
        result.append((names[name_off:end].decode(), addr, size))
    return result


def mappings(pid):
    maps, current = [], None
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            fields = line.split()
            if "-" in fields[0] and ":" not in fields[0]:
                lo, hi = (int(x, 16) for x in fields[0].split("-"))
                current = {"lo": lo, "hi": hi, "perms": fields[1], "offset": int(fields[2], 16),
                           "path": fields[5] if len(fields) > 5 else "", "Rss": 0, "Private_Dirty": 0, "Anonymous": 0}
                maps.append(current)
            elif fields[0].rstrip(":") in ("Rss", "Private_Dirty", "Anonymous") and current is not None:
                current[fields[0].rstrip(":")] = int(fields[1])
    return maps


def present_pages(pid, lo, hi):
    """Set of page addresses in [lo, hi) that are resident (pagemap bit 63)."""
    pages = set()
    with open(f"/proc/{pid}/pagemap", "rb") as f:
        f.seek(lo // PAGE * 8)
        raw = f.read((hi - lo) // PAGE * 8)
    for i in range(len(raw) // 8):
        entry, = struct.unpack_from("<Q", raw, i * 8)
        if entry >> 63 & 1:
            pages.add(lo + i * PAGE)
    return pages


def start_plugin(binary, config, extra_env=()):
    import socket
    runtime, plugin = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    env = {"NRI_PLUGIN_NAME": "resmgrlite", "NRI_PLUGIN_IDX": "90", "NRI_PLUGIN_SOCKET": "3"}
    env.update(item.split("=", 1) for item in extra_env)
    child = subprocess.Popen([binary], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, close_fds=False,
                             preexec_fn=lambda: os.dup2(plugin.fileno(), 3))
    plugin.close()
    conn, _ = read_frame(runtime)
    assert conn == 2, "expected RegisterPlugin on connection 2"
    runtime.sendall(frame(2, ttrpc(1, 2, b"")))
    request = field_bytes(1, config) + field_bytes(2, b"containerd") + field_bytes(3, b"1.7.24~ds1")
    envelope = field_bytes(1, b"nri.pkg.api.v1alpha1.Plugin") + field_bytes(2, b"Configure") + field_bytes(3, request)
    runtime.sendall(frame(1, ttrpc(1, 1, envelope)))
    read_frame(runtime)
    return runtime, child


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--config", help="configuration text file sent in Configure (default: static CPU policy)")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="an extra environment variable, e.g. DOTNET_GCgen0size=40000 (to try a runtime knob)")
    parser.add_argument("--wait", type=float, default=1.0, help="seconds to wait after Configure")
    args = parser.parse_args()
    binary = os.path.realpath(args.binary)
    config = open(args.config, "rb").read() if args.config else DEFAULT_CONFIG
    runtime, child = start_plugin(binary, config, args.env)
    try:
        time.sleep(args.wait)
        pid = child.pid
        with open(f"/proc/{pid}/status") as f:
            status = {line.split(":")[0]: line.split(":", 1)[1].strip() for line in f}
        maps = mappings(pid)
        image = [m for m in maps if m["path"] == binary]
        base = min(m["lo"] - m["offset"] for m in image) if image else 0
        resident = set()
        for m in image:
            resident |= present_pages(pid, m["lo"], m["hi"])
        threads = []
        for tid in sorted(os.listdir(f"/proc/{pid}/task"), key=int):
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                threads.append(f.read().strip())
    finally:
        runtime.close()
        child.wait(timeout=10)

    print(f"VmRSS {status['VmRSS']}, RssAnon {status['RssAnon']}, RssFile {status['RssFile']}, threads {len(threads)}")
    print("\nmappings (KiB):  resident  dirty  size  perms  what")
    for m in maps:
        if m["Rss"] == 0:
            continue
        what = m["path"] or "[anonymous]"
        print(f"  {m['Rss']:>8} {m['Private_Dirty']:>6} {(m['hi'] - m['lo']) // 1024:>8}  {m['perms']}  {what}")
    print("\nthe binary's resident pages per section (KiB resident / section size):")
    total = 0
    for name, addr, size in sorted(elf_sections(binary), key=lambda s: s[1]):
        lo, hi = base + addr, base + addr + size
        pages = [p for p in resident if p + PAGE > lo and p < hi]
        # A page shared by two sections is charged to both; the total below counts pages once.
        kib = len(pages) * PAGE // 1024
        total += kib
        if size >= 4096 or kib:
            print(f"  {kib:>6} / {size // 1024:>6}  {name}")
    print(f"  image pages resident: {len(resident) * PAGE // 1024} KiB")
    print("\nthreads: " + ", ".join(threads))


if __name__ == "__main__":
    main()
