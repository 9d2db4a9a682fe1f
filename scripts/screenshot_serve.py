"""Take docs/img/serve.png: the search page of ``persearch serve`` on the seeds index.

    python scripts/screenshot_serve.py [OUT.png] [QUERY]

Needs the web and dev extras and Debian's chromium (Playwright drives it
through ``executable_path``; it cannot download a browser here). The index is
built in a temporary folder; the server listens on a free loopback port.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlencode

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
EXE = Path(sys.executable).with_name("persearch")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "img" / "serve.png"
    query = sys.argv[2] if len(sys.argv) > 2 else "رئیس جمهوری"
    with tempfile.TemporaryDirectory() as folder:
        index = Path(folder) / "index"
        subprocess.run([str(EXE), "index", str(ROOT / "seeds"), "--index", str(index)], check=True,
                       capture_output=True)
        server = subprocess.Popen([str(EXE), "serve", "--index", str(index), "--port", "0"],
                                  stderr=subprocess.PIPE, text=True)
        try:
            url = re.search(r"at (http://\S+/) ", server.stderr.readline()).group(1)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                                     args=ARGS)
                page = browser.new_page(viewport={"width": 1000, "height": 640}, locale="fa-IR")
                page.goto(f"{url}?{urlencode({'q': query})}")
                page.wait_for_selector("#results .hit mark")
                out.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(out))
                browser.close()
        finally:
            server.terminate()
            server.wait()
    print(out)


if __name__ == "__main__":
    main()
