// Unit tests of the Staff screen's rules (web/src/console/staffRules.js), which mirror the
// server's: owners manage everyone, admins staff members only, nobody their own role;
// owners and admins invite (admins staff members only); only owners reset someone else's
// two-factor sign-in or require it for everyone.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  editableRoles, invitableRoles, invitationBody, mayInvite, mayManage, mayRequireTotp, mayResetTotp, withMember,
} from '../../web/src/console/staffRules.js';

const owner = { id: 'o', role: 'owner' };
const admin = { id: 'a', role: 'admin' };
const staff = { id: 's', role: 'staff' };
const other = { id: 'o2', role: 'owner' };

test('who may change whom', () => {
  assert.equal(mayManage(owner, admin), true);
  assert.equal(mayManage(owner, other), true);
  assert.equal(mayManage(admin, staff), true);
  assert.equal(mayManage(admin, owner), false);
  assert.equal(mayManage(admin, { id: 'a2', role: 'admin' }), false);
  assert.equal(mayManage(admin, admin), true, 'an admin may rename themselves');
  assert.equal(mayManage(staff, staff), false);
  assert.equal(mayManage(staff, admin), false);
});

test('the roles offered', () => {
  assert.deepEqual(editableRoles(owner, staff), ['owner', 'admin', 'staff']);
  assert.deepEqual(editableRoles(owner, owner), ['owner'], 'not one\'s own role');
  assert.deepEqual(editableRoles(admin, staff), ['staff'], 'an admin makes nobody admin or owner');
  assert.deepEqual(editableRoles(admin, owner), ['owner']);
  assert.deepEqual(editableRoles(staff, admin), ['admin']);
});

test('who may invite, and with which roles (the least first)', () => {
  assert.equal(mayInvite(owner), true);
  assert.equal(mayInvite(admin), true);
  assert.equal(mayInvite(staff), false);
  assert.deepEqual(invitableRoles(owner), ['staff', 'admin', 'owner']);
  assert.deepEqual(invitableRoles(admin), ['staff'], 'an admin invites staff members only');
  assert.deepEqual(invitableRoles(staff), []);
});

test('the invitation body: trimmed, and a role the inviter may not give falls back to staff', () => {
  assert.deepEqual(invitationBody(owner, { email: ' new@clinic.test ', name: ' Deniz Kaya ', role: 'admin' }),
    { email: 'new@clinic.test', name: 'Deniz Kaya', role: 'admin' });
  assert.deepEqual(invitationBody(admin, { email: 'a@b.test', name: 'A', role: 'owner' }),
    { email: 'a@b.test', name: 'A', role: 'staff' });
  assert.deepEqual(invitationBody(owner, { email: 'a@b.test', name: 'A' }), { email: 'a@b.test', name: 'A', role: 'staff' });
});

test('only an owner resets someone else\'s two-factor sign-in, and only where it is on', () => {
  const on = { id: 's', role: 'staff', totp_enabled: true };
  assert.equal(mayResetTotp(owner, on), true);
  assert.equal(mayResetTotp(owner, { ...on, totp_enabled: false }), false, 'nothing to reset');
  assert.equal(mayResetTotp(owner, { ...owner, totp_enabled: true }), false, 'not one\'s own (My account turns it off)');
  assert.equal(mayResetTotp(admin, on), false);
  assert.equal(mayResetTotp(staff, on), false);
});

test('only an owner requires two-factor sign-in for everyone', () => {
  assert.equal(mayRequireTotp(owner), true);
  assert.equal(mayRequireTotp(admin), false);
  assert.equal(mayRequireTotp(staff), false);
});

test('an invited member joins the list, or replaces the row with the same id', () => {
  const list = [{ id: 'a', name: 'A' }, { id: 'b', name: 'B' }];
  assert.deepEqual(withMember(list, { id: 'c', name: 'C' }).map((m) => m.id), ['a', 'b', 'c']);
  assert.deepEqual(withMember(list, { id: 'b', name: 'B2' }), [{ id: 'a', name: 'A' }, { id: 'b', name: 'B2' }]);
  assert.equal(list.length, 2, 'the list given is not changed');
});
