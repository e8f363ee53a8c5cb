"""Shared test set-up: make the working tree importable as ansible_collections.fabricops.aci."""

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEV_TREE = REPO / "build" / "dev"
# Helpers more than one test area uses (tests/support), and the ansible-rulebook runner the tests share
# with `make demo` (scripts/rulebook_process.py): importable by module name from every test file.
SHARED = (REPO / "tests" / "support", REPO / "scripts")

# `make dev-tree` links build/dev/ansible_collections/fabricops/aci to the working tree.
for path in (DEV_TREE, *SHARED):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

# The JVM inside ansible-rulebook must leave SIGINT/SIGTERM to Python (see the Makefile).
os.environ.setdefault("JAVA_TOOL_OPTIONS", "-Xrs")

# The `postgres_server` fixture (a real PostgreSQL started on demand), for every test area that needs one.
pytest_plugins = ["postgres_server"]
