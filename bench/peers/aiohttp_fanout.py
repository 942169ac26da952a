#!/usr/bin/python3
"""The aiohttp peer of the fan-out: N GETs of one URL with K in flight (a semaphore and one
ClientSession, each body read), as a Python user would write it. Prints one JSON line like
asyncscrape-bench's.

    aiohttp_fanout.py --url http://127.0.0.1:8081/page.html --requests 20000 --concurrency 64
"""

import argparse
import asyncio
import json
import time

import aiohttp


async def fan_out(url, requests, concurrency):
    semaphore = asyncio.Semaphore(concurrency)
    failed = 0

    async def fetch(session):
        nonlocal failed
        async with semaphore:
            try:
                async with session.get(url) as response:
                    await response.read()
                    if response.status != 200:
                        failed += 1
            except aiohttp.ClientError:
                failed += 1

    # As many pooled connections as requests in flight, as the other sides have.
    connector = aiohttp.TCPConnector(limit=concurrency, limit_per_host=concurrency)
    started = time.perf_counter()
    async with aiohttp.ClientSession(connector=connector) as session:
        await asyncio.gather(*(fetch(session) for _ in range(requests)))
    return time.perf_counter() - started, failed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--concurrency", type=int, default=64)
    args = parser.parse_args()
    seconds, failed = asyncio.run(fan_out(args.url, args.requests, args.concurrency))
    print(json.dumps({"requests": args.requests, "failed": failed, "seconds": seconds,
                      "requests_per_second": args.requests / seconds}))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
