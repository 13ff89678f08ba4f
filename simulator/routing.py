"""Routes in the org graph: shortest paths, and among them the one through the fewest managers.

A breadth-first search per sender, keeping for each person the fewest managers on a
shortest path to them (ties: the first found, in id order, so routes are deterministic).
Routers are shared by models with the same org graph (a sweep's runs of one scenario).
"""

from __future__ import annotations

from collections import OrderedDict

import networkx as nx

_CACHE: OrderedDict[tuple, Router] = OrderedDict()
_CACHE_SIZE = 8  # org graphs kept: a sweep varies a few structures at a time


class Router:
    """Shortest routes with the fewest managers, computed once per sender."""

    def __init__(self, neighbours: dict[int, list[int]], managers: set[int]):
        self._neighbours = neighbours
        self._is_manager = {n: (n in managers) for n in neighbours}
        self._trees: dict[int, tuple[dict[int, int], dict[int, int | None]]] = {}

    def _tree(self, source: int) -> tuple[dict[int, int], dict[int, int | None]]:
        tree = self._trees.get(source)
        if tree is not None:
            return tree
        neighbours, is_manager = self._neighbours, self._is_manager
        distance = {source: 0}
        managers = {source: 0}
        parent: dict[int, int | None] = {source: None}
        frontier = [source]
        while frontier:
            following = []
            for u in frontier:
                step, through = distance[u] + 1, managers[u]
                for v in neighbours[u]:
                    cost = through + is_manager[v]
                    if v not in distance:
                        distance[v] = step
                        managers[v] = cost
                        parent[v] = u
                        following.append(v)
                    elif distance[v] == step and cost < managers[v]:
                        managers[v] = cost
                        parent[v] = u
            frontier = following
        self._trees[source] = (distance, parent)
        return distance, parent

    def distances(self, source: int) -> dict[int, int]:
        """Hops from `source` to everyone reachable."""
        return self._tree(source)[0]

    def path(self, source: int, target: int) -> list[int]:
        """Node ids from source to target (both included)."""
        parent = self._tree(source)[1]
        if target not in parent:
            raise nx.NetworkXNoPath(f"no route from {source} to {target}")
        path = [target]
        while path[-1] != source:
            path.append(parent[path[-1]])
        path.reverse()
        return path


def router_for(graph: nx.Graph, managers: set[int]) -> Router:
    """The router of an org graph (shared with earlier models of the same structure)."""
    key = (tuple(sorted(tuple(sorted(edge)) for edge in graph.edges())), tuple(sorted(managers)))
    router = _CACHE.get(key)
    if router is None:
        neighbours = {n: sorted(graph.adj[n]) for n in sorted(graph.nodes)}
        router = Router(neighbours, managers)
        _CACHE[key] = router
        if len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    else:
        _CACHE.move_to_end(key)
    return router
