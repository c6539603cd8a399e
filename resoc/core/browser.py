"""Playwright on Debian's Chromium, for the browser tests (browsers cannot be downloaded here)."""

import os
import shutil
import time

import pytest

CHROMIUM = os.environ.get("RESOC_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-dev-shm-usage",
]


# A phone held upright (the size of an iPhone 12 to 14), with a touch screen.
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def _browser_page(live_server, **context_options):
    if not shutil.which(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make browsers` (Debian's chromium).")
    # Playwright's sync API runs an event loop in this thread; the ORM calls of the test are
    # still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        context = browser.new_context(base_url=live_server.url, locale="en-GB", **context_options)
        page = context.new_page()
        page.set_default_timeout(15_000)
        yield page
        context.close()
        browser.close()


@pytest.fixture
def page(live_server):
    yield from _browser_page(live_server)


@pytest.fixture
def phone_page(live_server):
    """A page in a phone-sized, touch-screen browser."""
    yield from _browser_page(live_server, **PHONE)


def totp_code(secret: str) -> str:
    """The code an authenticator app shows now, for a code that is still valid when it arrives.

    The server accepts only the current 30-second step; a code read in the step's last seconds
    can reach a busy test server in the next one, so we wait for a fresh step first.
    """
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    step = 30
    if step - time.time() % step < 5:
        time.sleep(step - time.time() % step + 0.1)
    return format_hotp_value(hotp_value(secret, int(time.time() // step)))
