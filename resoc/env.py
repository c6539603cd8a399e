"""Reading settings from the environment, failing loudly where a value is required."""

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in TRUE_WORDS


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def secret_key(var_dir: Path, *, may_generate: bool) -> str:
    """RESOC_SECRET_KEY, or in debug/demo mode a key generated once into var/."""
    key = os.environ.get("RESOC_SECRET_KEY")
    if key:
        return key
    if not may_generate:
        raise ImproperlyConfigured(
            "RESOC_SECRET_KEY is not set. Set it, or set RESOC_DEBUG=1 (or RESOC_DEMO=1) "
            "to have one generated for trying Resoc on this machine."
        )
    path = var_dir / "secret_key"
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()
