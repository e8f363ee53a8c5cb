"""Every module documents itself through `ansible-doc`, from the collection installed from the tarball."""

from __future__ import annotations

import json

from disttools import MODULES, run, tool
from rulebook_process import COLLECTIONS


def test_ansible_doc_for_every_module():
    names = [f"fabricops.aci.{module}" for module in MODULES]
    output = run([tool("ansible-doc"), "--json", *names], timeout=120)
    docs = json.loads(output[output.index("{"):])
    assert sorted(docs) == sorted(names)
    for name in names:
        doc = docs[name]["doc"]
        assert doc["collection"] == "fabricops.aci"
        assert str(COLLECTIONS) in doc["filename"], "must come from the installed tarball, not the working tree"
        options = doc["options"]
        # The connection fragment is merged in, secrets are marked as such, and the examples exist.
        assert {"host", "password", "private_key", "ca_path", "validate_certs"} <= set(options)
        assert "ACI_PASSWORD" in " ".join(options["password"]["description"])
        assert docs[name]["examples"].strip()
        assert docs[name]["return"]


def test_ansible_doc_text_renders():
    output = run([tool("ansible-doc"), "fabricops.aci.tenant"], timeout=120)
    assert "baseline" in output and "ERROR" not in output
