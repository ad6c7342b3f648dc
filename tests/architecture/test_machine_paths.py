"""No tracked file names a folder of one particular machine: a fresh clone anywhere must pass `make test`."""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Home and working folders of one machine, in the forms they show up in code, docs and configs.
MACHINE_PATH = re.compile(r"(?<![\w.~$])/(?:work|home|root|Users|tmp/pytest-of-\w+)/[\w.-]+")
TEXT_SUFFIXES = {
    ".py",
    ".md",
    ".toml",
    ".txt",
    ".cfg",
    ".ini",
    ".yaml",
    ".yml",
    ".json",
    ".html",
    ".js",
    ".css",
    ".sh",
    "",
}


def tracked_files():
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True)
    return [ROOT / name for name in listed.stdout.decode().split("\0") if name]


def machine_paths_in(text):
    return MACHINE_PATH.findall(text)


def test_the_pattern_finds_machine_paths_and_passes_ordinary_ones():
    slash = "/"  # the examples are built so that this file does not name a machine path itself
    assert machine_paths_in(f'run(["{slash}work/main/.venv/bin/tuijin"])') == [slash + "work/main"]
    assert machine_paths_in(f"cd {slash}home/alice/tuijin && make") == [slash + "home/alice"]
    assert machine_paths_in(f"{slash}root/.cache/x") == [slash + "root/.cache"]
    # URLs, package paths and Debian's system folders are not one machine's checkout
    assert machine_paths_in("https://example.org/work/x  /usr/bin/chromium  /etc/postgresql  src/tuijin/work/x") == []


def test_no_tracked_file_names_an_absolute_machine_path():
    found = []
    for path in tracked_files():
        if path.suffix not in TEXT_SUFFIXES or path.name == "package-lock.json" or not path.is_file():
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            if machine_paths_in(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert found == []
