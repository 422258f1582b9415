#!/usr/bin/env python3
"""Points section citations at the documents in the repository.

Comments and messages cite the kubelet and NRI rules by section number. They used to name two
specification files that live outside the repository; the same sections are now
docs/kubelet-rules.md and docs/nri-rules.md. This script rewrites, in place:

1. the old file names to docs/kubelet-rules.md and docs/nri-rules.md;
2. "spec <section>" to "<document> <section>", choosing the document from the same line, else
   the only document the file names, else the file's place (NRI code and tests → nri-rules,
   everything else → kubelet-rules) — decisions of the last kind are listed for review;
3. in a file that then names no document but still cites, the first citation gets the document
   name (so the file's bare citations resolve, see tests/ResMgrLite.Tests/Docs/SpecCitations.cs);
4. in a file that names both documents, every citation whose line names no document gets the
   document named last above it (listed for review).

Usage: tests/tools/rewrite-citations.py [--dry-run] [PATH...]
Without PATHs: every file git tracks under src/, tests/ and docs/, plus README.md.
Run it from the repository root; it prints what it changed and what it had to guess.
"""
import os, re, subprocess, sys

SECTION = "\u00a7"
KUBELET, NRI = "kubelet-rules.md", "nri-rules.md"
# The old names, assembled so that this file does not name them itself.
OLD = {"resource-" + "managers.md": KUBELET, "nri-" + "protocol.md": NRI}
NRI_PLACES = ("src/ResMgrLite.Nri/", "tests/ResMgrLite.Nri.Tests/", "tests/ResMgrLite.TestSupport/FakeNri/",
              "tests/ResMgrLite.Benchmarks/NriRoundTripBenchmarks.cs", "tests/bench/", "tests/e2e/", "tests/vm/")
# Lines whose bare citations mean another document than the rules above would pick (checked by
# hand when this script was written; a pattern that matches nothing any more is reported).
LINE_OVERRIDES = [  # (file, or None for any file; pattern; document)
    (None, re.compile(r"runtime holds its lock until we answer"), NRI),  # plugin: async UpdateContainers
    ("docs/architecture.md", re.compile(r"take-by-topology answers equal the kubelet's"), KUBELET),
    ("docs/inputs.md", re.compile(r"QoS class \(" + SECTION), KUBELET),
    ("docs/inputs.md", re.compile(r"computed from the budget alone \(" + SECTION), KUBELET),
    ("docs/inputs.md", re.compile(r"empty-shared-pool check \(" + SECTION), KUBELET),
]
overrides_used = set()
SKIP = ("TomlTestData/",)

citation = re.compile(SECTION + r"\s*\d+(?:\.\d+)*")
spec_word = re.compile(r"\bspec\s*(?=" + SECTION + ")")
doc_name = re.compile(r"(?:docs/)?(kubelet-rules|nri-rules)\.md")


def path_of(document, file):
    # One spelling everywhere, docs/ included: configuration texts are copied into docs verbatim.
    return "docs/" + document


def rename(text, file):
    for old, new in OLD.items():
        text = re.sub(r"(?<![\w.-])spec/" + re.escape(old), path_of(new, file), text)
        text = re.sub(r"(?<![\w./-])" + re.escape(old), path_of(new, file), text)
    return text


def documents_in(text):
    return {m.group(1) + ".md" for m in doc_name.finditer(text)}


def place_default(file):
    return NRI if file.startswith(NRI_PLACES) else KUBELET


def rewrite(file, text, notes):
    text = rename(text, file)
    by_place = []

    def override_of(line):
        for index, (only_in, rx, document) in enumerate(LINE_OVERRIDES):
            if (only_in is None or only_in == file) and rx.search(line):
                overrides_used.add(index)
                return document
        return None

    def choose(line, position, current, last_above, where):
        override = override_of(line)
        before = [m.group(1) + ".md" for m in doc_name.finditer(line) if m.start() < position]
        if override:
            return override
        if before:
            return before[-1]
        if len(current) == 1:
            return next(iter(current))
        if len(current) == 2 and last_above:
            notes.append(f"{where}: took {last_above}, the document named last above")
            return last_above
        guess = place_default(file)
        by_place.append(where)
        return guess

    def qualify(lines, pattern, replace_match, only_overridden=False):
        """Puts a document before every match of pattern (replacing the match itself if asked)."""
        current = documents_in("\n".join(lines))
        out_lines, last_above = [], None
        for i, line in enumerate(lines):
            if only_overridden and override_of(line) is None:
                out_lines.append(line)
                found = [m.group(1) + ".md" for m in doc_name.finditer(line)]
                last_above = found[-1] if found else last_above
                continue
            pieces, pos, inserted = [], 0, False
            for m in pattern.finditer(line):
                resolved = inserted or any(d.start() < m.start() for d in doc_name.finditer(line))
                if not replace_match and resolved:
                    continue
                inserted = True
                chosen = choose(line, m.start(), current, last_above, f"{file}:{i + 1}")
                pieces.append(line[pos:m.start()] + path_of(chosen, file) + " ")
                pos = m.end() if replace_match else m.start()
            line = "".join(pieces) + line[pos:]
            out_lines.append(line)
            found = [m.group(1) + ".md" for m in doc_name.finditer(line)]
            if found:
                last_above = found[-1]
        return out_lines

    # "spec <section>" always gets its document.
    lines = qualify(text.split("\n"), spec_word, replace_match=True)
    # A file that now names both documents needs the document on every citing line.
    # Lines known to mean another document say so; a file naming both documents needs the
    # document on every citing line.
    lines = qualify(lines, citation, replace_match=False,
                    only_overridden=len(documents_in("\n".join(lines))) != 2)
    text = "\n".join(lines)
    if by_place:
        notes.append(f"{file}: named no document; {len(by_place)} citation(s) took {place_default(file)} from the file's place")
    # A file that names no document names one at its first citation.
    if not documents_in(text) and citation.search(text):
        guess = place_default(file)
        m = citation.search(text)
        text = text[:m.start()] + path_of(guess, file) + " " + text[m.start():]
        line_no = text.count("\n", 0, m.start()) + 1
        notes.append(f"{file}:{line_no}: named {guess} at the first citation (file's place)")
    return text


def main(argv):
    dry = "--dry-run" in argv
    paths = [a for a in argv if a != "--dry-run"]
    paths_given = bool(paths)
    if not paths:
        listed = subprocess.run(["git", "ls-files", "src", "tests", "docs", "README.md"],
                                capture_output=True, text=True, check=True).stdout.split()
        paths = listed
    changed, notes = 0, []
    for file in paths:
        if any(s in file for s in SKIP) or not os.path.isfile(file):
            continue
        try:
            with open(file, encoding="utf-8") as f:
                text = f.read()
        except UnicodeDecodeError:
            continue
        if SECTION not in text and not any(old in text for old in OLD):
            continue
        new = rewrite(file, text, notes)
        if new != text:
            changed += 1
            print("rewrote", file)
            if not dry:
                with open(file, "w", encoding="utf-8") as f:
                    f.write(new)
    for note in notes:
        print("check:", note)
    if not paths_given:
        for index, (only_in, rx, _) in enumerate(LINE_OVERRIDES):
            if index not in overrides_used:
                print("check: no line of", only_in or "any file", "matches the override", rx.pattern, "any more")
    print(f"{changed} files {'would change' if dry else 'changed'}; {len(notes)} decisions to check")


if __name__ == "__main__":
    main(sys.argv[1:])
