"""A curator in a real headless Chromium (Debian's) against the real ``resolver serve``.

Selenium drives ``/usr/bin/chromium`` through ``/usr/bin/chromedriver`` (given explicitly, so
Selenium Manager never downloads anything).  The curator signs in with an API token, links a value
from the review queue to its entity, merges two entities from an entity page, and the next resolve
(over HTTP, in another worker process) sees both.  The screenshots in the README come from this
test: set ``RESOLVER_SCREENSHOT_DIR=docs`` to write them there (otherwise into a temporary folder).
"""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import require_service
from live_server import call, live_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
TOKEN = "browser-test-token"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-dev-shm-usage",
         "--window-size=1100,900"]


@pytest.fixture()
def server(db_path: Path, tmp_path: Path) -> Iterator[str]:
    env = {"RESOLVER_API_TOKENS": f"dana:{TOKEN}", "RESOLVER_REVIEW_FLUSH_INTERVAL": "0"}
    with live_server(db_path, tmp_path / "server.log", env, workers=2) as url:
        yield url


@pytest.fixture()
def browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    require_service(CHROMIUM.exists() and CHROMEDRIVER.exists(),
                    "no Chromium: apt-get install chromium chromium-driver (/usr/bin/chromium, /usr/bin/chromedriver)")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        require_service(False, "selenium is not installed: pip install -e '.[test]'")
    monkeypatch.setenv("SE_OFFLINE", "true")  # Selenium Manager must never fetch a browser or driver
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in [*FLAGS, f"--user-data-dir={tmp_path / 'chromium-profile'}"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.implicitly_wait(15)  # a loaded CI machine can be slow to render
    try:
        yield driver
    finally:
        driver.quit()


def _shot(driver: Any, name: str, tmp_path: Path) -> Path:
    """A screenshot of the whole page (the window grows to fit it), into RESOLVER_SCREENSHOT_DIR if set."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1100, min(max(600, height + 20), 1600))
    folder = Path(os.environ.get("RESOLVER_SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    assert driver.save_screenshot(str(path))
    driver.set_window_size(1100, 900)
    return path


def _submit(driver: Any, element: Any) -> None:
    """Click something that loads a new page, and wait until the new one has loaded (else a read may see the old).

    The old page is marked with a script variable, which no new document has.  Waiting for the old
    ``<html>`` element to go stale is not enough: while a navigation is under way Chromium may answer
    a question about that element with a different error ("Node with given id does not belong to the
    document"), which is why the wait ignores driver errors and simply asks again.
    """
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    driver.execute_script("window.__resolverOldPage = true;")
    element.click()

    def loaded(d: Any) -> bool:
        return bool(d.execute_script(
            "return window.__resolverOldPage === undefined && document.readyState === 'complete';"))

    WebDriverWait(driver, 30, ignored_exceptions=(WebDriverException,)).until(loaded)


def _flash(driver: Any) -> str:
    from selenium.webdriver.common.by import By

    return str(driver.find_element(By.CSS_SELECTOR, "p.flash").text)


def test_a_curator_links_a_queued_value_and_merges_two_entities(server: str, browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    # what the service could not link, as clients asked for it (in either worker process)
    asked = ["Popular Crowd"] * 5 + ["Saraya Awliya al-Dam"] * 3 + ["Hezbollah"] * 2 + ["Abu Fadak"]
    for mention in asked:
        status, body = call(f"{server}/resolve?q={urllib.parse.quote(mention)}")
        assert status == 200 and body["status"] != "matched"

    browser.get(f"{server}/review")
    rows = browser.find_elements(By.CSS_SELECTOR, "main table tbody tr")
    assert [r.find_element(By.CSS_SELECTOR, "td").text for r in rows] == [
        "Popular Crowd", "Saraya Awliya al-Dam", "Hezbollah", "Abu Fadak"]
    assert [r.find_elements(By.CSS_SELECTOR, "td")[1].text for r in rows] == ["5", "3", "2", "1"]
    assert "Popular Mobilization Forces" in rows[0].text  # its candidate
    assert browser.find_elements(By.CSS_SELECTOR, "main form[method=post]") == []  # no writes before signing in

    # sign in with the API token, and come back to the queue
    _submit(browser, browser.find_element(By.LINK_TEXT, "Sign in to curate"))
    browser.find_element(By.ID, "token").send_keys(TOKEN)
    _submit(browser, browser.find_element(By.CSS_SELECTOR, "main button[type=submit]"))
    assert _flash(browser) == "Signed in as dana."
    assert browser.current_url.endswith("/review")
    _shot(browser, "review-queue.png", tmp_path)

    # link the top value to its candidate
    _submit(browser, browser.find_element(By.CSS_SELECTOR, "button[aria-label='Link Popular Crowd to "
                                                           "Popular Mobilization Forces']"))
    assert _flash(browser) == "“Popular Crowd” is now an alias of Popular Mobilization Forces."
    status, body = call(f"{server}/resolve?q=Popular%20Crowd")  # the value just linked
    assert (body["status"], body["entity"]["id"]) == ("matched", "popular-mobilization-forces")

    # somebody created the same body twice; merge the duplicate from the entity page
    status, created = call(f"{server}/entities", {"name": "Popular Mobilization Committee", "type": "organization",
                                                  "id": "pmf-committee", "aliases": ["Hayat al-Hashd al-Shaabi"]},
                           token=TOKEN)
    assert status == 201, created
    browser.get(f"{server}/entities/popular-mobilization-forces")
    browser.find_element(By.XPATH, "//summary[text()='Merge another entity into this one']").click()
    browser.find_element(By.ID, "m-id").send_keys("pmf-committee")
    browser.find_element(By.NAME, "confirm").click()
    _submit(browser, browser.find_element(By.XPATH, "//button[starts-with(text(), 'Merge into')]"))
    assert _flash(browser).startswith("Merged pmf-committee into Popular Mobilization Forces")
    status, body = call(f"{server}/resolve?q=Hayat%20al-Hashd%20al-Shaabi")
    assert (body["status"], body["entity"]["id"]) == ("matched", "popular-mobilization-forces")
    page = browser.find_element(By.TAG_NAME, "main").text
    assert "Hayat al-Hashd al-Shaabi" in page and "curated by dana" in page
    history = [r.text for r in browser.find_elements(By.XPATH, "//h2[text()='History']/following::table[1]//tr")]
    assert any("dana merge" in h for h in history) and any("dana add alias" in h for h in history)

    # the old id leads to the survivor's page; the search finds it by a misspelling
    browser.get(f"{server}/entities/pmf-committee")
    assert browser.current_url.endswith("/entities/popular-mobilization-forces?merged_from=pmf-committee")
    browser.get(f"{server}/?q=Hayat+al-Hashd")
    assert "Popular Mobilization Forces" in browser.find_element(By.TAG_NAME, "main").text
    browser.get(f"{server}/entities/popular-mobilization-forces")
    shot = _shot(browser, "entity-page.png", tmp_path)
    assert shot.stat().st_size > 10_000
    # JSON is still what a program gets from the same URL
    status, body = call(f"{server}/entities/popular-mobilization-forces")
    assert status == 200 and "Popular Crowd" in [a["text"] for a in body["aliases"]]

