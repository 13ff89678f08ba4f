"""Routes in the org graph: shortest paths, and among them the one through the fewest managers.

A breadth-first search per sender, keeping for each person the fewest managers on a
shortest path to them (ties: the first found, in id order, so routes are deterministic).
Routers are shared by models with the same org graph (a sweep's runs of one scenario).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Mapping

import networkx as nx
import numpy as np

_CACHE: OrderedDict[tuple, Router] = OrderedDict()
_CACHE_SIZE = 8  # org graphs kept: a sweep varies a few structures at a time
LEVELWISE_FROM = 600  # nodes from which a level-at-a-time search is faster (measured)


class Router:
    """Shortest routes with the fewest managers, computed once per sender.

    Each sender's routes are kept as two small-integer arrays over the nodes (hops, and
    the node before each one on its route). Every collaborator may send, so the routes
    kept grow with people squared; as dicts they took about 250 MB at 1,900 people.
    In large graphs the search goes a whole level at a time with numpy (a few array
    operations per level instead of a Python step per edge); below LEVELWISE_FROM nodes
    the per-level calls cost more than the edges, and the same search is done one node
    at a time. Both give the same routes.
    """

    def __init__(self, neighbours: dict[int, list[int]], managers: set[int]):
        self._ids = list(neighbours)
        self._position = {node: k for k, node in enumerate(self._ids)}
        self._adjacency = [[self._position[v] for v in neighbours[node]] for node in self._ids]
        self._is_manager = [int(node in managers) for node in self._ids]
        degrees = [len(targets) for targets in self._adjacency]
        self._first = np.concatenate(([0], np.cumsum(degrees, dtype=np.int64)))
        self._targets = np.fromiter(
            (v for targets in self._adjacency for v in targets), np.int64, self._first[-1]
        )
        self._manager_array = np.array(self._is_manager, dtype=np.int64)
        # Positions and hops are below the node count: two bytes each when that fits.
        self._dtype = np.int16 if len(self._ids) <= np.iinfo(np.int16).max else np.int32
        self._trees: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def _tree(self, source: int) -> tuple[np.ndarray, np.ndarray]:
        """Hops from `source` (-1: unreachable) and each node's parent on its route."""
        tree = self._trees.get(source)
        if tree is None:
            search = self._by_level if len(self._ids) >= LEVELWISE_FROM else self._by_node
            hops, parent = search(source)
            tree = (np.asarray(hops, self._dtype), np.asarray(parent, self._dtype))
            self._trees[source] = tree
        return tree

    def _by_node(self, source: int) -> tuple[list[int], list[int]]:
        """Breadth first, one node at a time: each node keeps the fewest managers on a
        shortest route to it, ties to the first found (frontier in the order found, each
        node's neighbours in the order given)."""
        count = len(self._ids)
        adjacency, is_manager = self._adjacency, self._is_manager
        hops, managers, parent = [-1] * count, [0] * count, [-1] * count
        hops[source] = 0
        frontier = [source]
        while frontier:
            following = []
            for u in frontier:
                step, through = hops[u] + 1, managers[u]
                for v in adjacency[u]:
                    cost = through + is_manager[v]
                    if hops[v] < 0:
                        hops[v], managers[v], parent[v] = step, cost, u
                        following.append(v)
                    elif hops[v] == step and cost < managers[v]:
                        managers[v], parent[v] = cost, u
            frontier = following
        return hops, parent

    def _by_level(self, source: int) -> tuple[np.ndarray, np.ndarray]:
        """The same search as `_by_node`, a whole level at a time."""
        count = len(self._ids)
        hops = np.full(count, -1, dtype=np.int64)
        managers = np.zeros(count, dtype=np.int64)
        parent = np.full(count, -1, dtype=np.int64)
        hops[source] = 0
        frontier = np.array([source], dtype=np.int64)
        step = 0
        while frontier.size:
            step += 1
            # Every edge out of the frontier, in the order `_by_node` meets them.
            first = self._first[frontier]
            degree = self._first[frontier + 1] - first
            owner = np.repeat(np.arange(frontier.size), degree)
            offset = np.arange(owner.size) - np.repeat(np.cumsum(degree) - degree, degree)
            reached = self._targets[np.repeat(first, degree) + offset]
            new = hops[reached] < 0
            owner, reached = owner[new], reached[new]
            if not reached.size:
                break
            cost = managers[frontier[owner]]
            # Nodes are found in the order of their first edge; the parent is the first
            # frontier node with the fewest managers (as in `_by_node`, later ties lose).
            found, first_edge = np.unique(reached, return_index=True)
            by = np.lexsort((np.arange(reached.size), cost, reached))
            heads = by[np.flatnonzero(np.diff(reached[by], prepend=-1))]
            hops[found] = step
            managers[found] = cost[heads] + self._manager_array[found]
            parent[found] = frontier[owner[heads]]
            frontier = found[np.argsort(first_edge)]
        return hops, parent

    def distances(self, source: int) -> Mapping[int, int]:
        """Hops from `source` to everyone reachable."""
        return _Hops(self._ids, self._position, self._tree(self._position[source])[0])

    def path(self, source: int, target: int) -> list[int]:
        """Node ids from source to target (both included)."""
        start = self._position[source]
        hops, parent = self._tree(start)
        end = self._position.get(target)
        if end is None or hops[end] < 0:
            raise nx.NetworkXNoPath(f"no route from {source} to {target}")
        path = [end]
        while path[-1] != start:
            path.append(int(parent[path[-1]]))
        return [self._ids[k] for k in reversed(path)]


class _Hops(Mapping[int, int]):
    """Node id -> hops from one sender, for the nodes it reaches (a view of its tree)."""

    def __init__(self, ids: list[int], position: dict[int, int], hops: np.ndarray):
        self._ids, self._position, self._hops = ids, position, hops

    def __getitem__(self, node: int) -> int:
        k = self._position.get(node)
        if k is None or self._hops[k] < 0:
            raise KeyError(node)
        return int(self._hops[k])

    def __iter__(self) -> Iterator[int]:
        return (self._ids[k] for k in np.flatnonzero(self._hops >= 0))

    def __len__(self) -> int:
        return int(np.count_nonzero(self._hops >= 0))


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
