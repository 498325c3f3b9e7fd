"""The benchmark's baseline: a Bolt app that only acknowledges /referral, served exactly as Liaison is
(uvicorn, Starlette, Bolt's dispatch on a worker thread, the same listener pool). What Liaison adds on top
of this is Liaison's own cost.

    python -m bench.bare --port 3100   (SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN, SLACK_API_URL set)
"""

from __future__ import annotations

import argparse
import os
from concurrent.futures import ThreadPoolExecutor

import uvicorn
from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.app import LISTENER_THREADS
from bot.server import asgi_app, server_config
from storage.db import Database


def bare_app() -> App:
    app = App(
        client=WebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"]),
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        token_verification_enabled=False,
        listener_executor=ThreadPoolExecutor(max_workers=LISTENER_THREADS),
    )

    @app.command("/referral")
    def only_ack(ack: Ack) -> None:
        ack()

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    port = parser.parse_args().port
    db = Database("sqlite://")  # only /healthz reads it
    uvicorn.Server(server_config(asgi_app(db, bare_app()), "127.0.0.1", port)).run()


if __name__ == "__main__":
    main()
