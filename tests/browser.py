"""The browser tests' runner: one headless Chromium, a queue of pages, several tabs taking from it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable


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
