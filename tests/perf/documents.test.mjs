// Documents benchmark (issue 13, "Done when"; DESIGN.md sections 8, 11 and 13). A measurement, not
// a timed requirement: it asserts only that the requests succeeded (at least 99 % 2xx) and that
// every number was produced.
//
// The clinic: 100 patients (PORTAL_BENCH_SCALE times, at least 10), each with 200 shared documents
// (kind document, from the clinic, a day apart), seeded in SQL as the owner role; all of them the
// same 1 MiB of bytes, stored once under files_dir as the file store stores it (content addressed:
// files/<clinic>/<aa>/<sha256>), and the same bytes as each patient's profile photo
// (photos/<clinic>/<aa>/<sha256>.jpg). The portal is enabled under the code perf-documents with
// view_profile, view_documents and download_documents; every patient is signed in (session rows
// made here, new ones every run). The clinic is found again by its fixed name, so a rerun on the
// same stack reuses the patients.
//
// Measured through nginx with wrk (loopback only; tests/perf/lib/bench.mjs: -t 2 -c 64, a 2 s
// warm-up, then PORTAL_BENCH_SECONDS, default 10), as requests per second and p99 latency, beside
// the ceilings measured in the same run (static: nginx serving the console's index.html; fcgi:
// tests/perf/fcgi_ceiling.c, one primary-key SELECT) and GET me (the patient session check
// alone, the floor of every patient request):
//   (a) GET documents (the first page) of the signed-in patients in turn, each with 200;
//   (b) a served 1 MiB file through X-Accel-Redirect: GET documents/{id}/download (the API
//       authorises and records the download, nginx sends the stored file from /_files/), and the
//       profile photo of the same bytes (GET profile/photo: authorised, nothing recorded),
//       against nginx sending the same file statically (/_bench/static.bin, a location only the
//       dev and test stacks have: scripts/lib/stack.sh). The table gives each rate's ratio to
//       the fcgi ceiling; the served file's ratio to the static file is printed below it (the
//       issue's aim: 0.5 or more, or where the time goes).
// Until the documents API is there (no documents table, or GET documents answers the router's
// 404), (a) and the download are skipped, saying so, and the served file is measured through
// the profile photo alone.
//
// Scale: PORTAL_BENCH_SCALE (default 1, and 0.1 under CI=true) multiplies the patients (the
// documents per patient stay 200); PORTAL_BENCH_SECONDS defaults to 10 (3 under CI).
//
// What was measured (the 2-core machine shared with other sessions, load average 6-8; on a
// scratch merge with the documents API of doc-core; compare ratios within one run):
//
//   scale 1                              req/s  p99 ms  to fcgi   CI=true (scale 0.1, 3 s)
//   static file (GET /console/)           9833   103.0   3.28      19858   13.3  3.45
//   fcgi ceiling                          2995    93.2   1.00       5762   22.2  1.00
//   GET me (session check only)           1728    65.7   0.58       2507   52.6  0.44
//   GET documents (200 each)               744   169.0   0.25        655  184.0  0.11
//   static 1 MiB file (nginx alone)        564   183.2   0.19        682  167.4  0.12
//   served 1 MiB file (download)           380   237.3   0.13        404  217.3  0.07
//   served 1 MiB file (profile photo)      517   192.1   0.17        452  204.5  0.08
//
// Served over static: download 0.67 (0.59 under CI), profile photo 0.92 (0.66). Where the time
// goes, per request of the machine: the 1 MiB file 1.8 ms whichever way nginx sends it (copying
// it to wrk over loopback); the API's patient request about 0.6 ms (GET me alone), the
// download's transaction with its access row about 0.9 ms in all. Without the documents API
// (this branch alone, CI=true): profile photo 178 against static 377 req/s (0.47) under a
// load average of 5, and 556 against 544 (1.02) at scale 1.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { api, confValue, env, psql } from '../api/lib/client.mjs';
import { portalctl, portalPath } from '../api/lib/fixtures.mjs';
import {
  between, fetchOnce, get, hexId, patientSessions, patientsSql, psqlSession, rotate, Runs, SCALE, sqlId,
  startCeiling, stopCeiling, ceilingTests,
} from './lib/bench.mjs';

const CLINIC_NAME = 'Perf: documents (tests/perf/documents.test.mjs)';
const CODE = 'perf-documents';
const N_PATIENTS = Math.max(10, Math.round(100 * SCALE));
const DOCS_PER_PATIENT = 200;
const N_DOCUMENTS = N_PATIENTS * DOCS_PER_PATIENT; // 20,000 at full scale
const FILE_BYTES = 1024 * 1024;

const PATIENT_PREFIX = '5eed0013-0000-4000-8000-';
const DOCUMENT_PREFIX = '5eed0013-0001-4000-8000-';
// Document d (0 newest .. 199) of patient p is p * 200 + d.
const documentId = (p, d) => hexId(DOCUMENT_PREFIX, p * DOCS_PER_PATIENT + d);

// The same 1 MiB every run (a rerun finds it stored): xorshift32 from a fixed seed.
function fileBytes() {
  const b = Buffer.alloc(FILE_BYTES);
  let x = 0x13c0ffee;
  for (let i = 0; i < FILE_BYTES; i += 4) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    b.writeUInt32LE(x, i);
  }
  // A PDF's first bytes, so that the stored document looks like what it claims.
  b.write('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 0, 'latin1');
  return b;
}

// Writes bytes at path as the stack's user would have (directories 0750 made as needed, owned
// like root), when not there with that size already.
function place(root, rel, bytes) {
  const { uid, gid } = statSync(root);
  const parts = rel.split('/');
  for (let i = 1; i < parts.length; i++) {
    const dir = `${root}/${parts.slice(0, i).join('/')}`;
    if (!existsSync(dir)) {
      mkdirSync(dir, { mode: 0o750 });
      chownSync(dir, uid, gid);
    }
  }
  const path = `${root}/${rel}`;
  if (existsSync(path) && statSync(path).size === bytes.length) return path;
  writeFileSync(path, bytes, { mode: 0o640 });
  chownSync(path, uid, gid);
  return path;
}

const documentsSql = (clinicId, sha) => `
INSERT INTO documents (id, clinic_id, patient_id, kind, title, file_name, content_type, size, sha256, shared, source,
  created_at, updated_at)
SELECT ${sqlId(DOCUMENT_PREFIX, `p * ${DOCS_PER_PATIENT} + d`)}, '${clinicId}'::uuid, ${sqlId(PATIENT_PREFIX, 'p')},
  'document', 'Kontrol raporu ' || (${DOCS_PER_PATIENT} - d), 'kontrol-raporu-' || (${DOCS_PER_PATIENT} - d) || '.pdf',
  'application/pdf', ${FILE_BYTES}, '${sha}', true, 'clinic',
  now() - d * interval '1 day', now() - d * interval '1 day'
FROM generate_series(0, ${N_PATIENTS - 1}) p, generate_series(0, ${DOCS_PER_PATIENT - 1}) d
ORDER BY p, d DESC`;

let clinicId;
let sessions; // [{patientId, cookie, csrf}]
let documentsApi = false; // the documents table and routes are there
let whyNoDocuments = '';
let workers;
let runs;
let sha;

before(async () => {
  runs = new Runs('tests/perf/documents.test.mjs');
  const e = env();
  const existing = psql(`SELECT id FROM clinics WHERE name = '${CLINIC_NAME}' ORDER BY created_at LIMIT 1`);
  clinicId = existing || portalctl('create-clinic', '--name', CLINIC_NAME, '--code', CODE);
  if (!existing) portalctl('grant-module', '--clinic', clinicId, '--module', 'patient_portal');
  const patients = Number(psql(`SELECT count(*) FROM patients WHERE clinic_id = '${clinicId}' AND id ${between(PATIENT_PREFIX)}`));
  const hasTable = psql("SELECT to_regclass('public.documents') IS NOT NULL") === 't';
  const keys = ['view_profile', ...(hasTable ? ['view_documents', 'download_documents'] : [])];
  if (patients !== N_PATIENTS) {
    await psqlSession([
      'BEGIN',
      ...[...(hasTable ? ['documents'] : []), 'patient_sessions', 'outbox', 'patients']
        .map((t) => `DELETE FROM ${t} WHERE clinic_id = '${clinicId}'`),
      patientsSql(clinicId, PATIENT_PREFIX, N_PATIENTS, { phonePrefix: '+90534' }),
      'COMMIT',
    ], { timeoutMs: 120_000 });
  }

  // The bytes: stored as a document and as a photo, and beside them for nginx alone.
  const bytes = fileBytes();
  sha = createHash('sha256').update(bytes).digest('hex');
  const root = confValue('files_dir');
  assert.ok(root && existsSync(root), `files_dir ${root}`);
  place(root, `files/${clinicId}/${sha.slice(0, 2)}/${sha}`, bytes);
  place(root, `photos/${clinicId}/${sha.slice(0, 2)}/${sha}.jpg`, bytes);
  mkdirSync(`${e.stack}/bench`, { recursive: true, mode: 0o755 });
  writeFileSync(`${e.stack}/bench/static.bin`, bytes, { mode: 0o644 });

  if (!hasTable) {
    whyNoDocuments = 'the documents API is not there yet (no documents table: sql/0028_documents.sql not applied)';
  } else if (Number(psql(`SELECT count(*) FROM documents WHERE clinic_id = '${clinicId}' AND id ${between(DOCUMENT_PREFIX)}
      AND sha256 = '${sha}'`)) !== N_DOCUMENTS) {
    await psqlSession([
      'BEGIN',
      `DELETE FROM documents WHERE clinic_id = '${clinicId}'`,
      documentsSql(clinicId, sha),
      'COMMIT',
      'ANALYZE documents',
    ], { timeoutMs: 120_000 });
  }
  const made = patientSessions(clinicId, N_PATIENTS, sqlId(PATIENT_PREFIX, 'i'));
  await psqlSession([
    `UPDATE portal_settings SET enabled = true, permissions = ARRAY[${keys.map((k) => `'${k}'`).join(', ')}]
     WHERE clinic_id = '${clinicId}'`,
    `UPDATE patients SET photo_sha256 = '${sha}', photo_type = 'image/jpeg', portal_access = true
     WHERE clinic_id = '${clinicId}' AND id ${between(PATIENT_PREFIX)}`,
    ...made.statements,
  ]);
  sessions = Array.from({ length: N_PATIENTS }, (_, i) => ({
    patientId: hexId(PATIENT_PREFIX, i), cookie: `portal_patient=${made.token(i)}`, csrf: made.csrf,
  }));
  if (hasTable) {
    // The route, as the patient app calls it: the router's own 404 means the API is not merged.
    const res = await api('GET', portalPath(CODE, 'documents'), { headers: { cookie: sessions[0].cookie } });
    if (res.status === 404 && res.body?.code === 'not_found') {
      whyNoDocuments = 'the documents API is not there yet (GET documents answers 404 not_found: no such route)';
    } else {
      assert.equal(res.status, 200, `GET documents: ${res.text.slice(0, 300)}`);
      documentsApi = true;
    }
  }
  if (!documentsApi) console.log(`# ${whyNoDocuments}: GET documents and the download are skipped`);
  workers = await startCeiling();
});

after(() => {
  stopCeiling();
  if (clinicId) psql(`DELETE FROM patient_sessions WHERE clinic_id = '${clinicId}'`);
  runs?.close();
});

// A patient request with the session's cookie, and its CSRF token (the download is a write:
// it records).
const patientGet = (path, s) => ['GET', path, { Cookie: s.cookie, 'X-CSRF-Token': s.csrf }];

describe(`documents benchmark: ${N_PATIENTS} patients with ${DOCS_PER_PATIENT} documents each, a 1 MiB file (scale ${SCALE})`,
  { timeout: 15 * 60_000 }, () => {
    ceilingTests(() => ({ runs, workers, n: N_PATIENTS, patientId: (i) => sessions[i].patientId }));

    test('GET me (the patient session check alone: the floor of every patient request)', async () => {
      const res = await api('GET', portalPath(CODE, 'me'), { headers: { cookie: sessions[0].cookie } });
      assert.equal(res.status, 200, res.text);
      await runs.bench('GET me (session check only)', rotate(N_PATIENTS, (i) => get(portalPath(CODE, 'me'), sessions[i])));
    });

    test('GET documents (the first page, of 200)', async (t) => {
      if (!documentsApi) {
        t.skip(whyNoDocuments);
        return;
      }
      const path = portalPath(CODE, 'documents');
      const res = await api('GET', path, { headers: { cookie: sessions[1].cookie } });
      assert.equal(res.status, 200, res.text);
      assert.ok(res.body.items.length > 0, res.text.slice(0, 300));
      assert.equal(res.body.items[0].id, documentId(1, 0), 'newest first');
      await runs.bench('GET documents (200 each)', rotate(N_PATIENTS, (i) => patientGet(path, sessions[i])));
    });

    test('the static ceiling of a 1 MiB file: nginx alone', async () => {
      const res = await fetchOnce('/_bench/static.bin');
      assert.equal(res.status, 200);
      const body = Buffer.from(await res.arrayBuffer());
      assert.equal(createHash('sha256').update(body).digest('hex'), sha);
      await runs.bench('static 1 MiB file (nginx alone)', [get('/_bench/static.bin')]);
    });

    test('a served 1 MiB file: GET documents/{id}/download (X-Accel-Redirect, recorded)', async (t) => {
      if (!documentsApi) {
        t.skip(whyNoDocuments);
        return;
      }
      const path = (i) => portalPath(CODE, `documents/${documentId(i, 0)}/download`);
      const res = await fetchOnce(path(1), { headers: { cookie: sessions[1].cookie, 'x-csrf-token': sessions[1].csrf } });
      const body = Buffer.from(await res.arrayBuffer());
      assert.equal(res.status, 200, body.toString('utf8', 0, 300));
      assert.equal(createHash('sha256').update(body).digest('hex'), sha, 'the bytes stored');
      assert.match(res.headers.get('content-disposition') ?? '', /^attachment; /);
      await runs.bench('served 1 MiB file (download)', rotate(N_PATIENTS, (i) => patientGet(path(i), sessions[i])));
    });

    test('a served 1 MiB file: GET profile/photo (X-Accel-Redirect, not recorded)', async () => {
      const path = portalPath(CODE, 'profile/photo');
      const res = await fetchOnce(path, { headers: { cookie: sessions[1].cookie } });
      const body = Buffer.from(await res.arrayBuffer());
      assert.equal(res.status, 200, body.toString('utf8', 0, 300));
      assert.equal(createHash('sha256').update(body).digest('hex'), sha, 'the bytes stored');
      assert.equal(res.headers.get('content-security-policy'), "default-src 'none'; sandbox");
      await runs.bench('served 1 MiB file (profile photo)', rotate(N_PATIENTS, (i) => patientGet(path, sessions[i])));
    });

    test('the table, and the served file against the static one', () => {
      runs.printTable();
      const stat = runs.results.find((r) => r.name.startsWith('static 1 MiB'));
      const me = runs.results.find((r) => r.name.startsWith('GET me'));
      for (const r of runs.results.filter((x) => x.name.startsWith('served 1 MiB'))) {
        // Where the time goes: the machine's time per served file against the static file's
        // and a patient request's (GET me), as if they took turns on the same cores.
        const ms = (x) => (1000 / x.rps).toFixed(2);
        console.log(`# ${r.name} / static 1 MiB file: ${(r.rps / stat.rps).toFixed(2)} ` +
          `(${r.rps.toFixed(0)} / ${stat.rps.toFixed(0)} req/s, ${(r.rps * FILE_BYTES / 2 ** 30).toFixed(2)} GiB/s); ` +
          `per request ${ms(r)} ms of the machine = static file ${ms(stat)} ms + ${(1000 / r.rps - 1000 / stat.rps).toFixed(2)} ms ` +
          `(a patient request alone, GET me: ${ms(me)} ms)`);
      }
      assert.equal(runs.results.length, documentsApi ? 7 : 5,
        `every measurement produced a number: ${runs.results.map((r) => r.name).join(', ')}`);
    });
  });
