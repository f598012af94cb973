"""Open a generated page in a real headless Chromium, network off, and report what a person would see.

Used by the browser tests and by scripts/screenshots.py (the PNGs under docs/). Debian's
`chromium` and `chromium-driver`, driven by selenium; scripts/install-test-deps.sh installs them.
"""

from __future__ import annotations

import base64
import io
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-default-apps", "--disable-extensions", "--no-default-browser-check",
         "--host-resolver-rules=MAP * ~NOTFOUND")  # no name resolves: nothing could leave anyway


@dataclass
class Page:
    url: str
    title: str
    text: str
    requests: list[str] = field(default_factory=list)  # every URL the page asked for, itself included
    console_errors: list[str] = field(default_factory=list)
    planted_ran: bool = False
    png: bytes = b""

    @property
    def outside_requests(self) -> list[str]:
        return [u for u in self.requests if u != self.url]


def chromium_paths() -> tuple[str | None, str | None]:
    return (shutil.which("chromium") or shutil.which("chromium-browser"),
            shutil.which("chromedriver") or (
                "/usr/lib/chromium/chromedriver" if os.path.exists("/usr/lib/chromium/chromedriver") else None))


def pixel_stddev(png: bytes) -> float:
    """Standard deviation of the screenshot's grey levels: about 0 for a blank page."""
    from PIL import Image, ImageStat

    return float(ImageStat.Stat(Image.open(io.BytesIO(png)).convert("L")).stddev[0])


def open_page(path: Path, *, width: int = 1280, height: int = 900, full_page: bool = False) -> Page:
    """Load `path` from file:// with the network emulated offline, every request and console line recorded."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    browser, driver_path = chromium_paths()
    if not browser or not driver_path:
        raise FileNotFoundError("chromium and chromedriver are needed: bash scripts/install-test-deps.sh")
    profile = tempfile.mkdtemp(prefix="mlgov-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in (*FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
    try:
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.emulateNetworkConditions", {
            "offline": True, "latency": 0, "downloadThroughput": 0, "uploadThroughput": 0})
        driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["http://*", "https://*", "ws://*", "wss://*",
                                                                    "ftp://*"]})
        url = path.resolve().as_uri()
        driver.get_log("performance")  # drop what the start-up tab loaded: only this page counts
        driver.get(url)
        driver.execute_script("return document.readyState")
        page = Page(url=url, title=driver.title, text=driver.find_element("tag name", "body").text)
        page.planted_ran = bool(driver.execute_script(
            "return window.__mlgovPlanted !== undefined || document.title.indexOf('PWNED') >= 0"))
        for entry in driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message.get("method") == "Network.requestWillBeSent":
                page.requests.append(message["params"]["request"]["url"])
        page.console_errors = [e["message"] for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
        shot: dict[str, object] = {"format": "png"}
        if full_page:
            metrics = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
            size = metrics.get("cssContentSize") or metrics["contentSize"]
            shot.update(captureBeyondViewport=True, clip={"x": 0, "y": 0, "width": size["width"],
                                                          "height": min(size["height"], 6000), "scale": 1})
        page.png = base64.b64decode(driver.execute_cdp_cmd("Page.captureScreenshot", shot)["data"])
        return page
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
