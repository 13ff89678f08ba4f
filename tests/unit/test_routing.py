"""Routes: a shortest path, and among shortest paths one through the fewest managers."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pytest

from simulator.loading import load_scenario
from simulator.model import OrgModel
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


def reference_routes(neighbours: dict[int, list[int]], managers: set[int], source: int):
    """The search the router replaced, kept as the definition of its routes: breadth
    first with dicts, each node keeping the fewest managers on a shortest route to it,
    ties to the first found (frontier in the order found, neighbours in the order given).
    Returns hops and parent by node id."""
    distance, through, parent = {source: 0}, {source: 0}, {source: None}
    frontier = [source]
    while frontier:
        following = []
        for u in frontier:
            for v in neighbours[u]:
                cost = through[u] + (v in managers)
                if v not in distance:
                    distance[v], through[v], parent[v] = distance[u] + 1, cost, u
                    following.append(v)
                elif distance[v] == distance[u] + 1 and cost < through[v]:
                    through[v], parent[v] = cost, u
        frontier = following
    return distance, parent


def _org_graph(name: str, *overrides: str) -> tuple[nx.Graph, set[int]]:
    org = OrgModel(load_scenario(name, list(overrides))).org
    return org.graph, {m.unique_id for m in org.managers}


def _random_graph(seed: int) -> tuple[nx.Graph, set[int]]:
    rng = np.random.default_rng(seed)
    graph = nx.gnm_random_graph(50, 60 + 4 * seed, seed=seed)  # often disconnected
    return graph, {int(n) for n in rng.choice(50, size=12, replace=False)}


GRAPHS = {
    **{f"random-{seed}": (lambda seed=seed: _random_graph(seed)) for seed in range(12)},
    "product-launch": lambda: _org_graph("product-launch"),
    "transformation-lateral": lambda: _org_graph(
        "transformation-programme", "organisation.lateral_links=60"
    ),
}


@pytest.mark.parametrize("level_by_level", [False, True])
@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_both_searches_give_the_routes_of_the_reference(name, level_by_level, monkeypatch):
    graph, managers = GRAPHS[name]()
    if level_by_level:
        monkeypatch.setattr("simulator.routing.LEVELWISE_FROM", 0)
    else:
        monkeypatch.setattr("simulator.routing.LEVELWISE_FROM", 10**9)
    neighbours = {n: sorted(graph.adj[n]) for n in sorted(graph.nodes)}
    router = Router(neighbours, managers)
    for source in sorted(graph.nodes)[:: max(1, len(graph) // 40)]:
        distance, parent = reference_routes(neighbours, managers, source)
        assert dict(router.distances(source)) == distance
        for target in graph.nodes:
            if target in parent:
                path = [target]
                while path[-1] != source:
                    path.append(parent[path[-1]])
                assert router.path(source, target) == path[::-1]
            else:
                with pytest.raises(nx.NetworkXNoPath):
                    router.path(source, target)
