// The treatment screens' rules (web/src/treatmentRules.js), without a browser: costs typed
// the Turkish or English way become minor units, money is shown in the clinic's currency
// in the UI language, dates in words, and the plan and record forms give the API's bodies
// or field errors named like the API's.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as rules from '../../web/src/treatmentRules.js';

const plain = (s) => s.replace(/[\u00a0\u202f]/g, ' ');

test('costs typed either way become minor units; nonsense is refused', () => {
  for (const [text, minor] of [
    ['4500', 450000], ['4.500,50', 450050], ['4,500.50', 450050], ['4500,5', 450050], ['4500.05', 450005],
    ['1.500', 150000], ['1,500', 150000], ['0', 0], ['', 0], [' 75 ', 7500], ['1.234.567,89', 123456789],
  ]) assert.equal(rules.parseCost(text, 'TRY'), minor, text);
  for (const text of ['3 bin', '-5', '12,34,56', '4500.', '1.2.3', 'abc', '1000000001']) {
    assert.equal(rules.parseCost(text, 'TRY'), null, text);
  }
  // A currency without minor units.
  assert.equal(rules.parseCost('1.500', 'JPY'), 1500);
  assert.equal(rules.parseCost('15.5', 'JPY'), null);
  assert.equal(rules.minorDigits('JPY'), 0);
  assert.equal(rules.minorDigits('TRY'), 2);
});

test('money and dates in the UI language', () => {
  assert.equal(plain(rules.formatMoney(450050, 'TRY', 'tr')), '₺4.500,50');
  assert.match(plain(rules.formatMoney(450050, 'TRY', 'en')), /^(TRY |₺)4,500\.50$/);
  assert.match(plain(rules.formatMoney(1500, 'JPY', 'en')), /1,500$/);
  assert.equal(rules.costText(450050, 'TRY', 'tr'), '4500,50');
  assert.equal(rules.costText(450050, 'TRY', 'en'), '4500.50');
  assert.equal(rules.formatDay('2026-03-02', 'en'), '2 Mar 2026');
  assert.match(rules.formatDay('2026-03-02', 'tr'), /^2 Mar 2026$/);
});

test('the plan form: body with minor units, empty rows dropped, errors named like the API', () => {
  const form = {
    title: ' Plan ',
    status: 'accepted',
    items: [
      { procedure: 'Kanal', area: '16', status: 'planned', cost: '4.500,50' },
      { procedure: '', area: '', status: 'planned', cost: '' },
      { procedure: 'Kron', area: ' ', status: 'cancelled', cost: '3000' },
    ],
  };
  assert.deepEqual(rules.planBody(form, 'TRY'), {
    body: {
      title: 'Plan',
      status: 'accepted',
      items: [
        { procedure: 'Kanal', area: '16', status: 'planned', estimated_cost: 450050 },
        { procedure: 'Kron', area: null, status: 'cancelled', estimated_cost: 300000 },
      ],
    },
  });
  assert.equal(rules.formTotal(form, 'TRY'), 450050);
  assert.deepEqual(rules.planBody({ title: '', status: 'proposed', items: [{ procedure: '', area: '11', status: 'planned', cost: 'x' }] }, 'TRY'),
    { errors: { title: 'required', 'items[0].procedure': 'required', 'items[0].estimated_cost': 'cost' } });
  const plan = { title: 'T', status: 'proposed', currency: 'TRY', items: [{ id: 'i', procedure: 'P', area: null, status: 'done', estimated_cost: 1050 }] };
  assert.deepEqual(rules.planForm(plan, 'tr').items, [{ procedure: 'P', area: '', status: 'done', cost: '10,50' }]);
});

test('the record form: practitioner and area null when empty', () => {
  const form = rules.recordForm(null, '2026-05-01');
  assert.deepEqual(rules.recordBody(form), { errors: { procedure: 'required' } });
  assert.deepEqual(rules.recordBody({ ...form, procedure: ' Dolgu ' }), {
    body: { performed_on: '2026-05-01', practitioner_id: null, procedure: 'Dolgu', area: null, notes_for_patient: '' },
  });
  assert.deepEqual(rules.recordBody({ ...form, performed_on: '', procedure: 'x', notes_for_patient: 'n'.repeat(2001) }),
    { errors: { performed_on: 'date', notes_for_patient: 'tooLong' } });
});
