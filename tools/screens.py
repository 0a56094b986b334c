"""Screenshots at 360 px of what a reporter sees, in the four languages.

    make screens            # or: .venv/bin/python tools/screens.py [--port 8160]

Starts the real application (gunicorn, a throw-away SQLite database in a
temporary folder, 127.0.0.1 only), drives Debian's Chromium with Playwright
with JavaScript off, as over Tor Browser's safest level, and writes
docs/screens/<language>-<page>.png: the report form, the urgent path, the
receipt and the follow-up page. Nothing is sent anywhere else.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screens"
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
CHROMIUM = os.environ.get("AMPARO_CHROMIUM", "/usr/bin/chromium")
LANGUAGES = ("en", "fr", "es", "ar")
NOW = {
    "en": "Two men are outside my door; they say they are police.",
    "fr": "Deux hommes sont devant ma porte ; ils disent être de la police.",
    "es": "Hay dos hombres frente a mi puerta; dicen que son policías.",
    "ar": "رجلان أمام بابي، ويقولان إنهما من الشرطة.",
}


def serve(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT),
        AMPARO_DATA_DIR=str(data_dir),
        AMPARO_DATABASE_URL=f"sqlite:///{data_dir}/screens.sqlite3",
        AMPARO_SUBMISSIONS_PER_CLIENT_PER_HOUR="0",
        AMPARO_RECEIPT_ATTEMPTS_PER_CLIENT="0",
    )
    env.pop("AMPARO_ENV", None)
    subprocess.run(  # noqa: S603  our own interpreter and script
        [str(PYTHON), "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    server = subprocess.Popen(  # noqa: S603  our own gunicorn, loopback only
        [
            str(GUNICORN),
            "amparo.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--threads",
            "4",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not start")


def shoot(base: str) -> list[Path]:
    from playwright.sync_api import sync_playwright

    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        for lang in LANGUAGES:
            context = browser.new_context(
                viewport={"width": 360, "height": 740}, java_script_enabled=False
            )
            page = context.new_page()

            def save(name: str, page: Any = page, lang: str = lang) -> None:
                path = OUT / f"{lang}-{name}.png"
                page.screenshot(path=str(path), full_page=True)
                written.append(path)

            page.goto(f"{base}/{lang}/report/")
            save("1-form")
            page.goto(f"{base}/{lang}/danger/")
            save("2-urgent")
            page.fill("#id_happening_now", NOW[lang])
            page.check("#id_consent_store")
            page.check("#id_consent_contact")
            with page.expect_navigation():
                page.locator("main form button[type=submit]").last.click()
            receipt = page.locator("#receipt").inner_text().strip()
            save("3-receipt")
            page.fill("#id_last4", receipt.replace(" ", "")[-4:])
            with page.expect_navigation():
                page.locator(".confirm-code button[type=submit]").click()
            page.goto(f"{base}/{lang}/follow-up/")
            page.fill("#id_receipt", receipt)
            with page.expect_navigation():
                page.locator("main form button[type=submit]").last.click()
            save("4-follow-up")
            context.close()
        browser.close()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8160)
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        sys.exit(f"needs Chromium at {CHROMIUM} (apt-get install chromium)")
    OUT.mkdir(parents=True, exist_ok=True)
    data_dir = Path(tempfile.mkdtemp(prefix="amparo-screens-"))
    server = serve(data_dir, args.port)
    try:
        for path in shoot(f"http://127.0.0.1:{args.port}"):
            print(f"screen: {path.relative_to(ROOT)}")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
