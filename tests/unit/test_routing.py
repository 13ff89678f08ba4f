"""Routes: a shortest path, and among shortest paths one through the fewest managers."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pytest

from simulator.routing import Router, router_for


def _router(graph: nx.Graph, managers: set[int]) -> Router:
    return Router({n: sorted(graph.adj[n]) for n in sorted(graph.nodes)}, managers)


@pytest.mark.parametrize("seed", range(20))
def test_routes_are_shortest_with_fewest_managers(seed):
    rng = np.random.default_rng(seed)
    graph = nx.connected_watts_strogatz_graph(30, 4, 0.3, seed=seed)
    managers = {int(n) for n in rng.choice(30, size=8, replace=False)}
    router = _router(graph, managers)
    for source in range(0, 30, 7):
        for target in range(30):
            path = router.path(source, target)
            assert path[0] == source and path[-1] == target
            assert all(graph.has_edge(a, b) for a, b in itertools.pairwise(path))
            shortest = list(nx.all_shortest_paths(graph, source, target))
            assert len(path) == len(shortest[0])
            fewest = min(sum(n in managers for n in p[1:]) for p in shortest)
            assert sum(n in managers for n in path[1:]) == fewest


def test_a_lateral_edge_bypasses_two_managers():
    # a1 - mA - mB - b1 and a2 - a1, b1 - b2; with a lateral link a1 - b1, a2 reaches b2
    # in three hops without any manager.
    graph = nx.Graph(
        [
            ("a2", "a1"),
            ("a1", "mA"),
            ("a2", "mA"),
            ("mA", "mB"),
            ("mB", "b1"),
            ("mB", "b2"),
            ("b1", "b2"),
        ]
    )
    graph = nx.convert_node_labels_to_integers(graph, label_attribute="name")
    ids = {data["name"]: n for n, data in graph.nodes(data=True)}
    managers = {ids["mA"], ids["mB"]}
    assert len(_router(graph, managers).path(ids["a2"], ids["b2"])) == 4  # a2 mA mB b2
    graph.add_edge(ids["a1"], ids["b1"])
    path = _router(graph, managers).path(ids["a2"], ids["b2"])
    assert not set(path) & managers


def test_routers_are_shared_by_identical_graphs():
    graph = nx.path_graph(5)
    assert router_for(graph, {2}) is router_for(nx.path_graph(5), {2})
    assert router_for(graph, {2}) is not router_for(graph, {3})
