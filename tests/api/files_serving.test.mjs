// How stored files are served and collected (issue 13, "Storage and serving"; DESIGN.md section
// 13): only through nginx's internal /_files/ location after the API authorised the request
// (asked for directly it is 404), with nosniff, no-store, an inline Content-Disposition and a
// Content-Security-Policy that lets nothing in the file run, each header once; the upload
// routes of documents take a body past the JSON limit; and `portalctl gc-files` removes what
// no record refers to once it is older than the grace, keeping what a record refers to, per
// clinic. What needs the documents API (a document's download, its Turkish file name) is in
// tests/api/documents.test.mjs. Loopback only (node:http to PORTAL_TEST_URL).
import assert from 'node:assert/strict';
import { chownSync, existsSync, mkdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import { before, describe, test } from 'node:test';
import { env, psql } from './lib/client.mjs';
import {
  enablePortal, makeClinic, makePatient, portalctl, portalPath, signIn, signInPatient, uniqueEmail,
} from './lib/fixtures.mjs';

const TINY_JPEG = readFileSync(new URL('./fixtures/tiny.jpg', import.meta.url));
const TINY_WEBP = readFileSync(new URL('./fixtures/tiny.webp', import.meta.url));
const FILE_CSP = "default-src 'none'; sandbox";
const HOUR = 3600;

// One request with node:http, so that every header line is seen as sent (fetch joins repeated
// headers). Returns {status, headers: {name: [values]}, body: Buffer}.
function raw(method, path, { headers = {}, body } = {}) {
  const { hostname, port } = new URL(env().url);
  assert.ok(hostname === '127.0.0.1' || hostname === 'localhost', `not a loopback stack: ${hostname}`);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: Number(port || 80), method, path, headers, timeout: 15_000 }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const h = {};
        for (let i = 0; i < res.rawHeaders.length; i += 2) (h[res.rawHeaders[i].toLowerCase()] ??= []).push(res.rawHeaders[i + 1]);
        resolve({ status: res.statusCode, headers: h, body: Buffer.concat(chunks) });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

const once = (res, name, where) => {
  assert.equal(res.headers[name]?.length, 1, `${where}: ${name} ${JSON.stringify(res.headers[name])}`);
  return res.headers[name][0];
};

const filesDir = () => /^files_dir\s*=\s*(.*)$/m.exec(env().confText)[1].trim();
const sha256 = (b) => createHash('sha256').update(b).digest('hex');

// A file planted under files_dir as the stack's user would have written it, with its mtime
// ageSeconds ago.
function plant(rel, bytes, ageSeconds) {
  const root = filesDir();
  const path = `${root}/${rel}`;
  const { uid, gid } = statSync(root);
  const parts = rel.split('/').slice(0, -1);
  for (let i = 1; i <= parts.length; i++) {
    const dir = `${root}/${parts.slice(0, i).join('/')}`;
    if (!existsSync(dir)) {
      mkdirSync(dir, { mode: 0o750 });
      chownSync(dir, uid, gid);
    }
  }
  writeFileSync(path, bytes, { mode: 0o640 });
  chownSync(path, uid, gid);
  age(path, ageSeconds);
  return path;
}

function age(path, seconds) {
  const t = Date.now() / 1000 - seconds;
  utimesSync(path, t, t);
}

describe('stored files are served only through the API, with the headers of a file', () => {
  let clinic;
  let staff;
  let patient;
  let session;
  let photoFile;

  before(async () => {
    clinic = makeClinic();
    staff = await signIn(clinic.logins.staff);
    const owner = await signIn(clinic.logins.owner);
    await enablePortal(owner, clinic, { permissions: ['view_profile', 'upload_photo'] });
    const email = uniqueEmail('files');
    patient = await makePatient(staff, { email });
    session = await signInPatient(clinic.code, email);
    const put = await session.request('PUT', 'profile/photo', { raw: TINY_JPEG, headers: { 'content-type': 'image/jpeg' } });
    assert.equal(put.status, 200, put.text);
    const sha = psql(`SELECT photo_sha256 FROM patients WHERE id = '${patient.id}'`);
    photoFile = `photos/${clinic.id}/${sha.slice(0, 2)}/${sha}.jpg`;
    assert.ok(existsSync(`${filesDir()}/${photoFile}`), photoFile);
  });

  test('/_files/... asked for directly is 404, however it is spelt, and never the bytes', async () => {
    const stored = readFileSync(`${filesDir()}/${photoFile}`);
    for (const path of [`/_files/${photoFile}`, `/%5Ffiles/${photoFile}`, `/_files/./${photoFile}`,
      `/api/../_files/${photoFile}`, '/_files/', '/_files']) {
      const res = await raw('GET', path);
      assert.equal(res.status, 404, `${path}: ${res.status}`);
      assert.ok(!res.body.includes(stored), `${path}: the stored bytes came back`);
    }
    // Nor by a header of the client's: X-Accel-Redirect is the API's to send, not a request's.
    const res = await raw('GET', '/api/v1/health', { headers: { 'X-Accel-Redirect': `/_files/${photoFile}` } });
    assert.equal(res.status, 200);
    assert.ok(!res.body.includes(stored), 'X-Accel-Redirect from the client served the file');
  });

  test('a photo (both sides): its bytes, nosniff, CSP default-src \'none\'; sandbox, no-store, inline, each once', async () => {
    const stored = readFileSync(`${filesDir()}/${photoFile}`);
    for (const [where, path, cookie] of [
      ['clinic side', `/api/v1/clinic/patients/${patient.id}/photo`, staff.cookie],
      ['patient side', portalPath(clinic.code, 'profile/photo'), session.cookie],
    ]) {
      const res = await raw('GET', path, { headers: { cookie } });
      assert.equal(res.status, 200, `${where}: ${res.status} ${res.body.toString().slice(0, 200)}`);
      assert.deepEqual(res.body, stored, `${where}: the bytes served are the bytes stored`);
      assert.equal(once(res, 'content-type', where), 'image/jpeg');
      assert.equal(once(res, 'x-content-type-options', where), 'nosniff');
      assert.equal(once(res, 'content-security-policy', where), FILE_CSP);
      assert.equal(once(res, 'cache-control', where), 'private, no-store');
      assert.equal(once(res, 'content-disposition', where), 'inline');
      assert.equal(once(res, 'x-frame-options', where), 'DENY');
      assert.equal(once(res, 'referrer-policy', where), 'no-referrer');
      once(res, 'x-request-id', where);
      assert.equal(res.headers['x-accel-redirect'], undefined, `${where}: X-Accel-Redirect leaked`);
    }
    // The site's own pages keep the site's policy.
    const page = await raw('GET', '/console/');
    assert.match(once(page, 'content-security-policy', '/console/'), /(^|; )script-src 'self'(;|$)/);
    const json = await raw('GET', '/api/v1/health');
    assert.match(once(json, 'content-security-policy', '/api/v1/health'), /(^|; )default-src 'self'(;|$)/);
  });

  test('a range of a photo is served with the same headers; one outside it is 416 with them once', async () => {
    const path = `/api/v1/clinic/patients/${patient.id}/photo`;
    const part = await raw('GET', path, { headers: { cookie: staff.cookie, range: 'bytes=0-9' } });
    assert.equal(part.status, 206);
    assert.equal(part.body.length, 10);
    assert.equal(once(part, 'content-security-policy', '206'), FILE_CSP);
    const out = await raw('GET', path, { headers: { cookie: staff.cookie, range: 'bytes=999999-' } });
    assert.equal(out.status, 416);
    for (const name of ['content-security-policy', 'x-content-type-options', 'x-frame-options', 'referrer-policy',
      'permissions-policy', 'cross-origin-opener-policy', 'x-request-id', 'cache-control']) once(out, name, '416');
  });

  test('the document upload routes take a body past the JSON limit (nginx leaves it to the API)', async () => {
    const big = randomBytes(2 * 1024 * 1024);
    for (const path of [portalPath(clinic.code, 'documents'), `/api/v1/clinic/patients/${patient.id}/documents`]) {
      const res = await raw('POST', path, { headers: { 'content-type': 'application/pdf' }, body: big });
      assert.notEqual(res.status, 413, `${path}: nginx refused 2 MiB`);
      assert.ok(res.headers['x-request-id'], `${path}: no answer of the API`);
    }
    // A JSON route keeps the JSON limit.
    const res = await raw('POST', portalPath(clinic.code, 'login/start'), { headers: { 'content-type': 'application/json' }, body: big });
    assert.equal(res.status, 413);
  });
});

describe('portalctl gc-files', () => {
  let clinic;
  let other;
  let staff;
  let patient;
  let photoFile;
  let photoSha;

  before(async () => {
    clinic = makeClinic();
    other = makeClinic();
    staff = await signIn(clinic.logins.staff);
    const owner = await signIn(clinic.logins.owner);
    await enablePortal(owner, clinic, { permissions: ['view_profile', 'upload_photo'] });
    const email = uniqueEmail('gc');
    patient = await makePatient(staff, { email });
    const session = await signInPatient(clinic.code, email);
    const put = await session.request('PUT', 'profile/photo', { raw: TINY_JPEG, headers: { 'content-type': 'image/jpeg' } });
    assert.equal(put.status, 200, put.text);
    photoSha = psql(`SELECT photo_sha256 FROM patients WHERE id = '${patient.id}'`);
    photoFile = `photos/${clinic.id}/${photoSha.slice(0, 2)}/${photoSha}.jpg`;
  });

  test('removes orphans past the grace and keeps the referenced photo, the young file and the upload in flight', async () => {
    const root = filesDir();
    // The referenced photo is old too: a reference keeps it, not its age.
    age(`${root}/${photoFile}`, 2 * HOUR);
    const orphanBytes = randomBytes(1000);
    const orphanSha = sha256(orphanBytes);
    const orphan = `files/${clinic.id}/${orphanSha.slice(0, 2)}/${orphanSha}`;
    plant(orphan, orphanBytes, 2 * HOUR);
    // An old photo nobody uses any more.
    const oldPhotoBytes = randomBytes(500);
    const oldPhotoSha = sha256(oldPhotoBytes);
    const oldPhoto = `photos/${clinic.id}/${oldPhotoSha.slice(0, 2)}/${oldPhotoSha}.jpg`;
    plant(oldPhoto, oldPhotoBytes, 2 * HOUR);
    // The same bytes as the referenced photo, in another clinic, where nobody refers to them.
    const foreign = `photos/${other.id}/${photoSha.slice(0, 2)}/${photoSha}.jpg`;
    plant(foreign, TINY_JPEG, 2 * HOUR);
    // Just stored (its row not yet committed, say), and a temporary file being written.
    const youngBytes = randomBytes(700);
    const youngSha = sha256(youngBytes);
    const young = `files/${clinic.id}/${youngSha.slice(0, 2)}/${youngSha}`;
    plant(young, youngBytes, 60);
    const inFlight = `${young}.0123456789abcdef.tmp`;
    plant(inFlight, youngBytes.subarray(0, 100), 5);
    // A temporary file a crash left behind.
    const crashed = `${orphan}.fedcba9876543210.tmp`;
    plant(crashed, orphanBytes.subarray(0, 10), 2 * HOUR);

    // A dry run names them and removes nothing.
    const dry = portalctl('gc-files', '--dry-run');
    for (const rel of [orphan, oldPhoto, foreign, crashed]) {
      assert.ok(dry.includes(`would remove ${rel} (`), `dry run does not name ${rel}:\n${dry}`);
      assert.ok(existsSync(`${root}/${rel}`), `dry run removed ${rel}`);
    }
    assert.match(dry, /^gc-files \(dry run\): would remove \d+ files? /m);

    // One clinic at a time (other tests' files are left alone): the other clinic's file stays
    // until its own turn.
    const out = portalctl('gc-files', '--clinic', clinic.id);
    assert.ok(existsSync(`${root}/${foreign}`), 'gc-files --clinic reached another clinic');
    const outOther = portalctl('gc-files', '--clinic', other.id);
    assert.ok(outOther.includes(`removed ${foreign} (`), outOther);
    for (const rel of [orphan, oldPhoto, crashed]) {
      assert.ok(out.includes(`removed ${rel} (`), `not named as removed: ${rel}:\n${out}`);
      assert.ok(!existsSync(`${root}/${rel}`), `still there: ${rel}`);
    }
    for (const rel of [photoFile, young, inFlight]) {
      assert.ok(existsSync(`${root}/${rel}`), `removed, but should stay: ${rel}`);
      assert.ok(!out.includes(rel), `named, but should stay: ${rel}\n${out}`);
    }
    const summary = /^gc-files: removed (\d+) files? \((\d+) bytes; (\d+) temporary\); kept (\d+) referenced, (\d+) younger than 3600 s, (\d+) not the store's$/m.exec(out);
    assert.ok(summary, `no summary line:\n${out}`);
    assert.deepEqual(summary.slice(1).map(Number), [3, orphanBytes.length + oldPhotoBytes.length + 10, 1, 1, 2, 0], summary[0]);
    assert.ok(!existsSync(`${root}/${foreign}`), `still there: ${foreign}`);
    // The referenced photo is still served.
    const res = await raw('GET', `/api/v1/clinic/patients/${patient.id}/photo`, { headers: { cookie: staff.cookie } });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, readFileSync(`${root}/${photoFile}`));

    // With a grace shorter than its age, the young file goes too; the photo still stays.
    const short = portalctl('gc-files', '--clinic', clinic.id, '--grace', '30');
    assert.ok(short.includes(`removed ${young} (`), short);
    assert.ok(existsSync(`${root}/${photoFile}`), 'the referenced photo went');
    assert.ok(existsSync(`${root}/${inFlight}`), 'a temporary file younger than the grace went');
    assert.ok(existsSync(dirname(`${root}/${young}`)), 'the directory stays');
  });

  test('a photo that is no longer referenced goes once it is older than the grace', async () => {
    const root = filesDir();
    // The row lets the photo go (as a patient's deletion of it does, minus the removal).
    psql(`UPDATE patients SET photo_sha256 = NULL, photo_type = NULL WHERE id = '${patient.id}'`);
    age(`${root}/${photoFile}`, 2 * HOUR);
    const out = portalctl('gc-files', '--clinic', clinic.id);
    assert.ok(out.includes(`removed ${photoFile} (`), out);
    assert.ok(!existsSync(`${root}/${photoFile}`));
  });

  // Needs the documents API (issue 13, core): skipped, saying so, until it is there.
  test('a deleted document\'s bytes and thumbnail go; a kept document\'s stay, however old', async (t) => {
    const root = filesDir();
    const upload = (title, bytes, type) => staff.request('POST',
      `/api/v1/clinic/patients/${patient.id}/documents?title=${encodeURIComponent(title)}&kind=image&file_name=r%C3%B6ntgen`,
      { raw: bytes, headers: { 'content-type': type } });
    const first = await upload('Röntgen 1', TINY_JPEG, 'image/jpeg');
    if (first.status === 404 && first.body?.code === 'not_found') {
      t.skip('the documents API is not there yet (POST clinic/patients/{id}/documents: no such route)');
      return;
    }
    assert.equal(first.status, 201, first.text);
    // A second image of other bytes, kept.
    const kept = await upload('Röntgen 2', TINY_WEBP, 'image/webp');
    assert.equal(kept.status, 201, kept.text);
    const files = (id) => psql(`SELECT sha256 || ' ' || thumb_sha256 FROM documents WHERE id = '${id}'`).split(' ')
      .map((h) => `files/${clinic.id}/${h.slice(0, 2)}/${h}`);
    const gone = files(first.body.id);
    const stay = files(kept.body.id);
    for (const rel of [...gone, ...stay]) assert.ok(existsSync(`${root}/${rel}`), `stored: ${rel}`);
    assert.ok(gone.every((rel) => !stay.includes(rel)), `the two images share a file: ${gone} ${stay}`);
    const del = await staff.request('DELETE', `/api/v1/clinic/documents/${first.body.id}`);
    assert.equal(del.status, 204, del.text);
    for (const rel of [...gone, ...stay]) {
      assert.ok(existsSync(`${root}/${rel}`), `the record's deletion removed ${rel}`);
      age(`${root}/${rel}`, 2 * HOUR);
    }
    const out = portalctl('gc-files', '--clinic', clinic.id);
    for (const rel of gone) {
      assert.ok(out.includes(`removed ${rel} (`), `${rel} not removed:\n${out}`);
      assert.ok(!existsSync(`${root}/${rel}`), `still there: ${rel}`);
    }
    for (const rel of stay) assert.ok(existsSync(`${root}/${rel}`), `a kept document's file went: ${rel}`);
  });

  test('refuses a grace that is not a number of seconds', () => {
    assert.throws(() => portalctl('gc-files', '--grace', 'soon'), /exited 2: .*--grace takes a number of seconds/s);
    assert.throws(() => portalctl('gc-files', '--grace', '-5'), /exited 2/);
    assert.throws(() => portalctl('gc-files', '--clinic', '../x'), /exited 2: .*--clinic takes a clinic id/s);
  });
});
