// Helpers of the forms tests (issue 15), the clinic side: a clinic with its staff, a read
// key, a write key and patients; definitions to send; a form made through the API.
import assert from 'node:assert/strict';
import { psql } from './client.mjs';
import { makeApiKey, makeClinic, makePatient, signIn, withKey } from './fixtures.mjs';

export const FORMS = '/api/v1/clinic/forms';
export const SUBMISSIONS = '/api/v1/clinic/form-submissions';
export const STARTERS = '/api/v1/clinic/form-starters';

// A clinic with owner, admin and staff sessions, a read key, a write key (acting as staff) and
// an admin key, and `patients`
// patients (their records). languages: the clinic's (default both).
export async function formsClinic({ patients = 2, languages } = {}) {
  const clinic = makeClinic();
  if (languages) {
    psql(`UPDATE clinics SET languages = '{${languages.join(',')}}', default_language = '${languages[0]}'
      WHERE id = '${clinic.id}'`);
  }
  const owner = await signIn(clinic.logins.owner);
  const admin = await signIn(clinic.logins.admin);
  const staff = await signIn(clinic.logins.staff);
  const c = {
    clinic, owner, admin, staff,
    readKey: withKey(makeApiKey(clinic.id, 'read')),
    writeKey: withKey(makeApiKey(clinic.id, 'read,write')),
    adminKey: withKey(makeApiKey(clinic.id, 'read,write,admin')),
  };
  c.patients = [];
  for (let i = 0; i < patients; i++) c.patients.push(await makePatient(owner));
  return c;
}

// A text in both languages.
export const both = (tr, en) => ({ tr, en });

// A small definition with a conditional question: "do you take medication?" → "which?".
export function simpleDefinition(title = 'Sağlık formu') {
  return {
    title: both(title, 'Health form'),
    items: [
      { link_id: 'meds', type: 'boolean', text: both('İlaç kullanıyor musunuz?', 'Do you take any medication?'), required: true },
      {
        link_id: 'meds_which', type: 'string', text: both('Hangileri?', 'Which ones?'), required: true,
        enable_when: [{ question: 'meds', operator: '=', answer: true }],
      },
    ],
  };
}

// A definition with every item type, bounds, options and conditions.
export function everyTypeDefinition() {
  return {
    title: both('Her tür', 'Every type'),
    description: both('Açıklama', 'Description'),
    items: [
      { link_id: 'intro', type: 'display', text: both('Lütfen doldurun.', 'Please fill in.') },
      { link_id: 'smoker', type: 'boolean', text: both('Sigara?', 'Smoker?') },
      { link_id: 'age', type: 'integer', text: both('Yaş', 'Age'), min: 0, max: 130 },
      { link_id: 'weight', type: 'decimal', text: both('Kilo', 'Weight'), min: 1.5, max: 400.25 },
      { link_id: 'last_visit', type: 'date', text: both('Son ziyaret', 'Last visit'), min: '1990-01-01', max: '2100-12-31' },
      { link_id: 'name', type: 'string', text: both('Ad', 'Name'), max_length: 100, required: true },
      { link_id: 'notes', type: 'text', text: both('Notlar', 'Notes'), max_length: 2000 },
      {
        link_id: 'blood', type: 'choice', text: both('Kan grubu', 'Blood group'),
        options: [{ value: 'a', text: both('A', 'A') }, { value: 'b', text: both('B', 'B') }],
      },
      {
        link_id: 'allergies', type: 'multi_choice', text: both('Alerjiler', 'Allergies'),
        options: [{ value: 'penicillin', text: both('Penisilin', 'Penicillin') },
          { value: 'latex', text: both('Lateks', 'Latex') }],
      },
      {
        link_id: 'history', type: 'group', text: both('Geçmiş', 'History'),
        enable_when: [{ question: 'smoker', operator: 'exists', answer: true },
          { question: 'blood', operator: '!=', answer: 'b' }],
        enable_behavior: 'any',
        items: [
          { link_id: 'history.heart', type: 'boolean', text: both('Kalp hastalığı?', 'Heart condition?') },
          {
            link_id: 'history.since', type: 'date', text: both('Ne zamandan beri?', 'Since when?'),
            enable_when: [{ question: 'history.heart', operator: '=', answer: true }],
          },
        ],
      },
      { link_id: 'consent', type: 'consent', text: both('Onaylıyorum.', 'I agree.'), required: true },
    ],
  };
}

// Creates a form as s (201 asserted): the full record.
export async function makeForm(s, definition = simpleDefinition(), extra = {}) {
  const res = await s.request('POST', FORMS, { body: { definition, ...extra } });
  assert.equal(res.status, 201, res.text);
  return res.body;
}

// A submission written straight into the database (the patient side has its own tests): its
// id. answers and consents as the patient side stores them.
export function insertSubmission(clinicId, formId, version, patientId, { answers = {}, consents = [], language = 'tr' } = {}) {
  return psql(`INSERT INTO form_submissions (clinic_id, form_id, version, patient_id, answers, consents, language)
    VALUES ('${clinicId}', '${formId}', ${version}, '${patientId}',
      '${JSON.stringify(answers).replace(/'/g, "''")}'::jsonb, '${JSON.stringify(consents).replace(/'/g, "''")}'::jsonb,
      '${language}') RETURNING id`);
}

// The audit rows of target id, oldest first: [action, before, after].
export function auditOf(clinicId, id) {
  const out = psql(`SELECT json_agg(json_build_array(action, before, after) ORDER BY id)
    FROM audit_log WHERE clinic_id = '${clinicId}' AND target_id = '${id}'`);
  return out ? JSON.parse(out) : [];
}
