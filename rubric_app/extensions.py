"""The Flask extensions, created unbound here and bound to the app in ``create_app``."""

from __future__ import annotations

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
login_manager = LoginManager()
# No default limits: only sign-in and the e-mail sending routes are limited, explicitly.
limiter = Limiter(key_func=get_remote_address, default_limits=[])
