#!/usr/bin/env python3
"""Writes cpu-spec9.jsonl: the take-by-topology scenarios of docs/kubelet-rules.md §9.3/§9.4
in the `resmgrlite conformance cpu` input format, each with its expected answer.

The topologies are the kubelet test fixtures described in §9.1 (fixtures built directly: core
ids as listed there, uncore cache 0 unless the fixture defines caches). Machines whose numbering
follows no formula are kept as data in topologies/NAME.json (same topology format as the cases).
Run it again after editing a case; the test suite reads only the generated file."""
import json, os

here = os.path.dirname(os.path.abspath(__file__))

def topo(cpus):
    return {"cpus": [dict(cpu=c, core=k, socket=s, numa=n, **({"uncore": u} if u is not None else {}))
                     for (c, k, s, n, u) in cpus]}

def single_socket_ht():          # 1 x 4 x 2, core c = {c, c+4}
    return [(c, c % 4, 0, 0, None) for c in range(8)]

def dual_socket_ht():            # 2 x 3 x 2, socket = parity, siblings (c, c+6)
    return [(c, c % 6, c % 2, c % 2, None) for c in range(12)]

def dual_socket_no_ht():         # 2 x 4 x 1
    return [(c, c, c // 4, c // 4, None) for c in range(8)]

def multi_numa():                # 2 x 20 x 2, 4 NUMA nodes, siblings (i, i+40)
    return [(c, c % 40, (c % 40) // 20, (c % 40) // 10, None) for c in range(80)]

def multi_numa_large():          # dual EPYC 7742 NPS4: 8 NUMA nodes of 16 cores, siblings (i, i+128)
    return [(c, c % 128, (c % 128) // 64, (c % 128) // 16, None) for c in range(256)]

def from_file(name):             # irregular machines, stored as data
    with open(os.path.join(here, "topologies", name + ".json")) as f:
        cpus = json.load(f)["topology"]["cpus"]
    return [(c["cpu"], c["core"], c["socket"], c["numa"], c.get("uncore")) for c in cpus]

def uncore_single_socket_no_smt():
    return [(c, c, 0, 0, c // 4) for c in range(16)]

def uncore_dual_socket_no_smt():
    return [(c, c, c // 8, c // 8, c // 4) for c in range(16)]

def uncore_single_socket_multi_numa():
    return [(c, c, 0, c // 8, c // 4) for c in range(16)]

def uncore_single_socket_smt():  # siblings (i, i+8); uncore 0 = cores 0-3, uncore 1 = cores 4-7
    return [(c, c % 8, 0, 0, (c % 8) // 4) for c in range(16)]

T = {
    "SingleSocketHT": single_socket_ht(), "DualSocketHT": dual_socket_ht(),
    "DualSocketNoHT": dual_socket_no_ht(), "MultiNuma": multi_numa(),
    "MultiNumaLarge": multi_numa_large(),
    # 4 x 18 x 4 = 288 CPUs, Knights-Landing-style irregular numbering; core = lowest thread id
    "QuadSocketFourWayHT": from_file("topoQuadSocketFourWayHT"),
    "UncoreSingleSocketNoSMT": uncore_single_socket_no_smt(),
    "UncoreDualSocketNoSMT": uncore_dual_socket_no_smt(),
    "UncoreSingleSocketMultiNuma": uncore_single_socket_multi_numa(),
    "UncoreSingleSocketSMT": uncore_single_socket_smt(),
}

ERR5 = "not enough cpus available to satisfy request: requested=5, available=4"
packed_common = [  # §9.3 cases 1-8 and 11-15 (also the distributed g=1 "common" cases, §9.4)
    (1, "SingleSocketHT", "0,2,4,6", 5, None, ERR5),
    (2, "SingleSocketHT", "0-7", 0, "", None),
    (3, "SingleSocketHT", "0-7", 1, "0", None),
    (4, "SingleSocketHT", "1,3,5,6,7", 1, "6", None),
    (5, "SingleSocketHT", "0-7", 2, "0,4", None),
    (6, "SingleSocketHT", "0-7", 8, "0-7", None),
    (7, "SingleSocketHT", "0,1,2,3,6", 2, "2,6", None),
    (8, "DualSocketHT", "0-11", 6, "0,2,4,6,8,10", None),
    (11, "MultiNuma", "0-79", 40, "0-19,40-59", None),
    (12, "MultiNuma", "0-79", 20, "0-9,40-49", None),
    (13, "MultiNuma", "10-39,50-79", 20, "10-19,50-59", None),
    (14, "MultiNuma", "0-79", 60, "0-29,40-69", None),
    (15, "MultiNuma", "1-39,41-79", 60, "10-39,50-79", None),
]
packed_only = [
    (9, "DualSocketHT", "1-5,7-11", 1, "2", None),
    (10, "DualSocketHT", "0-11", 8, "0,6,2,8,4,10,1,7", None),
    (16, "MultiNuma", "0-79", 64, "0-29,40-69,30,31,70,71", None),
]
uncore = [
    (17, "UncoreSingleSocketNoSMT", "1-15", 10, "1,2,4-11"),
    (18, "DualSocketHT", "1-5,7-11", 1, "1"),
    (19, "UncoreDualSocketNoSMT", "0-15", 4, "0-3"),
    (20, "UncoreDualSocketNoSMT", "2-15", 6, "2-7"),
    (21, "UncoreDualSocketNoSMT", "8-15", 4, "8-11"),
    (22, "UncoreSingleSocketMultiNuma", "3,4-8,12", 2, "4,5"),
    (23, "UncoreSingleSocketSMT", "2-3,10-11,4-7,12-15", 6, "4,5,6,12,13,14"),
    (24, "UncoreSingleSocketSMT", "1-7,9-15", 10, "4-7,12-15,1,9"),
]
spread = [
    ("25", "SingleSocketHT", "0-7", 3, "0,1,2"),
    ("26a", "DualSocketHT", "0-11", 2, "0,2"),
    ("26b", "DualSocketHT", "0-11", 3, "0,2,4"),
    ("26c", "DualSocketHT", "0-11", 6, "0,2,4,6,8,10"),
    ("26d", "DualSocketHT", "0-11", 8, "0,2,4,6,8,10,1,3"),
    ("27", "DualSocketNoHT", "0-7", 2, "0,1"),
    ("28", "MultiNuma", "0-79", 8, "0-7"),
    ("29", "QuadSocketFourWayHT", "0-287", 12, "0-2,9-10,13-14,21-22,25-26,33"),
]
distributed = [
    (30, "DualSocketHT", "0-11", 8, 1, "0,6,2,8,1,7,3,9"),
    (31, "DualSocketHT", "1-5,7-11", 1, 1, "1"),
    (32, "DualSocketHT", "1-5,7-11", 1, 2, "2"),
    (33, "MultiNuma", "0-79", 64, 1, "0-7,10-17,20-27,30-37,40-47,50-57,60-67,70-77"),
    (34, "MultiNuma", "0-79", 48, 1, "0-7,10-17,20-27,40-47,50-57,60-67"),
    (35, "MultiNuma", "1-29,32-39,41-69,72-79", 48, 1, "1-8,10-17,20-27,41-48,50-57,60-67"),
    (36, "MultiNuma", "2-29,31-39,42-69,71-79", 48, 1, "10-17,20-27,31-38,50-57,60-67,71-78"),
    (37, "MultiNuma", "0-2,10-12,20-22,30-32,40-41,50-51,60-61,70-71", 16, 1, "0-1,10-11,20-21,30-31,40-41,50-51,60-61,70-71"),
    (38, "MultiNuma", "0-79", 26, 1, "0-6,10-16,40-45,50-55"),
    (39, "MultiNuma", "0-79", 26, 2, "0-6,10-15,40-46,50-55"),
    (40, "MultiNuma", "0-79", 62, 1, "0-7,10-17,20-27,30-37,40-47,50-57,60-66,70-76"),
    (41, "MultiNuma", "0-79", 62, 2, "0-7,10-17,20-27,30-36,40-47,50-57,60-67,70-76"),
    (42, "MultiNuma", "0-8,10-18,20-39,40-48,50-58,60-79", 62, 1, "0-7,10-17,20-27,30-37,40-46,50-56,60-67,70-77"),
    (43, "MultiNuma", "0-8,10-18,20-39,40-48,50-58,60-79", 62, 2, "0-7,10-16,20-27,30-37,40-47,50-56,60-67,70-77"),
    (44, "MultiNuma", "0-3,10-13,20-23,30-36,40-43,50-53,60-63,70-76", 34, 1, "0-3,10-13,20-23,30-34,40-43,50-53,60-63,70-74"),
    (45, "MultiNumaLarge", "0,128,30,31,158,159,43-47,171-175,62,63,190,191,75-79,203-207,94,96,222,223,101-111,229-239,126,127,254,255", 28, 1, "43-47,75-79,96,101-105,171-174,203-206,229-232"),
]

def case(cid, t, avail, n, strategy, group, expected, error, **extra):
    line = {"id": cid, "topology": topo(T[t]), "available": avail, "count": n,
            "strategy": strategy, "groupSize": group}
    line.update(extra)
    line["expected"] = expected  # not read by the command; the test compares against it
    line["expectedError"] = error
    return line

rows = []
for (i, t, a, n, e, err) in packed_common + packed_only:
    rows.append(case(f"9.3-{i}", t, a, n, "packed", 1, e, err))
for (i, t, a, n, e) in uncore:
    rows.append(case(f"9.3-{i}-uncore", t, a, n, "packed", 1, e, None, preferAlignByUncoreCache=True))
for (i, t, a, n, e) in spread:
    rows.append(case(f"9.3-{i}-spread", t, a, n, "packed", 1, e, None, sorting="spread"))
for (i, t, a, n, e, err) in packed_common:
    rows.append(case(f"9.4-common-{i}", t, a, n, "distributed", 1, e, err))
for (i, t, a, n, g, e) in distributed:
    rows.append(case(f"9.4-{i}", t, a, n, "distributed", g, e, None))

with open(os.path.join(here, "cpu-spec9.jsonl"), "w") as f:
    for r in rows:
        f.write(json.dumps(r, separators=(",", ":")) + "\n")
print(len(rows), "cases")
