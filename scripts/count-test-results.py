#!/usr/bin/env python3
"""Prints "N skipped" and then "N passed, N failed" (the line CI reads, so it stays last), summed
over the TRX files given (dotnet test's console summary is not a reliable count); errors,
timeouts and aborted runs count as failed, tests not executed or inconclusive as skipped.
Exits 1 when anything failed or nothing passed."""
import re, sys

if len(sys.argv) < 2:
    print("no test results were written")
    print("0 passed, 1 failed")
    sys.exit(1)

passed = failed = skipped = 0
for path in sys.argv[1:]:
    text = open(path, encoding="utf-8").read()
    m = re.search(r"<Counters ([^>]*)/>", text)
    if not m:
        failed += 1
        continue
    attrs = dict(re.findall(r'(\w+)="(\d+)"', m.group(1)))
    passed += int(attrs.get("passed", 0))
    failed += sum(int(attrs.get(k, 0)) for k in ("failed", "error", "timeout", "aborted"))
    skipped += sum(int(attrs.get(k, 0)) for k in ("notExecuted", "inconclusive"))
print(f"{skipped} skipped (not executed or inconclusive)")
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed or passed == 0 else 0)
