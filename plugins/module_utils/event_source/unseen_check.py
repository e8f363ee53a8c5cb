# Copyright: (c) 2026, fabricops maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Known objects a paged snapshot did not show are asked for by DN before any is reported deleted.

The question is the subscription's own query (same class or subtree, same filter, same response
options) narrowed by a DN filter, ``and(<its filter>,or(eq(<class>.dn,"..."),...))``: whatever comes back
is exactly what a page would have shown, so an object that no longer matches the subscription's filter
counts as gone, as it would in an unpaged snapshot. Batches of at most ``BATCH_DNS`` DNs and
``BATCH_CHARS`` characters of filter keep each URL well under the APIC's URL limit, and they are sent one
at a time: one query per 50 objects instead of one per object, and never more than one in flight on
an APIC that is already busy answering the snapshot.

Which objects need asking is decided by ``Snapshot.unseen`` (snapshot.py): for a class read in DN order
only those between two pages, so a real mass deletion costs a query or two, not one per 50 deleted objects.
"""

from __future__ import annotations

import logging

from ansible_collections.fabricops.aci.plugins.module_utils.core.query import eq, mo_path, or_, query_string

log = logging.getLogger(__name__)

BATCH_DNS = 50  # DNs per query
BATCH_CHARS = 3000  # characters of DN filter per query (APIC URLs stay below about 4 KB)
_FILTER = "query-target-filter="
_SCOPE = ("query-target=", "target-subtree-class=", _FILTER)


def check_urls(url: str, unseen: list) -> list:
    """The queries that return which of ``unseen`` (``(dn, class)`` pairs) the subscription's query
    ``url`` still selects."""
    path, query = url.split("?", 1) if "?" in url else (url, "")
    options = [option for option in query.split("&") if option]
    own = next((option[len(_FILTER):] for option in options if option.startswith(_FILTER)), None)
    others = [option for option in options if not option.startswith(_FILTER)]
    urls = []
    terms = []  # type: list[str]
    size = 0
    for dn, cls in unseen:
        try:
            term = _escaped(eq(f"{cls}.dn", dn))
        except ValueError:  # a DN no filter can quote: read the object itself
            self_options = [option for option in options if not option.startswith(_SCOPE)]
            urls.append(mo_path(dn) + ("?" + "&".join(self_options) if self_options else ""))
            continue
        if terms and (len(terms) >= BATCH_DNS or size + len(term) > BATCH_CHARS):
            urls.append(_batch_url(path, others, own, terms))
            terms, size = [], 0
        terms.append(term)
        size += len(term) + 1
    if terms:
        urls.append(_batch_url(path, others, own, terms))
    return urls


def _escaped(expression: str) -> str:
    """A filter expression as it may stand in a URL (core/query.py escapes only what would change it)."""
    return query_string({"query-target-filter": expression})[len(_FILTER):]


def _batch_url(path: str, others: list, own: str | None, terms: list) -> str:
    dns = or_(*terms)
    expression = f"and({own},{dns})" if own else dns
    return f"{path}?" + "&".join([*others, _FILTER + expression])


async def check_unseen(query, sub, snapshot) -> None:
    """Ask the APIC (``query(url)`` -> ``(totalCount, imdata)``) for the objects ``snapshot`` did not show
    that could still exist; those it has join the snapshot, so only the others are reported deleted.

    A failure (a drop) propagates: the snapshot is abandoned exactly like one whose page read failed.
    """
    unseen, certain = snapshot.unseen()
    if not unseen:
        return
    before = len(snapshot)
    urls = check_urls(sub.spec.url, unseen)
    for url in urls:
        _total, imdata = await query(url)
        snapshot.confirm(imdata)
    log.info("subscription %s: %d known object(s) no page showed were asked for in %d query(ies), %d still "
             "exist; %d other(s) were certainly gone", sub.name, len(unseen), len(urls), len(snapshot) - before,
             certain)
