"""The differential and term pages in headless Chromium (Debian's chromium + chromium-driver), phone-sized.

Screenshots go to $CALCKG_SCREENSHOTS when set (CI artefacts), else to the test's temporary directory.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from .serverkit import calckg_server

PHONE = (390, 844)


def _exe(*names: str) -> str:
    for n in names:
        found = shutil.which(n)
        if found:
            return found
    raise AssertionError(f"none of {names} is installed: apt-get install -y chromium chromium-driver (see .ci/run)")


@pytest.fixture(scope="module")
def served(dist: Path):
    with calckg_server(dist) as base:
        yield base


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = Path(os.environ["CALCKG_SCREENSHOTS"]) if os.environ.get("CALCKG_SCREENSHOTS") else \
        tmp_path_factory.mktemp("screenshots")
    d.mkdir(parents=True, exist_ok=True)
    return d


@pytest.fixture(scope="module")
def browser():
    profile = tempfile.mkdtemp(prefix="calckg-chromium-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = _exe("chromium", "chromium-browser")
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", f"--user-data-dir={profile}", f"--window-size={PHONE[0]},{PHONE[1]}"):
        opts.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=_exe("chromedriver")), options=opts)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def fits_the_screen(driver) -> bool:
    return driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")


def save(driver, path: Path) -> None:
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(PHONE[0], min(max(PHONE[1], height), 6000))
    assert driver.save_screenshot(str(path))
    driver.set_window_size(*PHONE)
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000


def test_differential_page_renders_ranked_results(browser, served, shots):
    browser.get(served + "/ddx")
    assert "Differential" in browser.title
    options = {o.get_attribute("value") for o in browser.find_elements(By.CSS_SELECTOR, "#finding-names option")}
    assert "chondrocalcinosis" in options and len(options) > 22  # labels and synonyms
    site_options = {o.get_attribute("value") for o in browser.find_elements(By.CSS_SELECTOR, "#site-names option")}
    assert "knee joint" in site_options
    # each input has a visible label (accessibility) and completes from the lists
    for inp in browser.find_elements(By.CSS_SELECTOR, "form.ddx input[type=text]"):
        assert browser.find_element(By.CSS_SELECTOR, f'label[for="{inp.get_attribute("id")}"]').text
        assert inp.get_attribute("list") in ("finding-names", "site-names")
    add = browser.find_element(By.CSS_SELECTOR, 'button[data-add="finding"]')
    assert add.is_displayed()  # the script ran
    add.click()
    assert len(browser.find_elements(By.CSS_SELECTOR, 'input[name="finding"]')) == 4
    browser.find_element(By.ID, "finding-0").send_keys("chondrocalcinosis")
    browser.find_element(By.ID, "site-0").send_keys("knee")
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(browser, 30).until(ec.presence_of_element_located((By.CSS_SELECTOR, "#results li.result")))
    results = browser.find_elements(By.CSS_SELECTOR, "#results li.result")
    assert len(results) >= 5
    first = results[0].find_element(By.CSS_SELECTOR, "h3 a")
    assert first.text == "calcium pyrophosphate dihydrate deposition disease"
    assert "Table 7.2, row 1" in results[0].text and "Fig. 7.6" in results[0].text
    narrowing = browser.find_element(By.ID, "narrowing")
    assert narrowing.find_elements(By.CSS_SELECTOR, "li a")
    assert fits_the_screen(browser)
    save(browser, shots / "ddx-chondrocalcinosis-knee.png")
    first.click()
    WebDriverWait(browser, 30).until(ec.title_contains("calcium pyrophosphate"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "calcium pyrophosphate dihydrate deposition disease"


def test_unknown_finding_offers_suggestions_that_work(browser, served):
    browser.get(served + "/ddx?finding=chondrocalcinosys")
    alert = browser.find_element(By.CSS_SELECTOR, "[role=alert]")
    assert "unknown finding" in alert.text
    alert.find_element(By.LINK_TEXT, "chondrocalcinosis").click()
    WebDriverWait(browser, 30).until(ec.presence_of_element_located((By.CSS_SELECTOR, "#results li.result")))


def test_term_page_links_parents_children_and_cross_references(browser, served, shots):
    browser.get(served + "/Hemochromatosis")
    assert browser.find_element(By.TAG_NAME, "h1").text == "hemochromatosis"
    assert "iron accumulation" in browser.find_element(By.CSS_SELECTOR, ".definition").text
    assert "iron storage disease" in browser.find_element(By.CSS_SELECTOR, "dd.synonyms").text
    xrefs = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, ".xrefs a")]
    assert "http://purl.obolibrary.org/obo/MONDO_0006507" in xrefs
    entry = browser.find_element(By.CSS_SELECTOR, "ol.evidence li")
    assert "Table 7.2, row 8" in entry.text and "20–60%" in entry.text
    assert fits_the_screen(browser)
    save(browser, shots / "term-hemochromatosis.png")
    parent = browser.find_element(By.CSS_SELECTOR, "dd.parents a")
    name = parent.text
    parent.click()
    WebDriverWait(browser, 30).until(ec.text_to_be_present_in_element((By.TAG_NAME, "h1"), name))
    children = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "dd.children a")]
    assert "hemochromatosis" in children
