"""With REDIS_URL set, the rate limits are counted in Redis unless another storage was chosen."""

from __future__ import annotations

from typing import Any

from rubric_app import share_rate_limits


def test_redis_url_becomes_the_rate_limit_storage_when_it_was_left_at_memory() -> None:
    config: dict[str, Any] = {
        "REDIS_URL": "redis://10.0.0.5:6379/0",
        "RATELIMIT_STORAGE_URI": "memory://",
    }
    share_rate_limits(config)
    assert config["RATELIMIT_STORAGE_URI"] == "redis://10.0.0.5:6379/0"


def test_a_chosen_storage_is_kept() -> None:
    config: dict[str, Any] = {
        "REDIS_URL": "redis://10.0.0.5:6379/0",
        "RATELIMIT_STORAGE_URI": "redis://10.0.0.6:6379/3",
    }
    share_rate_limits(config)
    assert config["RATELIMIT_STORAGE_URI"] == "redis://10.0.0.6:6379/3"


def test_without_redis_the_limits_stay_in_memory() -> None:
    config: dict[str, Any] = {"REDIS_URL": "", "RATELIMIT_STORAGE_URI": "memory://"}
    share_rate_limits(config)
    assert config["RATELIMIT_STORAGE_URI"] == "memory://"
