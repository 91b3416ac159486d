// Helpers of the forms tests (issue 15), the patient side: a clinic with its portal open for
// the form keys and patients signed in; forms made through the clinic's API (published,
// republished, offered to all or assigned); definitions with every item type and with many
// items.
import assert from 'node:assert/strict';
import {
  enablePortal, makeClinic, makePatient, signIn, signInPatient, uniqueEmail,
} from './fixtures.mjs';

export const FORM_KEYS = ['view_forms', 'submit_forms'];
export const CLINIC_FORMS = '/api/v1/clinic/forms';

export const both = (tr, en) => ({ tr, en });

// A signed-in patient of clinic c (by email; Turkish unless language says).
export async function formPatient(c, { language = 'tr' } = {}) {
  const email = uniqueEmail('form');
  const patient = await makePatient(c.owner, { email, language });
  return { patient, email, session: await signInPatient(c.clinic.code, email) };
}

// A clinic with its portal open for permissions (default: the two form keys), its owner and
// admin, and `patients` patients signed in (c.patients; c.patient and c.session the first).
export async function formClinic({ permissions = ['view_profile', ...FORM_KEYS], patients = 1 } = {}) {
  const clinic = makeClinic();
  const owner = await signIn(clinic.logins.owner);
  const admin = await signIn(clinic.logins.admin);
  await enablePortal(owner, clinic, { permissions });
  const c = { clinic, owner, admin };
  c.patients = [];
  for (let i = 0; i < patients; i++) c.patients.push(await formPatient(c));
  if (c.patients.length) Object.assign(c, { patient: c.patients[0].patient, session: c.patients[0].session });
  return c;
}

// Publishes definition as a new form of clinic c through the clinic's API (201 asserted),
// then offers it to every patient (all) or assigns it to the patients of ids. Returns the
// form record.
export async function makeForm(c, definition, { all = false, assign = [] } = {}) {
  const res = await c.admin.request('POST', CLINIC_FORMS, { body: { definition } });
  assert.equal(res.status, 201, `create form: ${res.text}`);
  if (all) {
    const p = await c.admin.request('PATCH', `${CLINIC_FORMS}/${res.body.id}`, { body: { available_to_all: true } });
    assert.equal(p.status, 200, `offer to all: ${p.text}`);
  }
  if (assign.length) {
    const a = await c.admin.request('POST', `${CLINIC_FORMS}/${res.body.id}/assignments`, { body: { patient_ids: assign } });
    assert.equal(a.status, 200, `assign: ${a.text}`);
  }
  return res.body;
}

// Publishes definition as form id's next version (200 asserted): the record.
export async function republish(c, id, definition) {
  const res = await c.admin.request('PUT', `${CLINIC_FORMS}/${id}`, { body: { definition } });
  assert.equal(res.status, 200, `republish: ${res.text}`);
  return res.body;
}

// Archives form id (200 asserted).
export async function archive(c, id) {
  const res = await c.admin.request('PATCH', `${CLINIC_FORMS}/${id}`, { body: { status: 'archived' } });
  assert.equal(res.status, 200, `archive: ${res.text}`);
}

// A small form: "do you take medication?" → "which?" (required only while enabled).
export function medsDefinition(title = 'Sağlık formu') {
  return {
    title: both(title, 'Health form'),
    description: both('Randevudan önce doldurun.', 'Fill in before your visit.'),
    items: [
      { link_id: 'meds', type: 'boolean', text: both('İlaç kullanıyor musunuz?', 'Do you take any medication?'), required: true },
      {
        link_id: 'meds_which', type: 'string', text: both('Hangileri?', 'Which ones?'), required: true, max_length: 100,
        enable_when: [{ question: 'meds', operator: '=', answer: true }],
      },
    ],
  };
}

// Every item type, with bounds, lengths, options, a conditional group and a consent.
export function everyTypeDefinition() {
  return {
    title: both('Her tür', 'Every type'),
    description: both('Açıklama', 'Description'),
    items: [
      { link_id: 'intro', type: 'display', text: both('Lütfen doldurun.', 'Please fill in.') },
      { link_id: 'smoker', type: 'boolean', text: both('Sigara içiyor musunuz?', 'Do you smoke?'), required: true },
      { link_id: 'age', type: 'integer', text: both('Yaş', 'Age'), min: 0, max: 130, required: true },
      { link_id: 'weight', type: 'decimal', text: both('Kilo', 'Weight'), min: 1.5, max: 400.25 },
      { link_id: 'last_visit', type: 'date', text: both('Son ziyaret', 'Last visit'), min: '1990-01-01', max: '2100-12-31' },
      { link_id: 'name', type: 'string', text: both('Ad', 'Name'), max_length: 20, required: true },
      { link_id: 'notes', type: 'text', text: both('Notlar', 'Notes'), max_length: 50 },
      {
        link_id: 'blood', type: 'choice', text: both('Kan grubu', 'Blood group'), required: true,
        options: [{ value: 'a', text: both('A', 'A') }, { value: 'b', text: both('B', 'B') }],
      },
      {
        link_id: 'allergies', type: 'multi_choice', text: both('Alerjiler', 'Allergies'),
        options: [{ value: 'penicillin', text: both('Penisilin', 'Penicillin') },
          { value: 'latex', text: both('Lateks', 'Latex') }],
      },
      {
        link_id: 'smoking', type: 'group', text: both('Sigara', 'Smoking'),
        enable_when: [{ question: 'smoker', operator: '=', answer: true }],
        items: [
          { link_id: 'per_day', type: 'integer', text: both('Günde kaç tane?', 'How many a day?'), min: 1, max: 100, required: true },
        ],
      },
      { link_id: 'consent', type: 'consent', text: both('Bilgilerimin doğru olduğunu onaylıyorum.', 'I confirm my answers are true.') },
    ],
  };
}

// A valid, complete answer set of everyTypeDefinition() (a non-smoker).
export function everyTypeAnswers() {
  return {
    smoker: false, age: 41, weight: 72.5, last_visit: '2026-03-01', name: 'Ayşe', notes: 'Yok.\nHiç.',
    blood: 'a', allergies: ['latex', 'penicillin'], consent: true,
  };
}

// A form of n questions (a tenth of them conditional, types in turn) and a complete answer set:
// {definition, answers}.
export function bigDefinition(n = 60) {
  const items = [];
  const answers = {};
  const types = ['boolean', 'integer', 'decimal', 'date', 'string', 'text', 'choice', 'multi_choice'];
  const options = [1, 2, 3, 4].map((k) => ({ value: `o${k}`, text: both(`Seçenek ${k}`, `Option ${k}`) }));
  for (let i = 0; i < n; i++) {
    const type = types[i % types.length];
    const item = { link_id: `q${i}`, type, text: both(`Soru ${i}`, `Question ${i}`), required: i % 3 === 0 };
    if (type === 'integer') Object.assign(item, { min: 0, max: 1000 });
    if (type === 'decimal') Object.assign(item, { min: 0, max: 1000 });
    if (type === 'choice' || type === 'multi_choice') item.options = options;
    if (i % 10 === 9) item.enable_when = [{ question: 'q0', operator: '=', answer: true }];
    items.push(item);
    answers[item.link_id] = {
      boolean: true, integer: i, decimal: i + 0.5, date: '2026-01-15', string: `Cevap ${i}`,
      text: `Uzun cevap ${i}\nikinci satır`, choice: 'o2', multi_choice: ['o1', 'o3'],
    }[type];
  }
  return { definition: { title: both('Büyük form', 'Big form'), items }, answers };
}
