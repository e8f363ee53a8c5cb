# Copyright: (c) 2026, fabricops maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""APIC protocol helpers shared by the event source and the modules: no sockets, no asyncio, no clock.

What they do touch: tls.py and signature.py read the CA or key file an option names; the third-party
imports are orjson (optional, a faster JSON parser) and cryptography (certificate users only).
"""
