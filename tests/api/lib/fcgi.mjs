// One request straight to portal-api's FastCGI socket, with the parameters nginx would pass
// and a client address (REMOTE_ADDR) the test chooses. The stacks listen on 127.0.0.1 only, so
// this is how a test speaks for a client at another address (an IPv6 one, say) without any
// header-trusting in the server: as in production, only what can reach the socket (nginx; here
// root, who runs the tests) says who the client is. The answer is checked like api()'s.
import { connect } from 'node:net';
import { checkCommonHeaders, env, validateAgainstSpec } from './client.mjs';

const VERSION = 1;
const BEGIN_REQUEST = 1;
const END_REQUEST = 3;
const PARAMS = 4;
const STDIN = 5;
const STDOUT = 6;
const RESPONDER = 1;
const REQUEST_ID = 1;

function record(type, content = Buffer.alloc(0)) {
  const padding = (8 - (content.length % 8)) % 8;
  const header = Buffer.from([VERSION, type, 0, REQUEST_ID, content.length >> 8, content.length & 0xff, padding, 0]);
  return Buffer.concat([header, content, Buffer.alloc(padding)]);
}

// Records of one stream (PARAMS, STDIN): chunks of at most 65535 bytes, then an empty record.
function stream(type, data) {
  const out = [];
  for (let i = 0; i < data.length; i += 65535) out.push(record(type, data.subarray(i, i + 65535)));
  out.push(record(type));
  return out;
}

function length(n) {
  return n < 128 ? Buffer.from([n]) : Buffer.from([((n >>> 24) & 0x7f) | 0x80, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
}

function pairs(params) {
  return Buffer.concat(Object.entries(params).flatMap(([name, value]) => {
    const n = Buffer.from(name);
    const v = Buffer.from(String(value));
    return [length(n.length), length(v.length), n, v];
  }));
}

// The socket of the stack under test (scripts/lib/stack.sh: $RUNDIR/api.sock).
export const apiSocket = () => `${env().runDir}/api.sock`;

// Sends method + path (with its query) as from remoteAddr; body is sent as JSON, raw as is.
// Resolves {status, headers, body, text} like api().
export function fcgi(method, path, { remoteAddr = '127.0.0.1', body, raw, headers = {}, timeoutMs = 15_000 } = {}) {
  const content = body !== undefined ? Buffer.from(JSON.stringify(body)) : Buffer.from(raw ?? '');
  const query = path.includes('?') ? path.slice(path.indexOf('?') + 1) : '';
  const params = {
    REQUEST_METHOD: method,
    REQUEST_URI: path,
    DOCUMENT_URI: path.split('?')[0],
    QUERY_STRING: query,
    SERVER_PROTOCOL: 'HTTP/1.1',
    REQUEST_SCHEME: 'http',
    REMOTE_ADDR: remoteAddr,
    REMOTE_PORT: '40000',
    SERVER_NAME: 'localhost',
    CONTENT_TYPE: body !== undefined ? 'application/json' : (headers['content-type'] ?? ''),
    CONTENT_LENGTH: String(content.length),
  };
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() !== 'content-type') params[`HTTP_${name.toUpperCase().replace(/-/g, '_')}`] = value;
  }
  const request = Buffer.concat([
    record(BEGIN_REQUEST, Buffer.from([0, RESPONDER, 0, 0, 0, 0, 0, 0])),
    ...stream(PARAMS, pairs(params)),
    ...stream(STDIN, content),
  ]);
  return new Promise((resolve, reject) => {
    const socket = connect(apiSocket());
    const chunks = [];
    let input = Buffer.alloc(0);
    let ended = false;
    const timer = setTimeout(() => socket.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    socket.on('connect', () => socket.write(request));
    socket.on('data', (data) => {
      input = Buffer.concat([input, data]);
      while (input.length >= 8) {
        const size = input.readUInt16BE(4);
        const total = 8 + size + input[6];
        if (input.length < total) break;
        if (input[1] === STDOUT) chunks.push(input.subarray(8, 8 + size));
        if (input[1] === END_REQUEST) ended = true;
        input = input.subarray(total);
      }
      if (ended) socket.end();
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`${method} ${path} over FastCGI: ${err.message}`));
    });
    socket.on('close', () => {
      clearTimeout(timer);
      if (!ended) return reject(new Error(`${method} ${path} over FastCGI: closed before the end of the request`));
      const out = Buffer.concat(chunks);
      const split = out.indexOf('\r\n\r\n');
      const headers = new Headers();
      let status = 200;
      for (const line of out.subarray(0, split).toString('utf8').split('\r\n')) {
        const colon = line.indexOf(':');
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (name.toLowerCase() === 'status') status = Number(value.split(' ')[0]);
        else headers.append(name, value);
      }
      const text = out.subarray(split + 4).toString('utf8');
      const type = (headers.get('content-type') ?? '').split(';')[0].trim();
      const parsed = (type === 'application/json' || type.endsWith('+json')) && text !== '' ? JSON.parse(text) : text;
      const res = { status, headers, body: parsed, text };
      try {
        checkCommonHeaders(method, path, res);
      } catch (err) {
        return reject(err);
      }
      validateAgainstSpec(method, path, res).then(() => resolve(res), reject);
    });
  });
}
