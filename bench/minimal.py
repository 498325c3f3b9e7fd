"""The irreducible referral, for the benchmark's throughput ratio: a script that does only what any
referral must (one transaction inserting the referral, its history and its audit row; chat.postMessage;
the card's ts stored; the answer through response_url), served on the same stack as Liaison. It checks
nothing, keeps nothing durable before the ack, encrypts nothing, and reuses one kept-alive connection.

    python -m bench.minimal --port 3200 --database URL --partner ID   (SLACK_* set as for bench.bare)
"""

from __future__ import annotations

import argparse
import asyncio
import os
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import uvicorn
from slack_bolt.request.internals import parse_body
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import create_engine, insert, update
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.server import server_config
from storage.item_tables import Referral
from storage.models import AuditEntry, ItemEvent

THREADS = 16


def minimal_app(database_url: str, partner_id: int) -> Starlette:
    verifier = SignatureVerifier(os.environ["SLACK_SIGNING_SECRET"])
    api = os.environ["SLACK_API_URL"].rstrip("/")
    token = os.environ["SLACK_BOT_TOKEN"]
    engine = create_engine(database_url, pool_size=THREADS)
    http = httpx.Client(timeout=10)
    pool = ThreadPoolExecutor(max_workers=THREADS)
    referrals, events, audit = Referral.__table__, ItemEvent.__table__, AuditEntry.__table__  # type: ignore[attr-defined]

    def refer(fields: dict[str, Any]) -> None:
        now = datetime.now(UTC)
        user, channel = fields["user_id"], fields["channel_id"]
        with engine.begin() as conn:
            row = conn.execute(
                insert(referrals).values(
                    due_at=now + timedelta(days=7),
                    requester_id=user,
                    channel_id=channel,
                    created_at=now,
                    updated_at=now,
                    partner_id=partner_id,
                    need="housing",
                    details=fields["text"],
                    priority="routine",
                    status="requested",
                    do_not_contact=False,
                    part2=False,
                )
            )
            ref = f"R-{row.inserted_primary_key[0]}"
            conn.execute(
                insert(events).values(
                    item=ref, at=now, actor_user_id=user, from_status="", to_status="requested"
                )
            )
            conn.execute(
                insert(audit).values(at=now, actor_user_id=user, action="referral.open", subject=ref)
            )
        posted = http.post(
            f"{api}/chat.postMessage",
            headers={"Authorization": f"Bearer {token}"},
            json={"channel": channel, "text": f"{ref} · Referral to a partner: housing"},
        ).json()
        with engine.begin() as conn:
            key = int(ref[2:])
            conn.execute(update(referrals).where(referrals.c.id == key).values(card_ts=posted.get("ts")))
        http.post(fields["response_url"], json={"response_type": "ephemeral", "text": f"Sent *{ref}*."})

    async def events_route(request: Request) -> Response:
        body = await request.body()
        headers = request.headers
        timestamp, signature = headers.get("x-slack-request-timestamp"), headers.get("x-slack-signature")
        if not (timestamp and signature and verifier.is_valid(body, timestamp, signature)):
            return Response(status_code=401)
        fields = parse_body(body.decode(), headers.get("content-type"))
        asyncio.get_running_loop().run_in_executor(pool, refer, fields)
        return Response(status_code=200)

    async def healthz(_request: Request) -> Response:
        return JSONResponse({"ok": True})

    return Starlette(
        routes=[
            Route("/slack/events", events_route, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--partner", type=int, required=True)
    args = parser.parse_args()
    uvicorn.Server(server_config(minimal_app(args.database, args.partner), "127.0.0.1", args.port)).run()


if __name__ == "__main__":
    main()
