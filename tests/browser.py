"""The browser tests' runner: one headless Chromium, a queue of pages, several tabs taking from it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable

#: What could request anything after a page's load event: a script, content loaded lazily, a
#: refresh. The site's pages have none (every image and style is inline), so the browser tests check
#: a page once it has loaded (asserting that none is there) rather than after half a second of
#: network silence; their listeners still see every request a page makes.
LATE_REQUESTS = "script, [loading=lazy], meta[http-equiv=refresh i]"


async def late_requests(page) -> int:
    """How many elements of the loaded ``page`` could request after its load event (:data:`LATE_REQUESTS`)."""
    return await page.evaluate("sel => document.querySelectorAll(sel).length", LATE_REQUESTS)


def in_tabs(pages: Iterable[str], tab: Callable[..., Awaitable[None]], tabs: int, executable: str, flags: list[str]):
    """Run ``tab(browser, queue)`` in ``tabs`` tabs at once until the queue of ``pages`` is empty."""
    from playwright.async_api import async_playwright

    async def main():
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=executable, args=flags)
            queue = asyncio.Queue()
            for name in pages:
                queue.put_nowait(name)
            await asyncio.gather(*(tab(browser, queue) for _ in range(tabs)))
            await browser.close()

    asyncio.run(main())
