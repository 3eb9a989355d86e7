"""The HTML report in a real browser: Debian's headless chromium driven by selenium.

Run with:  /usr/bin/python3 -m pytest -q tests/scripts/test_report_browser.py

For the English and the Chinese report of a small four-tier vs three-tier
comparison: the page renders with no console errors; the verdict is in the
first screen (the first 800 px) at 1280 px and at 390 px wide; nothing
overflows sideways at 390 px (wide tables scroll inside their box); printing
(Chrome DevTools Page.printToPDF, CSS page size) gives A4 pages; every figure
holds its image and caption in one element that print layout keeps together
(break-inside: avoid) and that fits on one A4 page, and no heading ends a page.
chromium, chromium-driver and python3-selenium come from scripts/install-deps.sh;
without them these tests are skipped with a message saying so.
"""

import base64
import os
import re
import shutil
import subprocess

import pytest

from test_plots import PYTHON, REPORT, ROOT, binary, results, run_cmd  # noqa: F401 (binary, results: fixtures)

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
A4_PT = (595.28, 841.89)

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    HAVE_SELENIUM = True
except ImportError:  # pragma: no cover - only without python3-selenium
    HAVE_SELENIUM = False

pytestmark = pytest.mark.skipif(
    not (HAVE_SELENIUM and os.access(CHROMIUM, os.X_OK) and os.access(DRIVER, os.X_OK)),
    reason="needs chromium, chromium-driver and python3-selenium (bash scripts/install-deps.sh installs them)")


@pytest.fixture(scope="module")
def reports(results):
    """The English and Chinese reports of the tiered comparison (three replications: the warning shows)."""
    out = {}
    for lang in ("en", "zh"):
        path = results["base"] / f"browser-report.{lang}.html"
        p = run_cmd([PYTHON, REPORT, str(results["tiers"]), "--lang", lang, "--out", str(path)])
        assert p.returncode == 0, p.stderr
        out[lang] = path
    return out


@pytest.fixture(scope="module")
def browser():
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars"):
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=opts)
    yield driver
    driver.quit()


def open_at(driver, path, width, height=800):
    driver.set_window_size(width, height)
    # The viewport, not the window, must be `width` wide: emulate the device metrics.
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})
    driver.get("file://" + str(path))
    driver.execute_script("return document.fonts ? document.fonts.ready : null")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_renders_without_console_errors(browser, reports, lang):
    open_at(browser, reports[lang], 1280)
    assert browser.execute_script("return document.readyState") == "complete"
    errors = [e for e in browser.get_log("browser") if e.get("level") in ("SEVERE", "ERROR")]
    assert not errors, errors
    # Every figure's image decoded.
    broken = browser.execute_script(
        "return [...document.images].filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.alt)")
    assert broken == []
    assert browser.find_elements("css selector", 'meta[name="viewport"]')


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("width", [1280, 390])
def test_verdict_in_first_screen(browser, reports, lang, width):
    open_at(browser, reports[lang], width)
    top = browser.execute_script("""
        const v = document.querySelector('#verdict .verdict-list li');
        if (!v) return null;
        const r = v.getBoundingClientRect();
        return r.bottom;""")
    assert top is not None, "no verdict item in the report"
    assert 0 < top <= 800, f"the first verdict line ends at {top}px, below the first screen of 800px"
    text = browser.find_element("css selector", "#verdict").text
    words = ("较好", "较差") if lang == "zh" else ("better", "worse")
    assert any(w in text for w in words), text
    # Better/worse by symbol as well as colour.
    assert re.search("[\u2714\u2718]", text), text
    # Three replications: the warning about too few is there.
    assert browser.find_elements("css selector", "#few-replications")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_nothing_overflows_at_390px(browser, reports, lang):
    open_at(browser, reports[lang], 390)
    doc_w, view_w = browser.execute_script(
        "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert doc_w <= view_w, f"the page is {doc_w}px wide in a {view_w}px viewport"
    wide = browser.execute_script("""
        return [...document.querySelectorAll('body *')].filter(e => {
          const r = e.getBoundingClientRect();
          if (r.width === 0) return false;
          let p = e.parentElement, inScroller = false;
          for (; p; p = p.parentElement) if (p.classList && p.classList.contains('table-wrap')) inScroller = true;
          return !inScroller && r.right > document.documentElement.clientWidth + 1;
        }).map(e => e.tagName + '.' + e.className).slice(0, 5);""")
    assert wide == [], wide
    # The headline table keeps its difference column: reachable by scrolling its box.
    scrolls = browser.execute_script(
        "const w = document.querySelector('#headline + .table-wrap'); return w.scrollWidth >= w.clientWidth")
    assert scrolls


def print_pdf(driver):
    pdf = driver.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True})
    return base64.b64decode(pdf["data"])


def page_sizes(pdf):
    return [tuple(float(x) for x in m.groups()) for m in
            re.finditer(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_prints_on_a4_with_figures_kept_with_captions(browser, reports, lang):
    open_at(browser, reports[lang], 1280)
    pdf = print_pdf(browser)
    assert pdf.startswith(b"%PDF")
    sizes = page_sizes(pdf)
    assert sizes, "no pages in the PDF"
    for w, h in sizes:
        assert abs(w - A4_PT[0]) < 2 and abs(h - A4_PT[1]) < 2, f"page of {w}x{h} pt, not A4"
    # Layout under print media at the A4 content width (210 mm - 2 x 14 mm = 182 mm = 688 CSS px).
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                            {"width": 688, "height": 1000, "deviceScaleFactor": 1, "mobile": False})
    try:
        figures = browser.execute_script("""
            const pageH = (297 - 30) * 96 / 25.4;  // A4 content height in CSS px
            return [...document.querySelectorAll('figure')].map(f => {
              const s = getComputedStyle(f);
              return {img: !!f.querySelector(':scope > img'), cap: !!f.querySelector(':scope > figcaption'),
                      avoid: s.breakInside === 'avoid' || s.pageBreakInside === 'avoid',
                      h: f.getBoundingClientRect().height, pageH: pageH};
            });""")
        headings = browser.execute_script(
            "return [...document.querySelectorAll('h2, h3')].map(h => getComputedStyle(h).breakAfter)")
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    assert len(figures) >= 5
    for f in figures:
        assert f["img"] and f["cap"], f
        assert f["avoid"], f
        assert f["h"] < f["pageH"], f"a figure of {f['h']:.0f}px cannot fit on one page of {f['pageH']:.0f}px"
    assert all(b == "avoid" for b in headings), headings
    # A real page count: the report is a handful of A4 pages, not dozens (and not one squeezed page).
    assert 2 <= len(sizes) <= 20, len(sizes)


def test_glossary_doc_matches_report():
    """docs/glossary.md holds every term of the report's glossary, in both languages."""
    from govsim_analysis.report.text import TERMS
    doc = open(os.path.join(ROOT, "docs", "glossary.md"), encoding="utf-8").read()
    for term, _, en, xen, xzh in TERMS:
        assert f"| {term} |" in doc and en in doc and xen in doc and xzh in doc, term
    readme = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    for term, *_ in TERMS:
        assert term in readme, f"README.md does not explain {term}"
