"""A bounded mapping that forgets the least recently used entry (rust-analyzer keeps parse
trees the same way): caches of file contents must not grow with the size of the workspace."""

from __future__ import annotations

from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class LRU(Generic[K, V]):
    """`get` marks an entry as used; `put` evicts the oldest entry beyond `capacity`.
    A plain dict keeps insertion order: re-inserting on a hit moves the key to the end."""

    __slots__ = ("__weakref__", "_data", "capacity")

    def __init__(self, capacity: int) -> None:
        self.capacity = max(1, capacity)
        self._data: dict[K, V] = {}

    def get(self, key: K) -> V | None:
        data = self._data
        value = data.pop(key, None)
        if value is not None:
            data[key] = value
        return value

    def put(self, key: K, value: V) -> V | None:
        """Store `value`; returns the value evicted to make room, if any."""
        data = self._data
        data.pop(key, None)
        data[key] = value
        if len(data) > self.capacity:
            return data.pop(next(iter(data)))
        return None

    def pop(self, key: K) -> None:
        self._data.pop(key, None)

    def clear(self) -> None:
        self._data.clear()

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        return key in self._data
