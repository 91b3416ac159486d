// Unit tests of the clinic profile form's rules (web/src/console/profileRules.js).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { profileBody, profileForm, timeZoneNames } from '../../web/src/console/profileRules.js';

const PROFILE = {
  id: 'c1', name: 'Klinik', phone: null, email: 'a@b.example', address: null, languages: ['en', 'tr'],
  default_language: 'en', country: 'TR', time_zone: 'Europe/Istanbul', currency: 'TRY', invoice_prefix: 'INV',
  public_url: 'https://portal.example',
};

test('the form holds strings where the profile has nulls, and its own copy of the languages', () => {
  const form = profileForm(PROFILE);
  assert.equal(form.phone, '');
  assert.equal(form.address, '');
  assert.equal(form.email, 'a@b.example');
  assert.deepEqual(form.languages, ['en', 'tr']);
  form.languages.push('x');
  assert.deepEqual(PROFILE.languages, ['en', 'tr']);
  assert.equal('id' in form || 'public_url' in form, false, 'what the clinic cannot change is not in the form');
});

test('the body trims, sends null for an empty contact, upper-cases codes and orders the languages', () => {
  const body = profileBody({
    ...profileForm(PROFILE), name: '  Gülüş  ', phone: '   ', address: ' Cd. 1\nKadıköy ', country: 'de ',
    currency: 'eur', invoice_prefix: ' gdk-', languages: ['en', 'tr'],
  });
  assert.deepEqual(body, {
    name: 'Gülüş', phone: null, email: 'a@b.example', address: 'Cd. 1\nKadıköy', languages: ['tr', 'en'],
    default_language: 'en', country: 'DE', time_zone: 'Europe/Istanbul', currency: 'EUR', invoice_prefix: 'GDK-',
  });
});

test('time zone suggestions come from the runtime and include Istanbul', () => {
  const zones = timeZoneNames();
  assert.ok(Array.isArray(zones));
  if (zones.length) assert.ok(zones.includes('Europe/Istanbul'));
});
