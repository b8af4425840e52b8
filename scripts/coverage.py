#!/usr/bin/env python3
"""Prints libcartel's coverage per module from a gcovr JSON summary.

A module is a folder of src/lib (core, register, store, ...). The table
gives lines and branches taken over lines and branches counted, per module
and overall; the exit status is 1 when a figure falls under a threshold
(docs/coverage.md), 0 otherwise.
"""

import json
import sys

# The thresholds of docs/coverage.md, in percent.
MIN_LINES_OVERALL = 90.0
MIN_BRANCHES_OVERALL = 80.0
MIN_BRANCHES_MODULE = 75.0


def percent(hit, total):
    return 100.0 * hit / total if total else 100.0


def module_of(path):
    parts = path.split("/")
    if "lib" in parts:
        rest = parts[parts.index("lib") + 1:]
        if len(rest) > 1:
            return rest[0]
    return "(top)"


def main(argv):
    if len(argv) != 2:
        print("usage: coverage.py GCOVR_SUMMARY.json", file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        summary = json.load(f)

    modules = {}
    for entry in summary["files"]:
        m = modules.setdefault(module_of(entry["filename"]), [0, 0, 0, 0])
        m[0] += entry["line_covered"]
        m[1] += entry["line_total"]
        m[2] += entry["branch_covered"]
        m[3] += entry["branch_total"]
    if not modules:
        print("coverage: no source of src/lib was measured", file=sys.stderr)
        return 1

    total = [sum(m[i] for m in modules.values()) for i in range(4)]
    failures = []
    row = "{:<10} {:>7} {:>13} {:>9} {:>13}"
    print(row.format("module", "lines", "", "branches", ""))
    for name in sorted(modules):
        m = modules[name]
        lp, bp = percent(m[0], m[1]), percent(m[2], m[3])
        print(row.format(name, "%.1f%%" % lp, "%d/%d" % (m[0], m[1]),
                         "%.1f%%" % bp, "%d/%d" % (m[2], m[3])))
        if bp < MIN_BRANCHES_MODULE:
            failures.append("%s: branches %.1f%% < %.0f%%"
                            % (name, bp, MIN_BRANCHES_MODULE))
    lp, bp = percent(total[0], total[1]), percent(total[2], total[3])
    print(row.format("overall", "%.1f%%" % lp, "%d/%d" % (total[0], total[1]),
                     "%.1f%%" % bp, "%d/%d" % (total[2], total[3])))
    if lp < MIN_LINES_OVERALL:
        failures.append("overall: lines %.1f%% < %.0f%%"
                        % (lp, MIN_LINES_OVERALL))
    if bp < MIN_BRANCHES_OVERALL:
        failures.append("overall: branches %.1f%% < %.0f%%"
                        % (bp, MIN_BRANCHES_OVERALL))

    for f in failures:
        print("coverage under threshold: " + f, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
