#!/usr/bin/python3
# smtp_sink.py - the development stack's SMTP server (DESIGN.md section 9):
# accepts every message on 127.0.0.1 and keeps it as DIR/NNNNNN-<ms>.eml,
# names sorting in delivery order, nothing relayed anywhere. Each file is the
# message as received, after two lines the sink adds: X-Sink-Envelope-From
# and X-Sink-Envelope-To (the RCPT TO addresses). A message whose Message-ID
# was seen before is not written again; it adds a line to DIR/duplicates.
#
# For tests, a recipient whose local part starts with "smtp-550" is refused
# with 550 (permanent) and one starting with "smtp-450" with 450 (retry).
# --auth USER:PASSWORD makes the sink require AUTH PLAIN/LOGIN (without TLS).
#
# Usage: /usr/bin/python3 smtp_sink.py --port 2525 --dir STATE/sink/mail
# Needs Debian's python3-aiosmtpd: run it with /usr/bin/python3.
import argparse
import asyncio
import os
import re
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sinkstore import SinkStore  # noqa: E402

from aiosmtpd.smtp import SMTP, AuthResult  # noqa: E402

HEADER_END = re.compile(rb'\r?\n\r?\n')


def message_id(data):
    """The Message-ID header's value (unfolded, stripped), or None."""
    m = HEADER_END.search(data)
    head = data[:m.start()] if m else data
    head = re.sub(rb'\r?\n[ \t]+', b' ', head)
    for line in re.split(rb'\r?\n', head):
        name, sep, value = line.partition(b':')
        if sep and name.strip().lower() == b'message-id':
            return value.strip().decode('latin1') or None
    return None


class Handler:
    def __init__(self, store):
        self.store = store

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split('@', 1)[0].lower()
        if local.startswith('smtp-550'):
            return '550 5.1.1 Mailbox unavailable (sink test address)'
        if local.startswith('smtp-450'):
            return '450 4.2.0 Try again later (sink test address)'
        envelope.rcpt_tos.append(address)
        return '250 OK'

    async def handle_DATA(self, server, session, envelope):
        data = envelope.original_content or envelope.content
        if isinstance(data, str):
            data = data.encode('utf-8')
        extra = ('X-Sink-Envelope-From: <%s>\r\nX-Sink-Envelope-To: %s\r\n' % (
            envelope.mail_from, ', '.join('<%s>' % r for r in envelope.rcpt_tos)))
        name, dup = self.store.store(message_id(data), extra.encode('utf-8', 'replace') + data)
        return '250 2.0.0 OK ' + ('duplicate dropped' if dup else name)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--port', type=int, default=2525)
    ap.add_argument('--dir', required=True)
    ap.add_argument('--auth', default='', help='USER:PASSWORD to require AUTH')
    args = ap.parse_args()

    def identity_of_file(data):
        return message_id(data)

    store = SinkStore(args.dir, 'eml', identity_of_file)
    handler = Handler(store)
    kwargs = {'hostname': 'sink.localhost', 'timeout': 60}
    if args.auth:
        user, _, password = args.auth.partition(':')

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = (getattr(auth_data, 'login', None) == user.encode() and
                  getattr(auth_data, 'password', None) == password.encode())
            return AuthResult(success=ok)

        kwargs.update(auth_required=True, auth_require_tls=False,
                      authenticator=authenticator)

    async def serve():
        loop = asyncio.get_running_loop()
        stop = loop.create_future()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))
        server = await loop.create_server(lambda: SMTP(handler, **kwargs),
                                          host='127.0.0.1', port=args.port)
        print('smtp sink listening on 127.0.0.1:%d, writing %s' % (args.port, args.dir),
              flush=True)
        await stop
        server.close()
        await server.wait_closed()

    asyncio.run(serve())


if __name__ == '__main__':
    main()
