"""The load generator's own process. It sends commands the benchmark's process prepared and signed
(Sandbox.signed_slash_command) and times each. Slack's servers are not on the app's machine; here the
stand-in is, in the benchmark's process, serving the Web API calls of the app under test. Timed from that
process, an ack would also wait for the stand-in's threads to let go of the interpreter lock, which the
bare app, making no calls, never has to.

    python -m bench.loadgen < order.json > answers.json
"""

from __future__ import annotations

import base64
import http.client
import json
import subprocess
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bot.sandbox import Delivery, Sandbox, SignedCommand

WAIT_SECONDS = 10.0  # as the stand-in's driver: what has not come back by then never will


def send_all(slack: Sandbox, commands: Sequence[SignedCommand], concurrency: int) -> list[Delivery]:
    """Send `commands` to the app at slack.bot_url from a process of their own, `concurrency` at a time,
    each on a new connection as Slack sends them; recorded in the stand-in as if it had sent them."""
    order = {
        "url": slack.bot_url,
        "concurrency": concurrency,
        "requests": [{"body": base64.b64encode(c.body).decode(), "headers": c.headers} for c in commands],
    }
    done = subprocess.run(
        [sys.executable, "-m", "bench.loadgen"],
        cwd=Path(__file__).resolve().parent.parent,
        input=json.dumps(order),
        capture_output=True,
        text=True,
        check=True,
    )
    answers = json.loads(done.stdout)
    return [
        slack.answered(c, a["status"], a["body"], a["headers"], a["seconds"], timed_out=a["timed_out"])
        for c, a in zip(commands, answers, strict=True)
    ]


def send(url: str, body: bytes, headers: dict[str, str]) -> dict[str, Any]:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    connection = http.client.HTTPConnection(host, port, timeout=WAIT_SECONDS)
    answer: dict[str, Any] = {"status": None, "body": "", "headers": {}, "timed_out": False}
    started = time.monotonic()
    try:
        connection.request("POST", parts.path or "/", body=body, headers=headers)
        response = connection.getresponse()
        answer["body"] = response.read().decode("utf-8", errors="replace")
        answer["status"] = response.status
        answer["headers"] = {k.lower(): v for k, v in response.getheaders()}
    except TimeoutError:
        answer["timed_out"] = True
    except OSError:  # unreachable: Slack counts it as a failed delivery
        pass
    finally:
        connection.close()
    answer["seconds"] = time.monotonic() - started
    return answer


def main() -> None:
    order = json.load(sys.stdin)
    requests = [(base64.b64decode(r["body"]), r["headers"]) for r in order["requests"]]
    with ThreadPoolExecutor(max_workers=order["concurrency"]) as pool:
        answers = list(pool.map(lambda r: send(order["url"], *r), requests))
    json.dump(answers, sys.stdout)


if __name__ == "__main__":
    main()
