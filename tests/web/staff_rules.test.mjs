// Unit tests of the Staff screen's rules (web/src/console/staffRules.js), which mirror the
// server's: owners manage everyone, admins staff members only, nobody their own role.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { editableRoles, mayManage } from '../../web/src/console/staffRules.js';

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
