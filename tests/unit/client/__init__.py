"""Unit tests of tugboat.client (no processes; HTTP through httpx.MockTransport)."""
