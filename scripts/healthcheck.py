#!/usr/bin/env python3
"""Container healthchecks for docker-compose.yml (standard library only).

    healthcheck.py URL                      exit 0 when URL answers 200
    healthcheck.py --fresh-file PATH SECS   exit 0 when a file PATH* changed in the last SECS seconds

The URL is requested as the public host name over "HTTPS" (X-Forwarded-Proto), as the reverse
proxy would, so production settings neither refuse the host nor redirect to HTTPS.
"""

from __future__ import annotations

import glob
import os
import sys
import time
import urllib.error
import urllib.request


def url_answers(url: str) -> bool:
    hosts = [h.strip() for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",") if h.strip()]
    headers = {"X-Forwarded-Proto": "https"}
    if hosts:
        headers["Host"] = hosts[0].lstrip(".")
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - a URL we were given, http(s) only
    if not url.startswith(("http://", "https://")):
        raise SystemExit(f"Not an http(s) URL: {url}")
    try:
        with urllib.request.urlopen(request, timeout=8) as response:  # noqa: S310
            return bool(response.status == 200)
    except urllib.error.URLError as exc:
        print(f"{url}: {exc}", file=sys.stderr)
        return False


def file_is_fresh(path: str, max_age_seconds: float) -> bool:
    matches = glob.glob(glob.escape(path) + "*")
    if not matches:
        print(f"No file at {path}*", file=sys.stderr)
        return False
    age = time.time() - max(os.path.getmtime(match) for match in matches)
    if age > max_age_seconds:
        print(f"{path}* last changed {age:.0f} seconds ago", file=sys.stderr)
        return False
    return True


def main(argv: list[str]) -> int:
    if len(argv) == 3 and argv[0] == "--fresh-file":
        return 0 if file_is_fresh(argv[1], float(argv[2])) else 1
    if len(argv) == 1:
        return 0 if url_answers(argv[0]) else 1
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
