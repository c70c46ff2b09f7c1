"""Waits until an HTTP URL answers with the expected status (or a file exists), with a timeout.

Usage: python wait_ready.py URL [--status 200] [--timeout 30] [--pid PID]
       python wait_ready.py --file PATH [--timeout 30] [--pid PID]
Exits 0 when ready, 1 on timeout or when the process PID has exited.
"""

import argparse
import os
import sys
import time
import urllib.error
import urllib.request


def alive(pid: int | None) -> bool:
    if pid is None:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("url", nargs="?")
    parser.add_argument("--file")
    parser.add_argument("--status", type=int, default=200)
    parser.add_argument("--timeout", type=float, default=30)
    parser.add_argument("--pid", type=int)
    args = parser.parse_args()
    deadline = time.monotonic() + args.timeout
    last = "nothing yet"
    while time.monotonic() < deadline:
        if not alive(args.pid):
            print(f"wait_ready: process {args.pid} exited ({last})", file=sys.stderr)
            return 1
        if args.file:
            if os.path.exists(args.file) and os.path.getsize(args.file) > 0:
                return 0
        else:
            try:
                with urllib.request.urlopen(args.url, timeout=2) as response:
                    status = response.status
            except urllib.error.HTTPError as err:
                status = err.code
            except (urllib.error.URLError, OSError) as err:
                status, last = None, str(err)
            if status == args.status:
                return 0
            if status is not None:
                last = f"HTTP {status}"
        time.sleep(0.1)
    print(f"wait_ready: {args.url or args.file} not ready after {args.timeout}s ({last})", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
