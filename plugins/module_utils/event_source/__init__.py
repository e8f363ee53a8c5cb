# Copyright: (c) 2026, fabricops maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The asyncio layer of the fabricops.aci.websocket event source (aiohttp; pure logic lives in core/)."""
