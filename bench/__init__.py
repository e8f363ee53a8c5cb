"""The benchmark suite of fabricops.aci: `make bench` runs `python -m bench`.

Sections (bench/sections.py) measure throughput, latency, recovery, memory, reconciliation state cost,
subscription refresh at scale, the end-to-end rate through ansible-rulebook and, through a shipped rulebook
under churn, how long a matching change takes to fire its rule, each in a fresh process against the APIC
simulator running in a process of its own (bench/simhost.py).
"""
