"""A real SMTP server on loopback for the notification tests (aiosmtpd).

Every message it accepts is written to FOLDER as one JSON file (the envelope, the Message-ID,
the subject and the decoded text), named so that files sort in arrival order. The file is
written before the server answers 250: a message on disk is a message the sender was told was
accepted. --delay makes each message take that long before it is accepted, so a test can kill
the sender in the middle of sending.

    python sink.py --port 2525 --folder /tmp/mails [--delay 0.3]

Prints "ready" once it listens.
"""

import argparse
import asyncio
import email
import email.policy
import json
import os
import time
import uuid

from aiosmtpd.smtp import SMTP


class Sink:
    def __init__(self, folder, delay):
        self.folder = folder
        self.delay = delay

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
        message = email.message_from_bytes(raw, policy=email.policy.default)
        body = message.get_body(preferencelist=("plain",))
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "message_id": message["Message-ID"],
            "to": message["To"],
            "from": message["From"],
            "subject": message["Subject"],
            "body": body.get_content() if body is not None else "",
        }
        name = "%020d-%s.json" % (time.time_ns(), uuid.uuid4().hex)
        temporary = os.path.join(self.folder, "." + name)
        with open(temporary, "w", encoding="utf-8") as out:
            json.dump(record, out, ensure_ascii=False)
            out.flush()
            os.fsync(out.fileno())
        os.rename(temporary, os.path.join(self.folder, name))
        return "250 Message accepted"


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--folder", required=True)
    parser.add_argument("--delay", type=float, default=0.0)
    args = parser.parse_args()
    os.makedirs(args.folder, exist_ok=True)
    handler = Sink(args.folder, args.delay)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, enable_SMTPUTF8=True, decode_data=False),
        args.host,
        args.port,
        reuse_address=True,
    )
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
