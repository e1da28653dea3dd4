"""The cache: nodes with bound and assumed pods; assume, confirm, forget; image counts."""

from __future__ import annotations

from tugboat.scheduler.cache import SchedulerCache
from tugboat.scheduler.framework import PodInfo

from .objects import make_node, make_pod


def bound(name: str, node: str, **kwargs) -> PodInfo:
    return PodInfo.of(make_pod(name, node_name=node, **kwargs))


def test_assume_then_confirm():
    cache = SchedulerCache()
    cache.set_node(make_node("n1"))
    pod = PodInfo.of(make_pod("a", cpu="1"))
    cache.assume_pod(pod, "n1")
    assert cache.is_assumed(pod.key) and cache.get_node("n1").requested.cpu == 1000
    cache.add_pod(bound("a", "n1", cpu="1"))  # the binding, seen through the informer
    assert not cache.is_assumed(pod.key)
    assert cache.get_node("n1").requested.cpu == 1000 and cache.pod_count() == 1
    cache.forget_pod(pod.key)  # too late to forget a confirmed pod
    assert cache.node_of(pod.key) == "n1"


def test_forget_undoes_an_assumption():
    cache = SchedulerCache()
    cache.set_node(make_node("n1"))
    cache.assume_pod(PodInfo.of(make_pod("a", cpu="1")), "n1")
    cache.forget_pod("default/a")
    assert cache.get_node("n1").requested.cpu == 0 and cache.node_of("default/a") is None


def test_a_pod_seen_on_another_node_moves():
    cache = SchedulerCache()
    for name in ("n1", "n2"):
        cache.set_node(make_node(name))
    cache.assume_pod(PodInfo.of(make_pod("a", cpu="1")), "n1")
    cache.add_pod(bound("a", "n2", cpu="1"))
    assert cache.get_node("n1").requested.cpu == 0
    assert cache.get_node("n2").requested.cpu == 1000


def test_pods_may_arrive_before_their_node():
    cache = SchedulerCache()
    cache.add_pod(bound("a", "late", cpu="1"))
    assert cache.node_list() == [] and cache.get_node("late") is None
    cache.set_node(make_node("late"))
    assert [n.name for n in cache.node_list()] == ["late"]
    assert cache.get_node("late").requested.cpu == 1000


def test_a_deleted_node_keeps_its_pods_until_they_go():
    cache = SchedulerCache()
    cache.set_node(make_node("n1"))
    cache.add_pod(bound("a", "n1", cpu="1"))
    cache.remove_node("n1")
    assert cache.node_count() == 0 and cache.node_of("default/a") == "n1"
    cache.remove_pod("default/a")
    cache.set_node(make_node("n1"))
    assert cache.get_node("n1").requested.cpu == 0


def test_image_node_counts():
    cache = SchedulerCache()
    cache.set_node(make_node("n1", images={"nginx": 10, "redis:7": 5}))
    cache.set_node(make_node("n2", images={"nginx:latest": 10}))
    assert cache.image_node_count("nginx:latest") == 2
    assert cache.image_node_count("redis:7") == 1
    cache.set_node(make_node("n1", images={"redis:7": 5}))  # nginx gone from n1
    assert cache.image_node_count("nginx:latest") == 1
    cache.remove_node("n2")
    assert cache.image_node_count("nginx:latest") == 0 and cache.node_count() == 1
