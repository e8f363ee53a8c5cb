# Copyright: (c) 2026, fabricops maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Check-mode and diff-mode support, stated once for reading modules and once for writing ones."""

from __future__ import annotations


class ModuleDocFragment:
    """Use as C(fabricops.aci.attributes.info) or C(fabricops.aci.attributes.write)."""

    INFO = r"""
attributes:
  check_mode:
    support: full
    description: Only reads; runs the same in check mode.
  diff_mode:
    support: none
    description: Nothing is changed, so there is nothing to show.
"""

    WRITE = r"""
attributes:
  check_mode:
    support: full
    description: Reads the object and reports what would change, and the predicted result, without writing.
  diff_mode:
    support: full
    description: Shows the declared attributes and children before and after.
"""
