"""rubric_app: review school resource officer policies against the SECURe rubrics.

``create_app`` only wires things together: configuration, extensions, blueprints, CLI and
template helpers. The one piece of I/O it does is loading the rubric catalog.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from rubric_app.config import ENV_PREFIX, PLAIN_ENV_KEYS, PROJECT_ROOT, DefaultConfig
from rubric_app.observability import init_observability


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Create and configure the app."""
    instance_path = os.environ.get(f"{ENV_PREFIX}INSTANCE_PATH", str(PROJECT_ROOT / "instance"))
    app = Flask(
        __name__,
        instance_path=instance_path,
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    configure(app, test_config)
    trust_proxies(app)
    init_observability(app)
    register_extensions(app)
    register_blueprints(app)
    register_cli(app)
    register_template_helpers(app)
    return app


def configure(app: Flask, test_config: Mapping[str, Any] | None) -> None:
    """Read defaults, instance/config.py, the environment, then the test mapping."""
    app.config.from_object(DefaultConfig)
    app.config.from_pyfile("config.py", silent=True)
    for key in PLAIN_ENV_KEYS:
        if os.environ.get(key):
            app.config[key] = os.environ[key]
    app.config.from_prefixed_env(ENV_PREFIX.rstrip("_"))
    if test_config is not None:
        app.config.from_mapping(test_config)
    if not app.config["DATABASE_URL"] or not app.config["SECRET_KEY"]:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config["DATABASE_URL"]:
        from rubric_app.db import sqlite_url_for

        app.config["DATABASE_URL"] = sqlite_url_for(app.instance_path)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _instance_secret_key(Path(app.instance_path))
    if not app.config["PDF_CACHE_DIR"]:
        app.config["PDF_CACHE_DIR"] = str(Path(app.instance_path) / "pdf-cache")
    share_rate_limits(app.config)


def share_rate_limits(config: dict[str, Any]) -> None:
    """Count rate limits in Redis when REDIS_URL is set and no other storage was chosen.

    Several web processes that each counted in memory would each allow the full limit; the one
    Redis they already share for the job queue makes the limits hold across all of them.
    """
    redis_url = str(config.get("REDIS_URL") or "")
    if redis_url and config.get("RATELIMIT_STORAGE_URI") == DefaultConfig.RATELIMIT_STORAGE_URI:
        config["RATELIMIT_STORAGE_URI"] = redis_url


def trust_proxies(app: Flask) -> None:
    """Read the client address and scheme from the configured number of reverse proxies."""
    hops = int(app.config["TRUSTED_PROXIES"])
    if hops > 0:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )


def _instance_secret_key(instance: Path) -> str:
    # Every worker on this machine must sign with the same key, so it is kept in a file that
    # only the owner can read rather than generated per process.
    key_file = instance / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def register_extensions(app: Flask) -> None:
    """Bind the database, CSRF, sign-in, rate limiting, security headers and the catalog."""
    from rubric_app import body_guard, security, url_numbers
    from rubric_app.auth_session import init_login
    from rubric_app.catalog_state import init_catalog
    from rubric_app.db import db
    from rubric_app.extensions import csrf, limiter
    from rubric_app.framework_state import init_frameworks
    from rubric_app.jobs.queue import init_jobs
    from rubric_app.states.figures import init_figures

    db.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    init_login(app)
    security.init_app(app)
    body_guard.init_app(app)
    url_numbers.init_app(app)
    init_catalog(app)
    init_frameworks(app)
    init_figures(app)
    init_jobs(app)


def register_blueprints(app: Flask) -> None:
    """Register one blueprint per feature."""
    from rubric_app.accounts.routes import bp as accounts_bp
    from rubric_app.admin.routes import bp as admin_bp
    from rubric_app.agreements.routes import bp as agreements_bp
    from rubric_app.compare.routes import bp as compare_bp
    from rubric_app.framework_pages.routes import bp as framework_pages_bp
    from rubric_app.jobs.routes import bp as jobs_bp
    from rubric_app.main.routes import bp as main_bp
    from rubric_app.questionnaire.routes import bp as questionnaire_bp
    from rubric_app.reports.routes import bp as reports_bp
    from rubric_app.resources.routes import bp as resources_bp
    from rubric_app.rubric_pages.routes import bp as rubric_pages_bp
    from rubric_app.states.routes import bp as states_bp

    for blueprint in (
        main_bp,
        accounts_bp,
        questionnaire_bp,
        reports_bp,
        resources_bp,
        rubric_pages_bp,
        framework_pages_bp,
        compare_bp,
        states_bp,
        admin_bp,
        jobs_bp,
        agreements_bp,
    ):
        app.register_blueprint(blueprint)


def register_cli(app: Flask) -> None:
    """Add the ``flask rubrics|demo|users|orgs`` command groups."""
    from rubric_app.cli import register

    register(app)


def register_template_helpers(app: Flask) -> None:
    """Expose formatting filters and the navigation context to templates."""
    from rubric_app.templating import init_templating

    init_templating(app)
