// Staff sign-in limits (DESIGN.md section 10, issue 9 items 9 and 10), on the loose test
// stack: every failed sign-in, for a known or an unknown address, is recorded under the
// account and the client address as net_rate_key() counts it (an IPv4 address as itself, an
// IPv6 client by its /64: shown through FastCGI with a chosen REMOTE_ADDR, the way nginx
// passes it); a success forgets that account's failures from that address only. The three
// limits are decided by one database function (portal_staff_login_check), exercised here with
// tight limits of its own: per (account, address), per address, per account, each with the
// seconds until a try gets through. tests/fault/staff_ratelimit.test.mjs tightens the
// configuration and shows the 429 answers.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { api, assertProblem, psql } from './lib/client.mjs';
import { fcgi } from './lib/fcgi.mjs';
import { makeClinic, unique } from './lib/fixtures.mjs';

const LOGIN = '/api/v1/clinic/auth/login';
const nobody = () => `nobody-${randomBytes(5).toString('hex')}@clinic.test`;
const failuresOf = (email) => psql(`SELECT client_key FROM staff_login_failures WHERE email = '${email}'
  ORDER BY failed_at, client_key`).split('\n').filter(Boolean);
const fieldsOf = (res) => (res.body.errors ?? []).map((e) => e.field);

describe('what a failed sign-in records', () => {
  test('a wrong password and an unknown address each record one failure under 127.0.0.1', async () => {
    const clinic = makeClinic();
    const known = clinic.logins.staff.email;
    const unknown = nobody();
    assertProblem(await api('POST', LOGIN, { body: { email: known, password: 'not-the-password' } }), 401, 'not_authenticated');
    assertProblem(await api('POST', LOGIN, { body: { email: unknown, password: 'not-the-password' } }), 401, 'not_authenticated');
    assert.deepEqual(failuresOf(known), ['127.0.0.1']);
    assert.deepEqual(failuresOf(unknown), ['127.0.0.1']);
    // The address is the account whatever its case.
    assertProblem(await api('POST', LOGIN, { body: { email: known.toUpperCase(), password: 'wrong-again' } }),
      401, 'not_authenticated');
    assert.deepEqual(failuresOf(known), ['127.0.0.1', '127.0.0.1']);
  });

  test('the client address counts as net_rate_key() counts it: IPv6 by its /64, IPv4-mapped as IPv4', async () => {
    const email = nobody();
    for (const remoteAddr of ['2001:db8:a:b:1:2:3:4', '2001:db8:a:b:ffff::9', '2001:db8:a:c::1', '::ffff:192.0.2.7',
      '198.51.100.23']) {
      const res = await fcgi('POST', LOGIN, { remoteAddr, body: { email, password: 'wrong-password-here' } });
      assertProblem(res, 401, 'not_authenticated', remoteAddr);
    }
    assert.deepEqual(failuresOf(email).sort(), ['192.0.2.7', '198.51.100.23', '2001:db8:a:b::/64', '2001:db8:a:b::/64',
      '2001:db8:a:c::/64'].sort());
  });

  test('a success forgets the failures of that account from that address, not from others', async () => {
    const clinic = makeClinic();
    const { email, password } = clinic.logins.admin;
    psql(`INSERT INTO staff_login_failures (email, client_key) VALUES ('${email}', '203.0.113.9')`);
    assertProblem(await api('POST', LOGIN, { body: { email, password: 'wrong-password-here' } }), 401, 'not_authenticated');
    assert.deepEqual(failuresOf(email).sort(), ['127.0.0.1', '203.0.113.9']);
    const ok = await api('POST', LOGIN, { body: { email, password } });
    assert.equal(ok.status, 200, ok.text);
    assert.deepEqual(failuresOf(email), ['203.0.113.9']);
  });

  test('the password is checked as typed: surrounding spaces make it wrong', async () => {
    const clinic = makeClinic();
    const { email, password } = clinic.logins.owner;
    assertProblem(await api('POST', LOGIN, { body: { email, password: ` ${password} ` } }), 401, 'not_authenticated');
    // The address is trimmed.
    assert.equal((await api('POST', LOGIN, { body: { email: ` ${email} `, password } })).status, 200);
  });

  test('an unknown field is 422 naming it, and records no failure', async () => {
    const clinic = makeClinic();
    const { email, password } = clinic.logins.staff;
    const res = await api('POST', LOGIN, { body: { email, password, remember: true } });
    assertProblem(res, 422, 'validation_failed');
    assert.deepEqual(fieldsOf(res), ['remember']);
    assert.deepEqual(failuresOf(email), []);
  });
});

// portal_staff_login_check(email, client, window s, per pair, per client, per account), as the
// application calls it.
function check(email, client, [window, pair, perClient, account]) {
  const row = psql(`SELECT retry_after, staff_id IS NOT NULL FROM portal_staff_login_check('${email}', '${client}',
    ${window}, ${pair}, ${perClient}, ${account})`, { user: 'portal_app' });
  const [retry, found] = row.split('|');
  return { retry: Number(retry), found: found === 't' };
}
// Failures [email, client, seconds ago], in one statement.
function fail(...rows) {
  psql(`INSERT INTO staff_login_failures (email, client_key, failed_at) VALUES ${rows.map(([email, client, ago]) =>
    `('${email}', '${client}', now() - make_interval(secs => ${ago}))`).join(', ')}`);
}
const client = () => `test-${unique()}`;
// This machine may be slow between the insert and the check: a few seconds may pass.
function assertRetry(retry, expected, what) {
  assert.ok(retry <= expected + 1 && retry >= expected - 30, `${what}: retry ${retry}, expected about ${expected}`);
}

describe('the limits, in the database function', () => {
  test('per account and address: the limit-th failure holds the pair until it leaves the window', async () => {
    const clinic = makeClinic();
    const email = clinic.logins.staff.email;
    const here = client();
    assert.deepEqual(check(email, here, [900, 3, 30, 100]), { retry: 0, found: true });
    fail([email, here, 300], [email, here, 200]);
    assert.equal(check(email, here, [900, 3, 30, 100]).retry, 0, 'two failures of three');
    fail([email, here, 100]);
    const limited = check(email, here, [900, 3, 30, 100]);
    assert.equal(limited.found, false, 'no account is answered while limited');
    // The oldest of the three (300 s ago) leaves a 900 s window in 600 s.
    assertRetry(limited.retry, 600, 'pair');
    // Other addresses are not limited for this account; older failures do not count.
    assert.deepEqual(check(email, client(), [900, 3, 30, 100]), { retry: 0, found: true });
    assert.equal(check(email, here, [250, 3, 30, 100]).retry, 0, 'only two are within 250 s');
  });

  test('per address: failures on any accounts count together', async () => {
    const here = client();
    fail([nobody(), here, 10], [nobody(), here, 20], [nobody(), here, 30], [nobody(), here, 40]);
    assert.equal(check(nobody(), here, [900, 3, 5, 100]).retry, 0, 'four of five');
    fail([nobody(), here, 1]);
    // The fifth newest, 40 s ago, leaves the window in 860 s.
    assertRetry(check(nobody(), here, [900, 3, 5, 100]).retry, 860, 'address');
    assert.equal(check(nobody(), client(), [900, 3, 5, 100]).retry, 0, 'another address');
  });

  test('per account: a ceiling over every address, far above the pair limit', async () => {
    const clinic = makeClinic();
    const email = clinic.logins.owner.email;
    fail(...Array.from({ length: 9 }, () => [email, client(), 5]));
    assert.deepEqual(check(email, client(), [900, 3, 30, 10]), { retry: 0, found: true });
    fail([email, client(), 5]);
    const limited = check(email, client(), [900, 3, 30, 10]);
    assert.equal(limited.found, false);
    assertRetry(limited.retry, 895, 'account');
  });

  test('when several limits hold, the wait is the longest', async () => {
    const email = nobody();
    const here = client();
    // The pair limit (1) frees in 100 s; the address limit (2) when its second newest
    // failure, 20 s ago, leaves: in 880 s.
    fail([email, here, 800], [nobody(), here, 10], [nobody(), here, 20]);
    assertRetry(check(email, here, [900, 1, 2, 100]).retry, 880, 'both');
  });

  test('an unknown or inactive account: no limit reached, no account', async () => {
    const clinic = makeClinic();
    assert.deepEqual(check(nobody(), client(), [900, 3, 30, 100]), { retry: 0, found: false });
    psql(`UPDATE staff SET active = false WHERE person_id = (SELECT id FROM staff_people WHERE email = '${clinic.logins.staff.email}')`);
    assert.deepEqual(check(clinic.logins.staff.email, client(), [900, 3, 30, 100]), { retry: 0, found: false });
  });
});
