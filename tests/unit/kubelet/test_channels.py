"""The exec channel protocol: negotiation, framing, and the status kubectl turns into an
exit code."""

from __future__ import annotations

import orjson

from tugboat.kubelet.server import channels


def test_protocol_choice() -> None:
    assert channels.choose_protocol(["v5.channel.k8s.io"]) == "v5.channel.k8s.io"
    assert channels.choose_protocol(["v4.channel.k8s.io, v5.channel.k8s.io"]) == \
        "v5.channel.k8s.io"
    assert channels.choose_protocol(["v4.channel.k8s.io"]) == "v4.channel.k8s.io"
    assert channels.choose_protocol(["base64.channel.k8s.io"]) is None


def test_exit_statuses() -> None:
    assert orjson.loads(channels.exit_status(0)) == {"metadata": {}, "status": "Success"}
    failed = orjson.loads(channels.exit_status(3))
    assert failed["reason"] == "NonZeroExitCode"
    assert failed["details"]["causes"] == [{"reason": "ExitCode", "message": "3"}]
    assert failed["message"].endswith("exit status 3")


def test_frames_and_resize() -> None:
    assert channels.frame(channels.STDOUT, b"x") == b"\x01x"
    assert channels.parse_resize(b'{"Width":80,"Height":24}') == (80, 24)
    assert channels.parse_resize(b"junk") is None
