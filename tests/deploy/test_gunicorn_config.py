"""deploy/gunicorn.conf.py: threaded workers, timeouts, and settings read from the environment."""

from __future__ import annotations

import gc
import runpy
from pathlib import Path
from typing import Any

import pytest

CONFIG = Path(__file__).resolve().parents[2] / "deploy" / "gunicorn.conf.py"
KEYS = ("HOST", "PORT", "WEB_CONCURRENCY", "WEB_THREADS", "RUBRIC_APP_TRUSTED_PROXIES")


def _settings(monkeypatch: pytest.MonkeyPatch, **env: str) -> dict[str, Any]:
    for key in (*KEYS, "FORWARDED_ALLOW_IPS"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return runpy.run_path(str(CONFIG))


def test_defaults_are_threaded_with_timeouts(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _settings(monkeypatch)
    assert settings["worker_class"] == "gthread"
    assert settings["threads"] == 32
    assert settings["workers"] >= 2
    assert settings["bind"] == "127.0.0.1:8000"
    assert (settings["timeout"], settings["graceful_timeout"], settings["keepalive"]) == (60, 30, 5)
    assert settings["max_requests"] > settings["max_requests_jitter"] > 0


def test_environment_sets_bind_workers_and_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _settings(
        monkeypatch, HOST="10.1.2.3", PORT="9000", WEB_CONCURRENCY="5", WEB_THREADS="64"
    )
    assert settings["bind"] == "10.1.2.3:9000"
    assert (settings["workers"], settings["threads"]) == (5, 64)


def test_nonsense_numbers_fall_back_to_the_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _settings(monkeypatch, PORT="eighty", WEB_THREADS="0")
    assert settings["bind"] == "127.0.0.1:8000"
    assert settings["threads"] == 32


def test_forwarded_headers_are_believed_only_behind_trusted_proxies(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert _settings(monkeypatch)["forwarded_allow_ips"] == ""
    assert _settings(monkeypatch, RUBRIC_APP_TRUSTED_PROXIES="0")["forwarded_allow_ips"] == ""
    behind_nginx = _settings(monkeypatch, RUBRIC_APP_TRUSTED_PROXIES="1")
    assert behind_nginx["forwarded_allow_ips"] == "127.0.0.1,::1"
    elsewhere = _settings(
        monkeypatch, RUBRIC_APP_TRUSTED_PROXIES="1", FORWARDED_ALLOW_IPS="10.0.0.5"
    )
    assert elsewhere["forwarded_allow_ips"] == "10.0.0.5"


def test_a_worker_freezes_what_it_loaded_at_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    """After the worker has loaded the app, what exists is moved out of the collector's way."""
    settings = _settings(monkeypatch)
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    try:
        settings["post_worker_init"](object())
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
