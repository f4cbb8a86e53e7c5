"""The demo user's platform login: the same ``demo`` user, signed in through ``/api``.

On the first start a random password is written to ``demo_user_password`` (mode 0600) in
the data directory and the demo user gets a platform account (``demo@augury.local``);
later starts reuse both. ``augury demo`` prints the login.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from augury.api.context import Context
from augury.demo.welcome import DEMO_USER
from augury.platform import signup
from augury.platform.admin import set_role
from augury.platform.service import Platform

__all__ = ["DEMO_EMAIL", "PASSWORD_FILE", "ensure_demo_account", "login_text"]

DEMO_EMAIL = "demo@augury.local"
PASSWORD_FILE = "demo_user_password"  # noqa: S105 (a file name)


async def ensure_demo_account(context: Context, data_dir: Path) -> tuple[str, str] | None:
    """Give the demo user a platform account; return ``(email, password)``."""
    platform = context.platform
    if not isinstance(platform, Platform):
        return None
    password_file = data_dir / PASSWORD_FILE
    if password_file.exists():
        password = password_file.read_text().strip()
    else:
        password = secrets.token_urlsafe(12)
        password_file.write_text(password + "\n")
        password_file.chmod(0o600)
    await signup.adopt(platform, DEMO_USER, DEMO_EMAIL, password)
    # The person who runs the demo is its operator: the web console is theirs to try.
    await set_role(platform, DEMO_EMAIL, operator=True)
    return DEMO_EMAIL, password


def login_text(base_url: str, email: str, password: str) -> str:
    """Return the lines ``augury demo`` prints about the platform login."""
    return (
        f"  Website    {base_url}/   (sign in below; the demo user is also the operator)\n"
        f"  Platform   {base_url}/api  (JSON API: POST /api/auth/login)\n"
        f"  Login      {email} / {password}   (password in {PASSWORD_FILE})\n"
    )
