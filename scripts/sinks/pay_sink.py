#!/usr/bin/python3
# pay_sink.py - the development stack's payment provider `devgateway`
# (DESIGN.md section 12), on 127.0.0.1 only. It speaks two protocols: its
# own (signed JSON checkouts and callbacks) and PayTR's iFrame API (under
# /paytr), and keeps every checkout and every callback it sent as a file
# DIR/NNNNNN-<kind>-<id>.json (kind "checkout" or "callback"), names sorting
# in order, written atomically (temporary name, then rename).
#
# It knows merchant accounts as a real provider does: one or more given on
# the command line (--merchant ID=SECRET_FILE, a devgateway merchant whose
# secret is the file's first line) and those registered through
# POST /control/merchants (kept in memory only).
#
# devgateway:
#   POST /checkouts {merchant_id, reference, amount, currency, description,
#        return_url, callback_url} with X-Gateway-Signature: t=<unix>,v1=<hex
#        HMAC-SHA256(secret, t + "." + raw body)> -> 201 {id, redirect_url};
#        401 {error: "bad_signature"} (also |now - t| > 300 s);
#        404 {error: "unknown_merchant"}; 422 {error: "invalid", detail}.
#   GET/POST /pay/<id>: the hosted page; POST takes the form field
#        card_number. 4242 4242 4242 4242 approves, 4000 0000 0000 0002
#        declines (a callback, then 303 to return_url), 4000 0000 0000 0119
#        is held (303 with no callback until /control/.../release); any
#        other number shows the page again with an error (422).
#   Callback: POST callback_url {"id": "evt_...", "type": "payment.succeeded"
#        | "payment.failed", "data": {reference, amount, currency}}, signed
#        the same way over that exact body.
# PayTR:
#   POST /paytr/odeme/api/get-token (form-encoded iFrame API fields) ->
#        {"status": "success", "token"} or {"status": "failed", "reason"};
#   GET/POST /paytr/odeme/guvenli/<token>: the hosted page, same cards; the
#        callback goes form-encoded to the merchant's registered
#        callback_url, then the browser to merchant_ok_url/merchant_fail_url.
# Control (JSON):
#   POST /control/merchants {provider: "devgateway", merchant_id, secret} or
#        {provider: "paytr", merchant_id, merchant_key, merchant_salt,
#        callback_url} -> 201
#   GET  /control/checkouts/<id> -> the checkout and its callbacks
#   POST /control/checkouts/<id>/release -> sends the held success callback
#   POST /control/checkouts/<id>/callback {overrides} -> a callback built
#        from the checkout: devgateway {type, amount, currency, t, event_id,
#        secret, body}; PayTR {status, total_amount, hash, currency, secret
#        (as merchant_key), body}
#   POST /control/checkouts/<id>/replay -> the last callback again, byte for
#        byte, with its original headers
#   Each of these sends answers {status, answer}: the merchant's HTTP status
#   (null when it could not be reached, with `error`) and its body.
#
# Outbound calls (callbacks) go only to loopback addresses, with a 5 s
# timeout; bodies are limited to 64 KiB; at most MAX_CHECKOUTS checkouts
# are kept in memory (the oldest are forgotten; their files stay).
#
# Usage: /usr/bin/python3 pay_sink.py --port 9045 --dir STATE/sink/pay
#        [--merchant ID=SECRET_FILE]...
import argparse
import base64
import collections
import hashlib
import hmac
import html
import http.client
import ipaddress
import json
import os
import re
import secrets
import signal
import socket
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_BODY = 64 * 1024
MAX_CHECKOUTS = 10000
MAX_CALLBACKS_KEPT = 50         # per checkout, in memory
MAX_MERCHANTS = 10000
SIGNATURE_WINDOW = 300          # seconds
OUTBOUND_TIMEOUT = 5            # seconds
CARDS = {
    '4242424242424242': 'succeeded',
    '4000000000000002': 'failed',
    '4000000000000119': 'held',
}
REFERENCE = re.compile(r'^[A-Za-z0-9]{1,64}$')
MERCHANT_ID = re.compile(r'^[A-Za-z0-9._-]{1,64}$')
CURRENCY = re.compile(r'^[A-Z]{2,3}$')
CHECKOUT_ID = re.compile(r'^[A-Za-z0-9_]{1,80}$')
FILE_NAME = re.compile(r'^(\d+)-(checkout|callback)-([A-Za-z0-9_]+)\.json$')
PAYTR_FIELDS = ('merchant_id', 'user_ip', 'merchant_oid', 'email', 'payment_amount',
                'paytr_token', 'user_basket', 'debug_on', 'no_installment',
                'max_installment', 'user_name', 'user_address', 'user_phone',
                'merchant_ok_url', 'merchant_fail_url', 'timeout_limit', 'currency',
                'test_mode', 'lang')


def now_iso():
    t = time.time()
    return time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime(t)) + '.%03dZ' % (int(t * 1000) % 1000)


def devgateway_signature(secret, t, body):
    mac = hmac.new(secret.encode('utf-8'), ('%s.' % t).encode('utf-8') + body.encode('utf-8'),
                   hashlib.sha256).hexdigest()
    return 't=%s,v1=%s' % (t, mac)


def paytr_b64(key, text):
    return base64.b64encode(hmac.new(key.encode('utf-8'), text.encode('utf-8'),
                                     hashlib.sha256).digest()).decode('ascii')


def loopback_url(url):
    """An error sentence unless url is http:// on 127.0.0.1, ::1 or localhost."""
    if not isinstance(url, str) or not url or len(url) > 2000:
        return 'must be an http:// URL'
    try:
        u = urllib.parse.urlsplit(url)
        port = u.port
    except ValueError:
        return 'is not a URL'
    if u.scheme != 'http' or not u.hostname:
        return 'must be an http:// URL'
    if u.username is not None or u.password is not None:
        return 'must not carry a user name or password'
    if port is not None and not 0 < port < 65536:
        return 'has a bad port'
    if u.hostname not in ('127.0.0.1', '::1', 'localhost'):
        return 'must point at 127.0.0.1, ::1 or localhost (the sink calls loopback only)'
    return None


class Store:
    """Checkout and callback files in one directory, names sorting in the
    order they were written: NNNNNN-<kind>-<id>.json."""

    def __init__(self, directory):
        self.dir = directory
        self.lock = threading.Lock()
        self.seq = 0
        os.makedirs(directory, mode=0o755, exist_ok=True)
        os.chmod(directory, 0o755)

    def existing(self):
        """(seq, kind, id, document) of every whole file, in order; removes
        what a sink killed mid-write left."""
        out = []
        for entry in os.listdir(self.dir):
            if entry.startswith('.tmp-'):
                try:
                    os.unlink(os.path.join(self.dir, entry))
                except OSError:
                    pass
                continue
            m = FILE_NAME.match(entry)
            if not m:
                continue
            self.seq = max(self.seq, int(m.group(1)))
            try:
                with open(os.path.join(self.dir, entry), 'rb') as f:
                    doc = json.loads(f.read().decode('utf-8'))
            except (OSError, ValueError):
                continue
            out.append((int(m.group(1)), m.group(2), m.group(3), doc))
        out.sort(key=lambda item: item[0])
        return out

    def write(self, kind, ident, doc):
        data = json.dumps(doc, ensure_ascii=False, indent=1).encode('utf-8') + b'\n'
        with self.lock:
            self.seq += 1
            final = '%06d-%s-%s.json' % (self.seq, kind, ident)
            tmp = os.path.join(self.dir, '.tmp-' + final)
            with open(tmp, 'wb') as f:
                f.write(data)
            os.chmod(tmp, 0o644)
            os.rename(tmp, os.path.join(self.dir, final))
            return final


class State:
    def __init__(self, store, port):
        self.store = store
        self.port = port
        self.lock = threading.Lock()
        self.merchants = {}     # (provider, merchant_id) -> dict
        self.checkouts = collections.OrderedDict()  # id -> dict

    def add_merchant(self, provider, merchant_id, account):
        with self.lock:
            key = (provider, merchant_id)
            if key not in self.merchants and len(self.merchants) >= MAX_MERCHANTS:
                raise ValueError('too many merchants (%d)' % MAX_MERCHANTS)
            self.merchants[key] = account

    def merchant(self, provider, merchant_id):
        with self.lock:
            return self.merchants.get((provider, merchant_id))

    def remember(self, checkout):
        with self.lock:
            self.checkouts[checkout['id']] = checkout
            while len(self.checkouts) > MAX_CHECKOUTS:
                self.checkouts.popitem(last=False)

    def checkout(self, ident):
        with self.lock:
            return self.checkouts.get(ident)

    def reload(self):
        """Checkouts written before a restart stay usable; one with a
        callback sent for its card is closed again (a held one is open
        again: being held lived in memory only)."""
        for _seq, kind, ident, doc in self.store.existing():
            if kind == 'checkout' and isinstance(doc, dict) and doc.get('id') == ident:
                doc['status'] = 'open'
                doc['callbacks'] = []
                self.remember(doc)
            elif kind == 'callback' and isinstance(doc, dict):
                c = self.checkout(doc.get('checkout_id', ''))
                if c is None:
                    continue
                self.note_callback(c, doc)
                if c['status'] == 'open' and doc.get('outcome'):
                    c['status'] = doc['outcome']

    def note_callback(self, checkout, record):
        with self.lock:
            checkout['callbacks'].append(record)
            del checkout['callbacks'][:-MAX_CALLBACKS_KEPT]

    def set_status(self, checkout, frm, to):
        """Moves checkout from one of frm to `to`; False if it was elsewhere."""
        with self.lock:
            if checkout['status'] not in frm:
                return False
            checkout['status'] = to
            return True


def post_loopback(url, headers, body):
    """POSTs body (str) to url; returns (status or None, answer, error)."""
    err = loopback_url(url)
    if err:
        return None, '', 'callback URL refused: ' + err
    u = urllib.parse.urlsplit(url)
    host = u.hostname
    try:
        infos = socket.getaddrinfo(host, u.port or 80, type=socket.SOCK_STREAM)
        addrs = {info[4][0] for info in infos}
        if not addrs or not all(ipaddress.ip_address(a.split('%')[0]).is_loopback for a in addrs):
            return None, '', 'callback URL refused: %s does not resolve to loopback only' % host
    except (OSError, ValueError) as e:
        return None, '', 'cannot resolve %s: %s' % (host, e)
    path = u.path or '/'
    if u.query:
        path += '?' + u.query
    data = body.encode('utf-8')
    conn = http.client.HTTPConnection(host, u.port or 80, timeout=OUTBOUND_TIMEOUT)
    try:
        conn.putrequest('POST', path, skip_accept_encoding=True)
        for k, v in headers.items():
            conn.putheader(k, v)
        conn.putheader('Content-Length', str(len(data)))
        conn.endheaders(data)
        resp = conn.getresponse()
        answer = resp.read(MAX_BODY).decode('utf-8', 'replace')
        return resp.status, answer, None
    except (OSError, http.client.HTTPException) as e:
        return None, '', '%s: %s' % (type(e).__name__, e)
    finally:
        conn.close()


def send_callback(state, checkout, url, headers, body, extra):
    """Sends one callback, keeps it as a file and in the checkout; returns
    the record."""
    status, answer, error = post_loopback(url, headers, body)
    record = {'checkout_id': checkout['id'], 'provider': checkout['provider']}
    record.update(extra)
    record.update({'url': url, 'headers': headers, 'body': body, 'status': status,
                   'answer': answer, 'sent_at': now_iso()})
    if error:
        record['error'] = error
    record['file'] = state.store.write('callback', checkout['id'], record)
    state.note_callback(checkout, record)
    return record


def devgateway_callback(state, checkout, kind, overrides=None, outcome=None):
    o = overrides or {}
    merchant = state.merchant('devgateway', checkout['merchant_id'])
    secret = o.get('secret', merchant['secret'] if merchant else '')
    t = o.get('t', int(time.time()))
    event_id = o.get('event_id', 'evt_' + secrets.token_hex(12))
    if 'body' in o:
        body = o['body']
    else:
        body = json.dumps({'id': event_id, 'type': o.get('type', kind), 'data': {
            'reference': checkout['reference'],
            'amount': o.get('amount', checkout['amount']),
            'currency': o.get('currency', checkout['currency'])}}, separators=(',', ':'))
    headers = {'Content-Type': 'application/json',
               'X-Gateway-Signature': devgateway_signature(secret, t, body)}
    return send_callback(state, checkout, checkout['callback_url'], headers, body,
                         {'event_id': event_id, 'forged': bool(o), 'outcome': outcome})


def paytr_callback(state, checkout, status, overrides=None, outcome=None):
    o = overrides or {}
    merchant = state.merchant('paytr', checkout['merchant_id'])
    if merchant is None:
        return {'status': None, 'answer': '', 'error': 'the PayTR merchant is not known'}
    key = o.get('secret', merchant['merchant_key'])
    status = o.get('status', status)
    total = o.get('total_amount', str(checkout['amount']))
    fields = [
        ('merchant_oid', checkout['reference']),
        ('status', status),
        ('total_amount', total),
        ('hash', o.get('hash', paytr_b64(key, checkout['reference'] + merchant['merchant_salt'] +
                                         status + total))),
        ('failed_reason_code', '' if status == 'success' else '2'),
        ('failed_reason_msg', '' if status == 'success' else 'Card declined (test card)'),
        ('test_mode', checkout['fields'].get('test_mode', '1')),
        ('payment_type', 'card'),
        ('currency', o.get('currency', checkout['currency'])),
        ('payment_amount', str(checkout['amount'])),
    ]
    body = o['body'] if 'body' in o else urllib.parse.urlencode(fields)
    headers = {'Content-Type': 'application/x-www-form-urlencoded'}
    return send_callback(state, checkout, merchant['callback_url'], headers, body,
                         {'forged': bool(o), 'outcome': outcome})


def outcome_callback(state, checkout, outcome):
    """The callback of a card's outcome (or of a release): its file says
    `outcome`, which closes the checkout again after a restart."""
    if checkout['provider'] == 'paytr':
        return paytr_callback(state, checkout, 'success' if outcome == 'succeeded' else 'failed',
                              outcome=outcome)
    return devgateway_callback(state, checkout, 'payment.' + outcome, outcome=outcome)


def public_record(checkout):
    out = {k: v for k, v in checkout.items() if k != 'callbacks'}
    out['callbacks'] = list(checkout['callbacks'])
    return out


PAGE = '''<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>devgateway - test payment / test ödemesi</title>
<style>body{font-family:sans-serif;max-width:32em;margin:2em auto;padding:0 1em}
.error{color:#a00;font-weight:bold}label{display:block;margin:1em 0 .3em}
input{font-size:1.2em;width:100%%;box-sizing:border-box}button{margin-top:1em;font-size:1.1em}
table{border-collapse:collapse}td{padding:.1em .6em .1em 0}</style></head>
<body><main>
<h1>devgateway</h1>
<p>Test payment page of the development stack: no money moves.<br>
<span lang="tr">Geliştirme ortamının test ödeme sayfası: gerçek para çekilmez.</span></p>
<p>Amount / <span lang="tr">Tutar</span>: <strong id="amount">%(amount)s %(currency)s</strong></p>
<p>%(description)s</p>
%(error)s
<form method="post" action="%(action)s">
<label for="card_number">Card number / <span lang="tr">Kart numarası</span></label>
<input id="card_number" name="card_number" inputmode="numeric" autocomplete="off"
 value="%(card)s" required>
<button type="submit">Pay / <span lang="tr">Öde</span></button>
</form>
<h2>Test cards / <span lang="tr">Test kartları</span></h2>
<table>
<tr><td>4242 4242 4242 4242</td><td>approves / <span lang="tr">onaylanır</span></td></tr>
<tr><td>4000 0000 0000 0002</td><td>declines / <span lang="tr">reddedilir</span></td></tr>
<tr><td>4000 0000 0000 0119</td><td>approved, callback held /
<span lang="tr">onaylanır, bildirim bekletilir</span></td></tr>
</table>
</main></body></html>
'''

CLOSED = '''<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>devgateway</title></head>
<body><main><h1>devgateway</h1>
<p>This checkout is closed (%(status)s).<br>
<span lang="tr">Bu ödeme kapandı (%(status)s).</span></p>
<p><a href="%(back)s">Back / <span lang="tr">Geri dön</span></a></p>
</main></body></html>
'''


def money(amount):
    return '%d.%02d' % (amount // 100, amount % 100) if amount >= 0 else str(amount)


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    disable_nagle_algorithm = True
    server_version = 'portal-pay-sink/1'
    timeout = 30

    def log_message(self, fmt, *args):  # card numbers and bodies stay out of logs
        pass

    @property
    def state(self):
        return self.server.state

    def send(self, status, ctype, data, extra=None):
        self.send_response(status)
        self.send_header('Content-Type', ctype)
        self.send_header('Content-Length', str(len(data)))
        self.send_header('Cache-Control', 'no-store')
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(data)

    def answer(self, status, doc):
        self.send(status, 'application/json', json.dumps(doc).encode('utf-8'))

    def html_page(self, status, text):
        self.send(status, 'text/html; charset=utf-8', text.encode('utf-8'))

    def redirect(self, url):
        self.send(303, 'text/plain; charset=utf-8', b'See Other\n', {'Location': url})

    def read_body(self):
        """The raw body, or None after answering an error."""
        length = self.headers.get('Content-Length')
        if length is None:
            length = '0'
        try:
            n = int(length)
        except ValueError:
            n = -1
        if n < 0 or n > MAX_BODY:
            self.close_connection = True
            self.answer(413 if n > MAX_BODY else 400,
                        {'error': 'invalid', 'detail': 'a body up to 64 KiB with Content-Length'})
            return None
        return self.rfile.read(n)

    def json_body(self):
        body = self.read_body()
        if body is None:
            return None
        try:
            doc = json.loads(body.decode('utf-8')) if body else {}
            if not isinstance(doc, dict):
                raise ValueError
            return doc
        except (ValueError, UnicodeDecodeError):
            self.answer(422, {'error': 'invalid', 'detail': 'the body must be a JSON object'})
            return None

    def form_body(self):
        body = self.read_body()
        if body is None:
            return None
        try:
            pairs = urllib.parse.parse_qsl(body.decode('utf-8'), keep_blank_values=True,
                                           strict_parsing=False, max_num_fields=100)
        except (UnicodeDecodeError, ValueError):
            pairs = None
        if pairs is None:
            self.answer(400, {'error': 'invalid', 'detail': 'a form-encoded UTF-8 body'})
            return None
        return dict(pairs)

    def route(self):
        return urllib.parse.urlsplit(self.path).path.split('/')[1:]

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        p = self.route()
        if len(p) == 2 and p[0] == 'pay':
            self.hosted_page(p[1], 'devgateway', None)
        elif len(p) == 4 and p[:3] == ['paytr', 'odeme', 'guvenli']:
            self.hosted_page(p[3], 'paytr', None)
        elif len(p) == 3 and p[:2] == ['control', 'checkouts']:
            c = self.state.checkout(p[2])
            if c is None:
                self.answer(404, {'error': 'unknown_checkout'})
            else:
                self.answer(200, public_record(c))
        else:
            self.answer(404, {'error': 'not_found'})

    def do_POST(self):
        p = self.route()
        if p == ['checkouts']:
            self.devgateway_checkout()
        elif len(p) == 2 and p[0] == 'pay':
            self.hosted_page(p[1], 'devgateway', self.form_body())
        elif p == ['paytr', 'odeme', 'api', 'get-token']:
            self.paytr_get_token()
        elif len(p) == 4 and p[:3] == ['paytr', 'odeme', 'guvenli']:
            self.hosted_page(p[3], 'paytr', self.form_body())
        elif p == ['control', 'merchants']:
            self.control_merchant()
        elif len(p) == 4 and p[:2] == ['control', 'checkouts']:
            self.control_checkout(p[2], p[3])
        else:
            self.read_body()
            self.answer(404, {'error': 'not_found'})

    # --- devgateway ---

    def devgateway_checkout(self):
        raw = self.read_body()
        if raw is None:
            return
        try:
            text = raw.decode('utf-8')
            doc = json.loads(text)
            if not isinstance(doc, dict):
                raise ValueError
        except (ValueError, UnicodeDecodeError):
            self.answer(422, {'error': 'invalid', 'detail': 'the body must be a JSON object'})
            return
        mid = doc.get('merchant_id')
        if not isinstance(mid, str) or not 0 < len(mid) <= 256:
            self.answer(422, {'error': 'invalid', 'detail': 'merchant_id: a string'})
            return
        merchant = self.state.merchant('devgateway', mid)
        if merchant is None:
            self.answer(404, {'error': 'unknown_merchant'})
            return
        if not self.signature_ok(merchant['secret'], text):
            self.answer(401, {'error': 'bad_signature'})
            return
        detail = self.checkout_invalid(doc)
        if detail:
            self.answer(422, {'error': 'invalid', 'detail': detail})
            return
        ident = 'co_' + secrets.token_hex(12)
        checkout = {
            'id': ident, 'provider': 'devgateway', 'merchant_id': mid,
            'reference': doc['reference'], 'amount': doc['amount'], 'currency': doc['currency'],
            'description': doc.get('description') or '', 'return_url': doc['return_url'],
            'callback_url': doc['callback_url'],
            'redirect_url': 'http://127.0.0.1:%d/pay/%s' % (self.state.port, ident),
            'request': {'signature': self.headers.get('X-Gateway-Signature'), 'body': text},
            'created_at': now_iso(), 'status': 'open',
        }
        self.state.store.write('checkout', ident, checkout)
        checkout['callbacks'] = []
        self.state.remember(checkout)
        self.answer(201, {'id': ident, 'redirect_url': checkout['redirect_url']})

    def signature_ok(self, secret, text):
        header = self.headers.get('X-Gateway-Signature', '')
        parts = dict(p.strip().partition('=')[::2] for p in header.split(',') if '=' in p)
        t, v1 = parts.get('t', ''), parts.get('v1', '')
        if not re.match(r'^\d{1,12}$', t) or not re.match(r'^[0-9a-fA-F]{64}$', v1):
            return False
        if abs(time.time() - int(t)) > SIGNATURE_WINDOW:
            return False
        want = devgateway_signature(secret, t, text).split('v1=', 1)[1]
        return hmac.compare_digest(want, v1.lower())

    @staticmethod
    def checkout_invalid(doc):
        if not isinstance(doc.get('reference'), str) or not REFERENCE.match(doc['reference']):
            return 'reference: 1 to 64 letters and digits'
        a = doc.get('amount')
        if not isinstance(a, int) or isinstance(a, bool) or not 0 < a <= 10 ** 13:
            return 'amount: a positive integer of minor units'
        if not isinstance(doc.get('currency'), str) or not re.match(r'^[A-Z]{3}$', doc['currency']):
            return 'currency: an ISO 4217 code'
        d = doc.get('description', '')
        if d is not None and (not isinstance(d, str) or len(d) > 500):
            return 'description: up to 500 characters'
        for k in ('return_url', 'callback_url'):
            err = loopback_url(doc.get(k))
            if err:
                return '%s: %s' % (k, err)
        return None

    # --- the hosted page, both protocols ---

    def hosted_page(self, ident, provider, form):
        if self.command == 'POST' and form is None:
            return  # answered already
        c = self.state.checkout(ident) if CHECKOUT_ID.match(ident) else None
        if c is None or c['provider'] != provider:
            self.html_page(404, CLOSED % {'status': 'unknown checkout / bilinmeyen ödeme',
                                          'back': '/'})
            return
        if provider == 'paytr':
            ok_url, fail_url = c['merchant_ok_url'], c['merchant_fail_url']
        else:
            ok_url = fail_url = c['return_url']
        if c['status'] != 'open':
            self.html_page(409, CLOSED % {'status': html.escape(c['status']),
                                          'back': html.escape(ok_url)})
            return
        error = ''
        card = ''
        if form is not None:
            card = form.get('card_number', '')
            digits = card.replace(' ', '')
            outcome = CARDS.get(digits) if re.match(r'^[0-9 ]{1,40}$', card) else None
            if outcome is not None:
                if not self.state.set_status(c, ('open',), outcome):
                    self.html_page(409, CLOSED % {'status': html.escape(c['status']),
                                                  'back': html.escape(ok_url)})
                    return
                if outcome != 'held':
                    outcome_callback(self.state, c, outcome)
                self.redirect(fail_url if outcome == 'failed' else ok_url)
                return
            error = ('<p class="error" role="alert">This is not one of the test cards. / '
                     '<span lang="tr">Bu, test kartlarından biri değil.</span></p>')
        path = urllib.parse.urlsplit(self.path).path
        self.html_page(422 if form is not None else 200, PAGE % {
            'amount': html.escape(money(c['amount'])), 'currency': html.escape(c['currency']),
            'description': html.escape(c.get('description') or ''), 'error': error,
            'action': html.escape(path), 'card': html.escape(card[:40])})

    # --- PayTR ---

    def paytr_get_token(self):
        form = self.form_body()
        if form is None:
            return

        def failed(reason):
            self.answer(200, {'status': 'failed', 'reason': reason})

        for k in PAYTR_FIELDS:
            if k not in form and k not in ('debug_on', 'timeout_limit', 'lang', 'user_phone',
                                           'user_address'):
                return failed('missing field: %s' % k)
        merchant = self.state.merchant('paytr', form['merchant_id'])
        if merchant is None:
            return failed('unknown merchant_id')
        want = paytr_b64(merchant['merchant_key'], ''.join(form[k] for k in (
            'merchant_id', 'user_ip', 'merchant_oid', 'email', 'payment_amount', 'user_basket',
            'no_installment', 'max_installment', 'currency', 'test_mode')) +
            merchant['merchant_salt'])
        if not hmac.compare_digest(want.encode('ascii'),
                                   form['paytr_token'].encode('utf-8', 'replace')):
            return failed('paytr_token is not valid (check merchant_key and merchant_salt)')
        if not REFERENCE.match(form['merchant_oid']):
            return failed('merchant_oid: 1 to 64 letters and digits')
        if not re.match(r'^[1-9][0-9]{0,12}$', form['payment_amount']):
            return failed('payment_amount: a positive integer (amount x 100)')
        if not CURRENCY.match(form['currency']):
            return failed('currency')
        for k in ('no_installment', 'test_mode'):
            if form[k] not in ('0', '1'):
                return failed('%s: 0 or 1' % k)
        if not re.match(r'^[0-9]{1,2}$', form['max_installment']):
            return failed('max_installment')
        for k in ('merchant_ok_url', 'merchant_fail_url'):
            err = loopback_url(form[k])
            if err:
                return failed('%s %s' % (k, err))
        token = secrets.token_hex(24)
        checkout = {
            'id': token, 'provider': 'paytr', 'merchant_id': form['merchant_id'],
            'reference': form['merchant_oid'], 'amount': int(form['payment_amount']),
            'currency': form['currency'], 'description': 'PayTR',
            'merchant_ok_url': form['merchant_ok_url'],
            'merchant_fail_url': form['merchant_fail_url'],
            'redirect_url': 'http://127.0.0.1:%d/paytr/odeme/guvenli/%s' % (self.state.port, token),
            'fields': {k: form.get(k) for k in PAYTR_FIELDS if k in form},
            'created_at': now_iso(), 'status': 'open',
        }
        self.state.store.write('checkout', token, checkout)
        checkout['callbacks'] = []
        self.state.remember(checkout)
        self.answer(200, {'status': 'success', 'token': token})

    # --- control ---

    def control_merchant(self):
        doc = self.json_body()
        if doc is None:
            return
        provider, mid = doc.get('provider'), doc.get('merchant_id')

        def bad(detail):
            self.answer(422, {'error': 'invalid', 'detail': detail})

        if not isinstance(mid, str) or not MERCHANT_ID.match(mid):
            return bad('merchant_id: 1 to 64 of A-Z a-z 0-9 . _ -')
        if provider == 'devgateway':
            names = ('secret',)
        elif provider == 'paytr':
            names = ('merchant_key', 'merchant_salt')
            err = loopback_url(doc.get('callback_url'))
            if err:
                return bad('callback_url: ' + err)
        else:
            return bad('provider: devgateway or paytr')
        for k in names:
            if not isinstance(doc.get(k), str) or not 0 < len(doc[k]) <= 512:
                return bad('%s: a string of 1 to 512 characters' % k)
        account = {k: doc[k] for k in names}
        if provider == 'paytr':
            account['callback_url'] = doc['callback_url']
        try:
            self.state.add_merchant(provider, mid, account)
        except ValueError as e:
            return bad(str(e))
        self.answer(201, {'provider': provider, 'merchant_id': mid})

    def control_checkout(self, ident, action):
        doc = self.json_body()
        if doc is None:
            return
        c = self.state.checkout(ident)
        if c is None:
            self.answer(404, {'error': 'unknown_checkout'})
            return
        if action == 'release':
            if not self.state.set_status(c, ('held',), 'succeeded'):
                self.answer(409, {'error': 'not_held', 'status': c['status']})
                return
            rec = outcome_callback(self.state, c, 'succeeded')
        elif action == 'callback':
            overrides, err = self.overrides(c, doc)
            if err:
                self.answer(422, {'error': 'invalid', 'detail': err})
                return
            if c['provider'] == 'paytr':
                rec = paytr_callback(self.state, c, 'success', overrides)
            else:
                rec = devgateway_callback(self.state, c, 'payment.succeeded', overrides)
        elif action == 'replay':
            with self.state.lock:
                last = c['callbacks'][-1] if c['callbacks'] else None
            if last is None:
                self.answer(409, {'error': 'no_callback'})
                return
            extra = {'replay_of': last.get('file')}
            if 'event_id' in last:
                extra['event_id'] = last['event_id']
            rec = send_callback(self.state, c, last['url'], dict(last['headers']), last['body'],
                                extra)
        else:
            self.answer(404, {'error': 'not_found'})
            return
        out = {'status': rec.get('status'), 'answer': rec.get('answer')}
        for k in ('error', 'event_id', 'body', 'headers', 'file'):
            if k in rec:
                out[k] = rec[k]
        self.answer(200, out)

    @staticmethod
    def overrides(c, doc):
        """The accepted overrides of a forged callback, or an error."""
        if c['provider'] == 'paytr':
            kinds = {'status': str, 'total_amount': str, 'hash': str, 'currency': str,
                     'secret': str, 'body': str}
        else:
            kinds = {'type': str, 'amount': int, 'currency': str, 't': int, 'event_id': str,
                     'secret': str, 'body': str}
        out = {}
        for k, v in doc.items():
            if k not in kinds:
                return None, 'unknown override: %s' % k[:64]
            if not isinstance(v, kinds[k]) or isinstance(v, bool):
                return None, '%s: a %s' % (k, 'string' if kinds[k] is str else 'integer')
            if isinstance(v, str) and len(v) > MAX_BODY:
                return None, '%s: too long' % k
            out[k] = v
        return out, None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--port', type=int, default=9045)
    ap.add_argument('--dir', required=True)
    ap.add_argument('--merchant', action='append', default=[],
                    help='ID=SECRET_FILE: a devgateway merchant known from the start')
    args = ap.parse_args()

    state = State(Store(args.dir), args.port)
    for spec in args.merchant:
        mid, sep, path = spec.partition('=')
        if not sep or not MERCHANT_ID.match(mid):
            ap.error('--merchant ID=SECRET_FILE')
        with open(path) as f:
            secret = f.readline().strip()
        if not secret:
            ap.error('%s is empty' % path)
        state.add_merchant('devgateway', mid, {'secret': secret})
    state.reload()

    server = ThreadingHTTPServer(('127.0.0.1', args.port), Handler)
    server.daemon_threads = True
    server.state = state
    signal.signal(signal.SIGTERM, lambda *a: threading.Thread(target=server.shutdown).start())
    print('pay sink listening on 127.0.0.1:%d, writing %s' % (args.port, args.dir), flush=True)
    server.serve_forever()
    server.server_close()


if __name__ == '__main__':
    main()
