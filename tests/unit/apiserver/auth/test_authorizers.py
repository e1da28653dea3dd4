"""--authorization-mode chains: system:masters first, then the modes in order; the first
ALLOW or DENY wins and the NO_OPINION reasons on the way are kept."""

from __future__ import annotations

import pytest

from tugboat.apiserver.auth.authorizer import Attributes, Decision
from tugboat.apiserver.auth.authorizers import UnionAuthorizer, build_authorizer
from tugboat.apiserver.auth.user import UserInfo
from tugboat.apiserver.watchcache import WatchCache
from tugboat.store import open_store

BOB = UserInfo("bob", groups=("system:authenticated",))
ROOT = UserInfo("root", groups=("system:masters",))


def get_pods(user: UserInfo) -> Attributes:
    return Attributes(user, "get", True, namespace="default", resource="pods", name="p")


@pytest.fixture
def cache(tmp_path) -> WatchCache:  # noqa: ANN001 - never started: no objects at all
    return WatchCache(open_store(f"sqlite:///{tmp_path}/db"))


def test_masters_pass_even_always_deny(cache: WatchCache) -> None:
    authz = build_authorizer(["AlwaysDeny"], cache)
    assert authz.authorize(get_pods(ROOT))[0] is Decision.ALLOW
    assert authz.authorize(get_pods(BOB)) == (Decision.DENY, "Everything is forbidden.")


def test_always_allow(cache: WatchCache) -> None:
    authz = build_authorizer(["AlwaysAllow"], cache)
    assert authz.authorize(get_pods(BOB))[0] is Decision.ALLOW
    assert authz.rules_for(BOB, "default")[0][0].verbs == ["*"]


def test_node_and_rbac_say_no_opinion_with_reasons(cache: WatchCache) -> None:
    authz = build_authorizer(["Node", "RBAC"], cache)
    node = UserInfo("system:node:a", groups=("system:nodes",))
    decision, reason = authz.authorize(Attributes(node, "get", True, namespace="default",
                                                  resource="secrets", name="s"))
    assert decision is Decision.NO_OPINION
    assert reason == "no relationship found between node 'a' and this object"


@pytest.mark.parametrize("modes,message", [
    (["Webhook"], 'unknown authorization mode "Webhook" specified'),
    (["RBAC", "RBAC"], "has mode specified more than once"),
])
def test_bad_modes(cache: WatchCache, modes: list[str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build_authorizer(modes, cache)


def test_union_stops_at_the_first_decision() -> None:
    class Fixed:
        def __init__(self, d: Decision, why: str) -> None:
            self.d, self.why = d, why

        def authorize(self, a: Attributes) -> tuple[Decision, str]:
            return self.d, self.why

        def rules_for(self, user: UserInfo, namespace: str):  # noqa: ANN201
            return [], [], False

    union = UnionAuthorizer([Fixed(Decision.NO_OPINION, "first"),
                             Fixed(Decision.DENY, "second"), Fixed(Decision.ALLOW, "")])
    assert union.authorize(get_pods(BOB)) == (Decision.DENY, "second")
