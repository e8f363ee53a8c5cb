"""Ordered query results kept between the pages of one paged read.

A client reading a large class asks the same query again and again with ``page=0, 1, 2, ...``.
Building the ordered result walks and sorts the whole class, so doing it for every page made reading
a 500,000-object class in pages of 10,000 cost fifty full sorts. Here the ordered result is kept for
the query's shape (everything but ``page``/``page-size``) and handed to the next page as long as the
tree provably has not changed since it was built; otherwise it is built again, exactly as before.

Proof of validity: an entry remembers the :class:`~apicsim.mit.Mit` generation it was built at. A
class query that selects objects of its own class only (``query-target=self``, no ``required``
include) depends on nothing but those objects, so it is checked against that class's generation and
survives changes elsewhere (sessions, audit records, health scores of other classes); every other
shape is checked against the whole tree's generation.

Memory: at most :data:`MAX_VIEWS` entries per tree, the least recently used dropped first, and an
entry that is found stale is dropped at once. An entry is a tuple of references to objects of the
tree (8 bytes per object: about 4 MB for a 500,000-object class), so the bound is
``MAX_VIEWS`` times the largest class paged through. Deleted objects an entry still holds are freed
when the entry goes.
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from collections.abc import Callable, Sequence

from .mit import Mit, Mo

#: entries kept per tree: enough for a client that recovers a few subscriptions side by side,
#: each reading its own class page after page.
MAX_VIEWS = 4
#: the options that decide which objects a query returns and in what order (not how they are shown).
_SHAPE = ("query-target", "target-subtree-class", "query-target-filter", "rsp-subtree-include", "order-by")

Key = tuple[str, ...]


class PagedViews:
    """The ordered results of recent paged queries on one tree, each with the generation it is valid for."""

    def __init__(self, mit: Mit, size: int = MAX_VIEWS) -> None:
        self._mit = weakref.ref(mit)
        self._size = size
        self._entries: OrderedDict[Key, tuple[int, tuple[Mo, ...]]] = OrderedDict()
        self.hits = 0
        self.builds = 0

    def __len__(self) -> int:
        return len(self._entries)

    def ordered(self, query, build: Callable[[], Sequence[Mo]]) -> Sequence[Mo]:
        """``build()``'s result for ``query``, reused when the same shape was built on the same tree state."""
        mit = self._mit()
        assert mit is not None, "the tree of these views is gone"
        key = shape_of(query)
        generation = _generation(mit, query)
        entry = self._entries.get(key)
        if entry is not None:
            if entry[0] == generation:
                self._entries.move_to_end(key)
                self.hits += 1
                return entry[1]
            del self._entries[key]
        results = tuple(build())
        self.builds += 1
        self._entries[key] = (generation, results)
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)
        return results


def shape_of(query) -> Key:
    """What two queries must share for one's ordered result to serve the other."""
    params = query.params
    return (query.path, *(params.get(name, "\0") for name in _SHAPE))


def _generation(mit: Mit, query) -> int:
    if query.kind == "class" and query.target == "self" and "required" not in query.include:
        return mit.class_generation(query.cls)
    return mit.generation


_VIEWS: weakref.WeakKeyDictionary[Mit, PagedViews] = weakref.WeakKeyDictionary()


def views_of(mit: Mit) -> PagedViews:
    """The paged views of ``mit``, made on first use; they go away with the tree."""
    views = _VIEWS.get(mit)
    if views is None:
        views = _VIEWS[mit] = PagedViews(mit)
    return views
