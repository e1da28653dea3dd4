"""`kubectl get serviceaccounts` columns: NAME SECRETS AGE."""

from __future__ import annotations

from tugboat.apiserver.tables import column_definitions, to_row


def test_service_account_row() -> None:
    sa = {"metadata": {"name": "builder", "creationTimestamp": "2025-01-01T00:00:00Z"},
          "secrets": [{"name": "a"}, {"name": "b"}]}
    assert [c["name"] for c in column_definitions("serviceaccounts")] == \
        ["Name", "Secrets", "Age"]
    assert to_row("serviceaccounts", sa, now=1735689600 + 65)["cells"] == ["builder", 2, "65s"]
