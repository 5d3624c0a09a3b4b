#!/usr/bin/env python3
"""An SMTP sink for the bindings.smtp tests and conformance profile, on Debian's python3-aiosmtpd.

    python3 server.py [--host 127.0.0.1] [--port 2525] [--dir ./mail]
                      [--tls-cert CERT --tls-key KEY] [--user outrigger --password outrigger-secret]

Accepts every message and writes it to DIR as one JSON file per message, named
<nanoseconds>-<pid>-<n>.json and written atomically (a reader never sees half a file):

    {"mail_from": "a@example.com", "rcpt_tos": ["b@example.com"], "data": "<the message text>",
     "tls": false, "auth": null, "received": 1700000000.0}

Recipients whose local part starts with "reject" are refused with
"550 5.1.1 <address>: recipient address rejected". AUTH PLAIN and LOGIN are offered, also
without TLS, and accept only USER/PASSWORD (logging in is optional). With --tls-cert and
--tls-key, STARTTLS is offered. Runs until SIGTERM or SIGINT.
"""
import argparse
import itertools
import json
import logging
import os
import signal
import ssl
import threading
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

COUNTER = itertools.count()


class DropLoginDataWarning(logging.Filter):
    """aiosmtpd 1.4 logs a deprecation warning about its own code on every login."""

    def filter(self, record):
        return "login_data" not in record.getMessage()


logging.getLogger("mail.log").addFilter(DropLoginDataWarning())


class Sink:
    def __init__(self, directory):
        self.directory = directory

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.split("@")[0].lower().startswith("reject"):
            return "550 5.1.1 <%s>: recipient address rejected" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        data = envelope.content
        if isinstance(data, bytes):
            data = data.decode("utf-8", "replace")
        login = None
        if session.authenticated and isinstance(session.auth_data, LoginPassword):
            login = session.auth_data.login.decode("utf-8", "replace")
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "data": data,
            "tls": session.ssl is not None,
            "auth": login,
            "received": time.time(),
        }
        name = "%d-%d-%d" % (time.time_ns(), os.getpid(), next(COUNTER))
        partial = os.path.join(self.directory, "." + name + ".tmp")
        with open(partial, "w", encoding="utf-8") as out:
            json.dump(record, out)
        os.replace(partial, os.path.join(self.directory, name + ".json"))
        return "250 Message accepted for delivery"


def authenticator(user, password):
    def check(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login.decode() == user and auth_data.password.decode() == password)
        # handled=False: aiosmtpd answers a failure with "535 5.7.8 Authentication credentials invalid".
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)
    return check


def main():
    parser = argparse.ArgumentParser(description="SMTP sink writing each message to a directory")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=2525)
    parser.add_argument("--dir", default="mail")
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    parser.add_argument("--user", default="outrigger")
    parser.add_argument("--password", default="outrigger-secret")
    args = parser.parse_args()

    os.makedirs(args.dir, exist_ok=True)
    tls_context = None
    if args.tls_cert:
        tls_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls_context.load_cert_chain(args.tls_cert, args.tls_key)

    controller = Controller(
        Sink(args.dir),
        hostname=args.host,
        port=args.port,
        server_hostname="outrigger-smtp-sink",
        tls_context=tls_context,
        require_starttls=False,
        authenticator=authenticator(args.user, args.password),
        auth_required=False,
        auth_require_tls=False,
    )
    # A parent may have left SIGTERM/SIGINT blocked (threads of some runtimes block them, and
    # the mask survives exec): unblock them, or stopping would need SIGKILL.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    controller.start()
    print("smtp-sink listening on %s:%d, writing to %s" % (args.host, args.port, args.dir), flush=True)
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
