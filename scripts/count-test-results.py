#!/usr/bin/env python3
"""Prints "N skipped" and then "N passed, N failed" (the line CI reads, so it stays last), summed
over the TRX files given (dotnet test's console summary is not a reliable count); errors,
timeouts and aborted runs count as failed, tests not executed or inconclusive as skipped.
Names each failed test with the first lines of its message before that, so that a failure in CI
can be read from the log alone. Exits 1 when anything failed or nothing passed."""
import sys
import xml.etree.ElementTree as ElementTree

NS = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}

if len(sys.argv) < 2:
    print("no test results were written")
    print("0 passed, 1 failed")
    sys.exit(1)

passed = failed = skipped = 0
for path in sys.argv[1:]:
    try:
        root = ElementTree.parse(path).getroot()
    except ElementTree.ParseError:
        print(f"unreadable test results: {path}")
        failed += 1
        continue
    counters = root.find("t:ResultSummary/t:Counters", NS)
    if counters is None:
        failed += 1
        continue
    count = lambda *names: sum(int(counters.get(name, 0)) for name in names)
    passed += count("passed")
    failed += count("failed", "error", "timeout", "aborted")
    skipped += count("notExecuted", "inconclusive")
    for result in root.iterfind("t:Results/t:UnitTestResult", NS):
        if result.get("outcome") in ("Passed", "NotExecuted", "Inconclusive"):
            continue
        print(f"FAILED ({result.get('outcome')}): {result.get('testName')}")
        message = result.find("t:Output/t:ErrorInfo/t:Message", NS)
        for line in (message.text or "").strip().splitlines()[:12] if message is not None else []:
            print(f"    {line}")
print(f"{skipped} skipped (not executed or inconclusive)")
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed or passed == 0 else 0)
