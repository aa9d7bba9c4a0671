"""Single-link grouping shared by every stage that clusters records (stories, claims,
quotes, independent sources): a disjoint-set forest whose root is always the smallest
member, so group identity follows the earliest item and output order is stable."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Generic, TypeVar

T = TypeVar("T", bound=Hashable)


class MinRootGroups(Generic[T]):
    """Union-find with path halving; ``union`` keeps the smaller root."""

    def __init__(self, items: Iterable[T]) -> None:
        self._parent: dict[T, T] = {item: item for item in items}

    def __contains__(self, item: object) -> bool:
        return item in self._parent

    def find(self, item: T) -> T:
        parent = self._parent
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    def union(self, a: T, b: T) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self._parent[max(ra, rb)] = min(ra, rb)  # type: ignore[type-var]

    def groups(self) -> dict[T, list[T]]:
        """root -> members, both in item order; roots sorted."""
        out: dict[T, list[T]] = {}
        for item in self._parent:
            out.setdefault(self.find(item), []).append(item)
        return dict(sorted(out.items()))  # type: ignore[type-var]
