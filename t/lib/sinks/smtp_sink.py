#!/usr/bin/env python3
"""An SMTP sink for Herald's delivery tests: every message accepted is
written to DIR/NNNN.eml.  Recipients whose local part starts with
"reject" get a permanent 550, "defer" a temporary 451.

usage: smtp_sink.py PORT DIR"""
import asyncio
import os
import sys

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, outdir):
        self.outdir = outdir
        self.n = 0

    async def handle_RCPT(self, server, session, envelope, address, options):
        local = address.split("@", 1)[0]
        if local.startswith("reject"):
            return "550 5.1.1 no such user here"
        if local.startswith("defer"):
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.n += 1
        tmp = os.path.join(self.outdir, ".%04d.tmp" % self.n)
        with open(tmp, "wb") as f:
            f.write(("X-Envelope-From: %s\r\n" % envelope.mail_from).encode())
            f.write(("X-Envelope-To: %s\r\n" % ",".join(envelope.rcpt_tos)).encode())
            f.write(envelope.original_content)
        os.rename(tmp, os.path.join(self.outdir, "%04d.eml" % self.n))
        return "250 Message accepted"


def main():
    port, outdir = int(sys.argv[1]), sys.argv[2]
    ctl = Controller(Sink(outdir), hostname="127.0.0.1", port=port)
    ctl.start()
    print("ready", flush=True)
    try:
        asyncio.get_event_loop().run_forever()
    except KeyboardInterrupt:
        pass
    finally:
        ctl.stop()


if __name__ == "__main__":
    main()
