#!/usr/bin/python3
# sms_sink.py - the development stack's SMS gateway (DESIGN.md sections 9
# and 10), on 127.0.0.1 only. POST /sms with `Authorization: Bearer TOKEN`
# (when started with a token) and a JSON body {to, text, sender, reference}
# answers 202 {"id": ...} and keeps the message as
# DIR/NNNNNN-<ms>.json {to, text, sender, reference, received_at}, names
# sorting in delivery order. A repeated reference is not written again; it
# adds a line to DIR/duplicates (and still answers 202). A wrong or missing
# token answers 401, a malformed body 400.
#
# POST /_control {"status": 400..599, "count": n, "to": "+90..." (optional),
# "delay_ms": ms (optional)} makes the next n matching requests answer that
# status instead (or, with delay_ms alone, answer only after that delay);
# {"reset": true} clears every rule. Answers 200 {"rules": n}.
#
# Usage: /usr/bin/python3 sms_sink.py --port 9025 --dir STATE/sink/sms
#        [--token-file FILE]
import argparse
import json
import os
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sinkstore import SinkStore  # noqa: E402

MAX_BODY = 64 * 1024
FIELDS = ('to', 'text', 'sender', 'reference')


class Rules:
    def __init__(self):
        self.lock = threading.Lock()
        self.items = []  # [{status, count, to, delay_ms}]

    def add(self, rule):
        with self.lock:
            self.items.append(rule)
            return len(self.items)

    def reset(self):
        with self.lock:
            self.items = []

    def take(self, to):
        """The first rule matching `to`, its count decremented; or None."""
        with self.lock:
            for rule in self.items:
                if rule['to'] is not None and rule['to'] != to:
                    continue
                rule['count'] -= 1
                if rule['count'] <= 0:
                    self.items.remove(rule)
                return dict(rule)
        return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    disable_nagle_algorithm = True
    server_version = 'portal-sms-sink/1'

    def log_message(self, fmt, *args):  # message texts stay out of logs
        pass

    def answer(self, status, doc):
        body = json.dumps(doc).encode()
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def read_body(self):
        try:
            length = int(self.headers.get('Content-Length', ''))
        except ValueError:
            return None
        if length < 0 or length > MAX_BODY:
            return None
        return self.rfile.read(length)

    def do_GET(self):
        self.answer(404, {'error': 'not found'})

    def do_POST(self):
        path = self.path.split('?', 1)[0]
        body = self.read_body()
        if body is None:
            self.close_connection = True
            self.answer(400, {'error': 'a body with Content-Length up to 64 KiB is required'})
            return
        if path == '/_control':
            self.control(body)
        elif path == '/sms':
            self.sms(body)
        else:
            self.answer(404, {'error': 'not found'})

    def control(self, body):
        try:
            doc = json.loads(body)
            if doc.get('reset'):
                self.server.rules.reset()
                self.answer(200, {'rules': 0})
                return
            status = doc.get('status')
            delay = doc.get('delay_ms', 0)
            if status is not None and (not isinstance(status, int) or not 200 <= status <= 599):
                raise ValueError('status')
            if not isinstance(delay, int) or delay < 0 or delay > 60000:
                raise ValueError('delay_ms')
            count = doc.get('count', 1)
            if not isinstance(count, int) or count < 1:
                raise ValueError('count')
            to = doc.get('to')
            if to is not None and not isinstance(to, str):
                raise ValueError('to')
        except (ValueError, AttributeError, TypeError):
            self.answer(400, {'error': 'expected {status, count, to?, delay_ms?} or {reset: true}'})
            return
        n = self.server.rules.add({'status': status, 'count': count, 'to': to, 'delay_ms': delay})
        self.answer(200, {'rules': n})

    def sms(self, body):
        token = self.server.token
        if token and self.headers.get('Authorization', '') != 'Bearer ' + token:
            self.answer(401, {'error': 'bad or missing bearer token'})
            return
        try:
            doc = json.loads(body.decode('utf-8'))
            if not isinstance(doc, dict):
                raise ValueError
            for k in FIELDS:
                if not isinstance(doc.get(k), str) or not doc[k]:
                    raise ValueError
        except (ValueError, UnicodeDecodeError):
            self.answer(400, {'error': 'body must be JSON {to, text, sender, reference} strings'})
            return
        rule = self.server.rules.take(doc['to'])
        if rule:
            if rule['delay_ms']:
                time.sleep(rule['delay_ms'] / 1000)
            if rule['status'] is not None and rule['status'] >= 300:
                self.answer(rule['status'], {'error': 'refused by /_control (sink test rule)'})
                return
        record = {k: doc[k] for k in FIELDS}
        record['received_at'] = time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime()) + \
            '.%03dZ' % (int(time.time() * 1000) % 1000)
        name, dup = self.server.store.store(
            doc['reference'], json.dumps(record, ensure_ascii=False).encode('utf-8'))
        self.answer(202, {'id': str(uuid.uuid4()), 'duplicate': dup})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--port', type=int, default=9025)
    ap.add_argument('--dir', required=True)
    ap.add_argument('--token-file', default='')
    args = ap.parse_args()

    token = ''
    if args.token_file:
        with open(args.token_file) as f:
            token = f.read().strip()

    def identity_of_file(data):
        return json.loads(data.decode('utf-8')).get('reference')

    server = ThreadingHTTPServer(('127.0.0.1', args.port), Handler)
    server.daemon_threads = True
    server.store = SinkStore(args.dir, 'json', identity_of_file)
    server.rules = Rules()
    server.token = token
    import signal
    signal.signal(signal.SIGTERM, lambda *a: threading.Thread(target=server.shutdown).start())
    print('sms sink listening on 127.0.0.1:%d, writing %s' % (args.port, args.dir), flush=True)
    server.serve_forever()
    server.server_close()


if __name__ == '__main__':
    main()
