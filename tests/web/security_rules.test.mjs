// Unit tests of the console's sign-in security rules (web/src/console/securityRules.js):
// the routes that open without a session, typed codes, the secret's grouping, the
// set-password form's own check, the QR drawing and what a failed code step does.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import qrcode from 'qrcode-generator';
import {
  PUBLIC_SCREENS, codeFailure, groupSecret, isCompleteCode, normaliseCode, normaliseRecoveryCode, passwordProblem, qrPath,
  tokenFromPath,
} from '../../web/src/console/securityRules.js';

test('set-password and forgot-password open without a session; the token comes from the path', () => {
  assert.deepEqual(PUBLIC_SCREENS, ['set-password', 'forgot-password']);
  assert.equal(tokenFromPath(['abc_DEF-123']), 'abc_DEF-123');
  assert.equal(tokenFromPath(['a%2Bb']), 'a+b');
  assert.equal(tokenFromPath(['%E0%A4%A']), '%E0%A4%A', 'a token that does not decode is kept as it is');
  assert.equal(tokenFromPath([]), null);
  assert.equal(tokenFromPath(['']), null);
  assert.equal(tokenFromPath(undefined), null);
});

test('a typed code keeps its digits only, six at most', () => {
  assert.equal(normaliseCode('123 456'), '123456');
  assert.equal(normaliseCode(' 12-34-56 '), '123456');
  assert.equal(normaliseCode('1234567'), '123456');
  assert.equal(normaliseCode('abc'), '');
  assert.equal(normaliseCode(undefined), '');
  assert.equal(isCompleteCode('123456'), true);
  assert.equal(isCompleteCode('12345'), false);
  assert.equal(isCompleteCode(''), false);
  assert.equal(normaliseRecoveryCode('  abcd efgh \n'), 'abcdefgh');
});

test('the secret is shown in groups of four', () => {
  assert.equal(groupSecret('JBSWY3DPEHPK3PXP'), 'JBSW Y3DP EHPK 3PXP');
  assert.equal(groupSecret('jbswy3dpeh'), 'JBSW Y3DP EH');
  assert.equal(groupSecret('JBSW Y3DP'), 'JBSW Y3DP');
  assert.equal(groupSecret(''), '');
});

test('set password: empty, then a repeat that differs, are caught before the server', () => {
  assert.equal(passwordProblem('', ''), 'password');
  assert.equal(passwordProblem('Mavi deniz sakin liman', 'Mavi deniz sakin limon'), 'repeat');
  assert.equal(passwordProblem('Mavi deniz sakin liman', 'Mavi deniz sakin liman'), null);
});

test('the QR path draws one square per dark module, inside the quiet zone', () => {
  const dark = new Set(['0,0', '1,2']);
  assert.equal(qrPath(3, (r, c) => dark.has(`${r},${c}`), 4), 'M4 4h1v1h-1zM6 5h1v1h-1z');
  assert.equal(qrPath(2, () => false), '');
  // A real otpauth URI with the library the console bundles: as many squares as dark modules.
  const qr = qrcode(0, 'M');
  qr.addData('otpauth://totp/Patient%20Portal:a%40b.test?secret=JBSWY3DPEHPK3PXP&issuer=Patient%20Portal');
  qr.make();
  const n = qr.getModuleCount();
  let darkCount = 0;
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) if (qr.isDark(r, c)) darkCount++;
  assert.equal(qrPath(n, (r, c) => qr.isDark(r, c)).split('z').length - 1, darkCount);
});

test('a failed code: a spent login token goes back to the password, 429 waits, else another try', () => {
  assert.equal(codeFailure({ status: 400, code: 'invalid_token' }), 'restart');
  assert.equal(codeFailure({ status: 429, code: 'rate_limited' }), 'wait');
  assert.equal(codeFailure({ status: 401, code: 'not_authenticated' }), 'retry');
  assert.equal(codeFailure({ status: 0, code: 'network_error' }), 'retry');
});
