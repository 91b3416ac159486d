// The per-clinic budget of failed code verifications (issue 9 item 10; DESIGN.md section
// 10): past otp_failure_budget wrong codes within otp_failure_window at one clinic, every
// further wrong code (sign-in or contact change) is answered only after a wait that grows to
// at most 2 s, and is never refused for that: a stranger guessing at a clinic's challenges
// slows only guessing down, and cannot lock that clinic's patients out. The right code is not
// slowed down; another clinic is not touched; the API logs once that the budget tripped. The
// stack's portal.conf is rewritten with a small budget and reloaded (as
// patient_ratelimit.test.mjs does), and restored afterwards whatever happens. Run alone: it
// reloads the API.
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { api, assertProblem, env } from '../api/lib/client.mjs';
import {
  codeIn, enablePortal, makeClinic, makePatient, nextMessage, portalPath, signIn, signInPatient, sinkMark,
  uniqueEmail, uniquePhone,
} from '../api/lib/fixtures.mjs';
import { StackConf } from './lib/stackconf.mjs';

const BUDGET = 4;
const STEP_MS = 250; // CHALLENGE_DELAY_STEP_MS
const MAX_MS = 2000; // CHALLENGE_DELAY_MAX_MS
const KEYS = { otp_failure_budget: String(BUDGET), otp_failure_window: '600' };

let conf;

before(() => {
  conf = new StackConf();
});

after(async () => {
  if (!conf) return;
  await conf.reloadApi(conf.original);
  conf.assertRestored();
});

async function portalClinic() {
  const clinic = makeClinic();
  const owner = await signIn(clinic.logins.owner);
  await enablePortal(owner, clinic, { permissions: ['view_profile', 'update_profile'] });
  return { clinic, owner };
}

// A sign-in challenge of a new patient of the clinic, and its code.
async function challenge({ clinic, owner }) {
  const phone = uniquePhone();
  await makePatient(owner, { phone });
  const mark = sinkMark();
  const res = await api('POST', portalPath(clinic.code, 'login/start'), { body: { contact: phone } });
  assert.equal(res.status, 202, res.text);
  return { id: res.body.challenge_id, code: codeIn((await nextMessage(phone, mark)).text) };
}

const wrong = (code) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

async function timedVerify(clinic, id, code) {
  const t0 = process.hrtime.bigint();
  const res = await api('POST', portalPath(clinic.code, 'login/verify'), { body: { challenge_id: id, code } });
  return { res, ms: Number(process.hrtime.bigint() - t0) / 1e6 };
}

test('past the budget each wrong code waits longer, up to 2 s, and is never refused; the right code is not slowed; another clinic is untouched; the trip is logged once', async () => {
  await conf.reloadApi(conf.with(KEYS));
  const logFrom = statSync(`${env().logDir}/portal-api.log`).size;
  const a = await portalClinic();
  const b = await portalClinic();

  // BUDGET + 9 wrong codes at clinic A, over several challenges (5 tries each).
  const times = [];
  let ch = await challenge(a);
  let spent = 0;
  for (let i = 1; i <= BUDGET + 9; i++) {
    if (spent === 5) {
      ch = await challenge(a);
      spent = 0;
    }
    const { res, ms } = await timedVerify(a.clinic, ch.id, wrong(ch.code));
    spent++;
    assertProblem(res, 400, 'invalid_code', `wrong code ${i}`);
    assert.equal(res.body.attempts_left, 5 - spent, `wrong code ${i}`);
    times.push(ms);
  }
  for (let i = BUDGET; i < times.length; i++) {
    const over = i - BUDGET + 1;
    const wait = Math.min(MAX_MS, over * STEP_MS);
    assert.ok(times[i] >= wait - 20, `wrong code ${i + 1} (${over} over the budget) took ${times[i].toFixed(0)} ms, less than ${wait}`);
    assert.ok(times[i] < wait + 1500, `wrong code ${i + 1} took ${times[i].toFixed(0)} ms, far more than ${wait}`);
  }
  assert.ok(times.at(-1) >= MAX_MS - 20, `the last wrong code waited ${times.at(-1).toFixed(0)} ms`);

  // A patient of A with the right code signs in at once.
  const right = await challenge(a);
  const { res: ok, ms: okMs } = await timedVerify(a.clinic, right.id, right.code);
  assert.equal(ok.status, 200, ok.text);
  assert.ok(okMs < 1000, `the right code took ${okMs.toFixed(0)} ms`);

  // A contact change's wrong code at A counts with the same budget and waits too.
  const email = uniqueEmail('budget');
  await makePatient(a.owner, { email });
  const s = await signInPatient(a.clinic.code, email);
  const newEmail = uniqueEmail('budget-new');
  const mark = sinkMark();
  const started = await s.request('POST', 'profile/contact-change', { body: { channel: 'email', value: newEmail } });
  assert.equal(started.status, 202, started.text);
  const code = codeIn((await nextMessage(newEmail, mark)).text);
  const t0 = process.hrtime.bigint();
  const cc = await s.request('POST', 'profile/contact-change/verify',
    { body: { challenge_id: started.body.challenge_id, code, old_code: '000000' } });
  const ccMs = Number(process.hrtime.bigint() - t0) / 1e6;
  assertProblem(cc, 400, 'invalid_code', 'a wrong old code');
  assert.ok(ccMs >= MAX_MS - 20, `a wrong contact-change code took ${ccMs.toFixed(0)} ms`);

  // Clinic B has its own budget: its wrong codes are answered at once.
  const other = await challenge(b);
  const { res: bRes, ms: bMs } = await timedVerify(b.clinic, other.id, wrong(other.code));
  assertProblem(bRes, 400, 'invalid_code', 'clinic B');
  assert.ok(bMs < STEP_MS, `clinic B's wrong code took ${bMs.toFixed(0)} ms`);

  // Logged once, naming the clinic and never a code.
  const log = readFileSync(`${env().logDir}/portal-api.log`).subarray(logFrom).toString('utf8');
  const trips = log.split('\n').filter((l) => l.includes('passed its budget'));
  assert.equal(trips.length, 1, trips.join('\n'));
  assert.ok(trips[0].includes(a.clinic.id), trips[0]);
  assert.ok(trips[0].includes('level=warn'), trips[0]);
});
