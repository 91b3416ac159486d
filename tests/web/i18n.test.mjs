// i18n unit test (no browser): the Turkish and English catalogs have the same keys, each
// written once, no empty messages, the same placeholders in braces; every static t('key') in
// web/src exists; and the language is picked in the documented order.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { catalogs, defaultLanguage, languages, pickLanguage } from '../../web/src/i18n/index.js';

const SRC = fileURLToPath(new URL('../../web/src/', import.meta.url));
const placeholders = (text) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test('catalogs are tr and en', () => {
  assert.deepEqual([...languages].sort(), ['en', 'tr']);
  assert.equal(defaultLanguage, 'tr');
});

test('tr and en have exactly the same keys', () => {
  const trKeys = Object.keys(catalogs.tr).sort();
  const enKeys = Object.keys(catalogs.en).sort();
  assert.deepEqual(trKeys.filter((k) => !enKeys.includes(k)), [], 'keys only in tr');
  assert.deepEqual(enKeys.filter((k) => !trKeys.includes(k)), [], 'keys only in en');
});

test('no key is written twice in a catalog (the later one would silently win)', async () => {
  for (const lang of Object.keys(catalogs)) {
    const source = await readFile(join(SRC, 'i18n', `${lang}.js`), 'utf8');
    const keys = [...source.matchAll(/^\s*'([^']+)':/gm)].map((m) => m[1]);
    assert.deepEqual(keys.filter((k, i) => keys.indexOf(k) !== i), [], `keys repeated in ${lang}.js`);
  }
});

test('no message is empty and placeholders match across languages', () => {
  for (const [lang, catalog] of Object.entries(catalogs)) {
    for (const [key, text] of Object.entries(catalog)) {
      assert.equal(typeof text, 'string', `${lang}:${key} is not a string`);
      assert.notEqual(text.trim(), '', `${lang}:${key} is empty`);
    }
  }
  for (const key of Object.keys(catalogs.tr)) {
    assert.deepEqual(placeholders(catalogs.en[key]), placeholders(catalogs.tr[key]), `placeholders of ${key}`);
  }
});

test("every static t('key') used in web/src exists in the catalogs", async () => {
  const files = (await readdir(SRC, { recursive: true })).filter((f) => /\.(js|jsx)$/.test(f));
  const missing = [];
  for (const file of files) {
    const source = await readFile(join(SRC, file), 'utf8');
    for (const [, key] of source.matchAll(/\bt\(\s*'([^']+)'/g)) {
      if (!Object.hasOwn(catalogs.tr, key)) missing.push(`${file}: ${key}`);
    }
  }
  assert.deepEqual(missing, []);
});

test('language order: ?lang=, then saved choice, then browser languages, then tr', () => {
  assert.equal(pickLanguage({ query: 'en', stored: 'tr', preferred: ['tr-TR'] }), 'en');
  assert.equal(pickLanguage({ query: 'de', stored: 'en', preferred: ['tr-TR'] }), 'en');
  assert.equal(pickLanguage({ query: null, stored: null, preferred: ['de-DE', 'en-US'] }), 'en');
  assert.equal(pickLanguage({ query: null, stored: 'xx', preferred: ['fr'] }), 'tr');
  assert.equal(pickLanguage(), 'tr');
});
