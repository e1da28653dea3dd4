"""The kubelet's log rotation flags: Kubernetes' defaults (10Mi, 5 files), quantities in
either unit system, and the configurations it refuses."""

from __future__ import annotations

import pytest

from tugboat.kubelet.config import parse_args


def test_defaults_are_kubernetes() -> None:
    cfg = parse_args([])
    assert (cfg.container_log_max_size, cfg.container_log_max_files) == (10 * 1024 ** 2, 5)


@pytest.mark.parametrize(("size", "want"), [("64Ki", 65536), ("1M", 1_000_000),
                                            ("2048", 2048)])
def test_sizes(size: str, want: int) -> None:
    assert parse_args(["--container-log-max-size", size]).container_log_max_size == want


@pytest.mark.parametrize("argv", [["--container-log-max-files", "1"],
                                  ["--container-log-max-size", "0"],
                                  ["--container-log-max-size", "ten megs"]])
def test_refused(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parse_args(argv)
    err = capsys.readouterr().err
    assert "container-log-max-size" in err or "containerLogMaxFiles" in err
