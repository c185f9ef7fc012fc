"""pyHanko's synchronous calls run `asyncio.run`, which refuses to start inside a thread that
already runs an event loop (an ASGI server's thread, Playwright's synchronous API in the browser
tests). `off_loop` runs such a call in a short-lived thread of its own there, and directly
everywhere else."""

import asyncio
from concurrent.futures import ThreadPoolExecutor


def off_loop(fn, /, *args, **kwargs):
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return fn(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pyhanko") as pool:
        return pool.submit(fn, *args, **kwargs).result()


def run(coroutine_function, /, *args, **kwargs):
    """`asyncio.run(coroutine_function(*args, **kwargs))`, also from inside a running loop."""
    return off_loop(lambda: asyncio.run(coroutine_function(*args, **kwargs)))
