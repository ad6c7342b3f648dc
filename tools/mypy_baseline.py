"""Run mypy over src/ and fail only on errors that are not in mypy-baseline.txt.

The baseline lists the old code's errors without line numbers (`path: message  [code]`), so editing a
file does not invalidate it. A new error fails; a fixed one is reported so the baseline can shrink:

    python tools/mypy_baseline.py            # check (make lint / make test)
    python tools/mypy_baseline.py --update   # rewrite the baseline after fixing old errors
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "mypy-baseline.txt"
ERROR = re.compile(r"^(?P<path>[^:]+):\d+(?::\d+)?: error: (?P<message>.*)$")


def normalise(output: str) -> Counter[str]:
    found: Counter[str] = Counter()
    for line in output.splitlines():
        match = ERROR.match(line)
        if match:
            found[f"{match['path']}: {match['message']}"] += 1
    return found


def run_mypy() -> str:
    done = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    if done.returncode not in (0, 1):  # 2: mypy itself failed (bad config, crash)
        sys.stderr.write(done.stdout + done.stderr)
        sys.exit(done.returncode)
    return done.stdout


def main(argv: list[str]) -> int:
    output = run_mypy()
    found = normalise(output)
    if "--update" in argv:
        BASELINE.write_text("".join(f"{line}\n" for line in sorted(found.elements())), encoding="utf-8")
        print(f"mypy-baseline.txt: {sum(found.values())} known errors")
        return 0
    known = Counter(BASELINE.read_text(encoding="utf-8").splitlines()) if BASELINE.exists() else Counter()
    new, fixed = found - known, known - found
    if fixed:
        print(f"mypy: {sum(fixed.values())} baseline errors are fixed; shrink the baseline with "
              "`python tools/mypy_baseline.py --update`")
    if new:
        keys = set(new)
        print("mypy: new type errors (not in mypy-baseline.txt):")
        for line in output.splitlines():
            match = ERROR.match(line)
            if match and f"{match['path']}: {match['message']}" in keys:
                print("  " + line)
        return 1
    print(f"mypy: no new errors ({sum(found.values())} known in the baseline)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
