#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Show that a man page is clean roff: `groff -man -ww -z PAGE` prints nothing.

Usage: lint_man.py PAGE. Fails when groff is not installed (./setup.sh installs it).
"""
import shutil
import subprocess
import sys


def main() -> int:
    page = sys.argv[1]
    groff = shutil.which("groff")
    if groff is None:
        print("groff not found: install it with `apt-get install -y groff-base` (./setup.sh does)",
              file=sys.stderr)
        return 1
    run = subprocess.run([groff, "-man", "-ww", "-z", page], capture_output=True, text=True)
    out = (run.stdout + run.stderr).strip()
    if run.returncode != 0 or out:
        print(f"{page}: groff -man -ww -z is not clean (status {run.returncode}):\n{out}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
