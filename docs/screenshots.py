"""Screenshots of `licet serve` for the README: the question page, the answer
with its lineage, a license in the library, a comparison, the memo.

Run: python docs/screenshots.py [--out docs]
Needs the web and test extras and Debian's Chromium (/usr/bin/chromium), as
the browser tests do; the server runs in this process on a free port.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from licensing.web.serve import background

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
ANSWERED = "#answer[data-verdict]:not([data-verdict=''])"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent), help="the folder to write the PNG files in")
    out = Path(parser.parse_args().out)
    out.mkdir(parents=True, exist_ok=True)
    with background() as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 1000}, device_scale_factor=1)
        page.set_default_timeout(30_000)

        # the question: an example loaded, its answer beside it
        page.goto(url + "/")
        page.select_option("#example", "chatbot")
        page.click("#load-example")
        page.wait_for_selector(ANSWERED)
        page.screenshot(path=str(out / "web-question.png"))

        # the answer after settling an open question, and the lineage with a conflict's path highlighted
        page.locator("#answer li.question button.settle[data-value=yes]").first.click()
        page.wait_for_selector("#answer[data-verdict=forbidden]")
        page.hover("#answer .clause >> nth=0")
        page.locator(".result").screenshot(path=str(out / "web-answer.png"))

        # a composed question that is forbidden: its lineage
        page.select_option("#example", "gpl2-apache")
        page.click("#load-example")
        page.wait_for_selector("#answer[data-verdict=forbidden]")
        page.hover("#lineage svg .node[data-name=core]")
        page.locator("#lineage-section").screenshot(path=str(out / "web-lineage.png"))

        # the library: one license, its clauses and worked examples
        page.goto(url + "/library/llama3.1")
        page.screenshot(path=str(out / "web-library.png"))

        # two licenses side by side
        page.goto(url + "/compare?a=CC-BY-NC-4.0&b=CC-BY-NC-3.0")
        page.screenshot(path=str(out / "web-compare.png"))

        # the memo, as downloaded, opened in the browser
        page.goto(url + "/")
        page.select_option("#example", "gpl2-apache")
        page.click("#load-example")
        page.wait_for_selector(ANSWERED)
        with page.expect_download() as caught:
            page.click("#download-memo")
        with tempfile.TemporaryDirectory() as folder:
            memo = Path(folder) / "memo.html"
            caught.value.save_as(memo)
            page.goto(memo.as_uri())
            page.screenshot(path=str(out / "web-memo.png"))
        browser.close()
    for name in ("web-question", "web-answer", "web-lineage", "web-library", "web-compare", "web-memo"):
        print(out / f"{name}.png")


if __name__ == "__main__":
    main()
