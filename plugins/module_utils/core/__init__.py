# Copyright: (c) 2026, fabricops maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure APIC protocol helpers shared by the event source and the modules (no I/O, no third-party imports)."""
