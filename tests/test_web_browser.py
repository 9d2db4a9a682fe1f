"""The search page in a real browser: Playwright driving Debian's chromium.

Browsers cannot be downloaded here, so Playwright is pointed at the system's
chromium (``.ci/run`` installs it with apt). Without it the tests skip, except
under CI, where a missing browser is a failure.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

pytest.importorskip("starlette", reason="the web extra is not installed")
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (the dev extra) is not installed")

from web_helpers import HOSTILE_TITLE, Server, build_index, serving, write_corpus  # noqa: E402

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
#: No sandbox (CI runs as root), no GPU, and nothing that calls home.
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"no chromium at {CHROMIUM}: .ci/run installs it with apt")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("browser")
    location = build_index(write_corpus(root / "docs"), root / "index", "whoosh")
    yield from serving("--index", str(location), "--port", "0")


def marks_read_right_to_left(page) -> None:
    """Two highlighted words on one line: the one that comes first in the text is further right."""
    boxes = page.evaluate("""() => [...document.querySelectorAll('#results .hit .snippet')].map(
        snippet => [...snippet.querySelectorAll('mark')].map(m => { const r = m.getBoundingClientRect();
                                                                   return [Math.round(r.top), r.left, r.right]; }))""")
    pairs = [(a, b) for marks in boxes for a, b in zip(marks, marks[1:]) if a[0] == b[0]]
    assert pairs, boxes
    for first, second in pairs:
        assert first[1] > second[2] - 1, (first, second)  # the first word's left edge is right of the second's end


def test_typing_shows_marked_results_right_to_left_and_a_suggestion_leads_on(browser, server: Server,
                                                                             tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": 1000, "height": 900}, locale="fa-IR")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(server.url)
    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert page.evaluate("document.documentElement.lang") == "fa"

    page.locator("#q").press_sequentially("رئیس جمهوری", delay=20)  # no Enter: search as you type
    page.wait_for_selector("#results .hit mark")
    assert parse_qs(urlparse(page.url).query)["q"] == ["رئیس جمهوری"]  # the address follows the results
    first = page.locator("#results .hit").first
    assert first.evaluate("e => getComputedStyle(e).direction") == "rtl"
    marked = page.locator("#results .hit mark").all_inner_texts()
    assert {"رئیس", "رییس", "جمهوری"} & set(marked), marked
    # Right-aligned: each title starts at the right edge of the results list.
    title, results = first.locator("h2").bounding_box(), page.locator("#results .hits").bounding_box()
    assert abs((title["x"] + title["width"]) - (results["x"] + results["width"])) < 2
    marks_read_right_to_left(page)
    assert "نتیجه" in page.locator("#status").inner_text()  # announced to screen readers

    page.locator("#q").fill("")
    page.locator("#q").press_sequentially("روحانب", delay=20)
    suggestion = page.locator(".suggestion a").first
    suggestion.wait_for()
    assert suggestion.inner_text() == "روحانی"
    suggestion.click()
    page.wait_for_url("**q=*")
    page.wait_for_selector("#results .hit mark")
    assert page.locator("#q").input_value() == "روحانی"
    assert set(page.locator("#results .hit mark").all_inner_texts()) == {"روحانی"}
    shot = tmp_path / "search.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
    assert not errors, errors
    page.close()


def test_without_javascript_the_form_still_searches(browser, server: Server) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server.url)
    page.locator("#q").fill("درخت")
    page.locator("#q").press("Enter")
    page.wait_for_selector("#results .hit mark")
    assert parse_qs(urlparse(page.url).query)["q"] == ["درخت"]
    page.locator(".pages a[rel=next]").click()
    page.wait_for_selector(".pages [aria-current=page]")
    assert page.locator(".pages [aria-current=page]").inner_text() == "۲"
    context.close()


def test_a_new_query_keeps_what_the_search_was_asked_with(browser, server: Server) -> None:
    # Typed (search as you type) and submitted without JavaScript, a new query keeps the other
    # parameters of the search on screen (here its limit; filters, sort and facets alike).
    with_js = browser.new_page()
    with_js.goto(server.url + "?q=%D8%AF%D8%B1%D8%AE%D8%AA&limit=3")  # ?q=درخت&limit=3
    with_js.wait_for_selector("#results .hit")
    with_js.locator("#q").fill("")
    with_js.locator("#q").press_sequentially("رودخانه", delay=20)
    with_js.wait_for_function("() => new URL(location.href).searchParams.get('q') === 'رودخانه'")
    assert parse_qs(urlparse(with_js.url).query)["limit"] == ["3"]
    assert with_js.locator("#results .hit").count() == 3
    with_js.close()
    context = browser.new_context(java_script_enabled=False)
    without_js = context.new_page()
    without_js.goto(server.url + "?q=%D8%AF%D8%B1%D8%AE%D8%AA&limit=3")
    without_js.locator("#q").fill("رودخانه")
    without_js.locator("#q").press("Enter")
    without_js.wait_for_url("**q=%D8%B1%D9%88%D8%AF*")
    assert parse_qs(urlparse(without_js.url).query) == {"q": ["رودخانه"], "limit": ["3"]}
    assert without_js.locator("#results .hit").count() == 3
    context.close()


def test_markup_in_a_document_is_shown_not_run(browser, server: Server) -> None:
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(server.url + "?q=" + "کتابخانه مرکزی")
    title = page.locator("#results .hit h2").filter(has_text="alert").first
    assert title.inner_text() == HOSTILE_TITLE
    title.locator("a").click()
    page.wait_for_selector("article.document mark")
    assert "<script>alert('body')</script>" in page.locator("article .text").inner_text()
    assert page.evaluate("document.querySelectorAll('article script, article img').length") == 0
    assert not dialogs
    page.close()
