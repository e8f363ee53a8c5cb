"""Shared test set-up: make the working tree importable as ansible_collections.fabricops.aci."""

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEV_TREE = REPO / "build" / "dev"

# `make dev-tree` links build/dev/ansible_collections/fabricops/aci to the working tree.
if str(DEV_TREE) not in sys.path:
    sys.path.insert(0, str(DEV_TREE))

# The JVM inside ansible-rulebook must leave SIGINT/SIGTERM to Python (see the Makefile).
os.environ.setdefault("JAVA_TOOL_OPTIONS", "-Xrs")
