"""README screenshots of the page at desktop (1366×900) and phone (390×844) width.

    hoidap serve --port 7861 &            # over an index of the bundled documents
    python tests/browser/readme_screenshots.py http://127.0.0.1:7861 docs/screenshots

Headless Debian Chromium (never a downloaded browser); PNGs reduced to a 128-colour palette.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def shot(page: Page, target: Path) -> None:
    from PIL import Image

    img = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
    img.quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(target, optimize=True)


def ready(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("body[data-hd-ready='1']", state="attached")


def tab(page: Page, name: str) -> None:
    page.get_by_role("tab", name=name, exact=True).click()
    page.wait_for_timeout(400)


def main(base: str, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        args = ["--no-sandbox", "--disable-gpu"]
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=args)
        for suffix, viewport, mobile in (("", DESKTOP, False), ("-dien-thoai", PHONE, True)):
            ctx = browser.new_context(viewport=viewport, is_mobile=mobile, has_touch=mobile, locale="vi-VN")
            page = ctx.new_page()
            page.set_default_timeout(60_000)
            ready(page, f"{base}/ui/?q=Ai chủ trì nhiệm vụ 5.4?")
            page.locator("#hd-chat .hd-reply").first.wait_for()
            page.wait_for_timeout(800)
            shot(page, out / f"hoi-dap{suffix}.png")
            page.locator("#hd-chat .hd-open-src").first.click()
            page.locator("#hd-viewer mark.hd-cited").first.wait_for()
            page.wait_for_timeout(800)
            shot(page, out / f"van-ban-nguon{suffix}.png")
            page.locator("#hd-viewer-close").click()
            tab(page, "Nhiệm vụ")
            page.locator("#hd-task-agency input, #hd-task-agency textarea").first.fill("so khdt")
            page.locator("#hd-task-role").get_by_text("Chủ trì", exact=True).click()
            page.locator("#hd-task-deadline input, #hd-task-deadline textarea").first.fill("2019 - 2020")
            page.wait_for_timeout(2500)
            if mobile:  # the filters fill a phone's screen: show the task cards
                page.evaluate(
                    "() => window.scrollBy(0,"
                    " document.querySelector('#hd-task-count').getBoundingClientRect().top - 8)"
                )
            shot(page, out / f"nhiem-vu{suffix}.png")
            if not mobile:
                # A figure asked without a place: each province's answer side by side (issue 25 §4).
                tab(page, "Hỏi đáp")
                page.locator("#hd-question textarea").first.fill("Mục tiêu tỷ lệ đô thị hóa đến năm 2030?")
                page.locator("#hd-send").click()
                page.locator("#hd-chat .hd-perdoc").first.wait_for()
                page.wait_for_timeout(800)
                shot(page, out / "hoi-dap-theo-tinh.png")
                tab(page, "Tra cứu điều khoản")
                page.locator("#hd-search-q input, #hd-search-q textarea").first.fill("phủ sóng 5G")
                page.locator("#hd-search-btn").click()
                page.locator("#hd-search-results .hd-hit").first.wait_for()
                shot(page, out / "tra-cuu.png")
                tab(page, "Văn bản")
                shot(page, out / "van-ban.png")
            ctx.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/"), Path(sys.argv[2]))
