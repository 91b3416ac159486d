// The fields of a patient, shared by the "New patient" form and the Details tab: names,
// phone, email, address, emergency contact, language, the portal access switch and the
// channels the clinic may write on, each with its validation message (the server's 422
// errors[].message for that field, e.g. emergency_contact.phone) under it.
import { t } from '../i18n/index.js';
import { ADDRESS_MAX, FIELD_KEYS, LANGUAGE_KEYS, PATIENT_LANGUAGES } from './patientRules.js';

function FieldError({ id, message, field }) {
  if (!message) return null;
  return <p id={id} class="field-error" data-testid={`field-error-${field}`}>{message}</p>;
}

function TextField({ idPrefix, field, form, errors, onChange, type = 'text', help, multiline = false, ...rest }) {
  const id = `${idPrefix}-${field}`;
  const described = [help && `${id}-help`, errors[field] && `${id}-error`].filter(Boolean).join(' ') || undefined;
  const Input = multiline ? 'textarea' : 'input';
  return (
    <div class="field" data-testid={`field-${field}`}>
      <label for={id}>{t(FIELD_KEYS[field])}</label>
      <Input id={id} name={field} type={multiline ? undefined : type} value={form[field]}
        aria-invalid={errors[field] ? 'true' : undefined}
        aria-describedby={described} data-testid={`${idPrefix}-${field}`}
        onInput={(e) => onChange({ [field]: e.currentTarget.value })} {...rest} />
      {help && <p id={`${id}-help`} class="hint muted">{help}</p>}
      <FieldError id={`${id}-error`} field={field} message={errors[field]} />
    </div>
  );
}

function CheckField({ idPrefix, field, form, errors, onChange }) {
  const id = `${idPrefix}-${field}`;
  return (
    <div class="field field-check" data-testid={`field-${field}`}>
      <label class="check" for={id}>
        <input id={id} type="checkbox" name={field} checked={form[field]} data-testid={id}
          aria-invalid={errors[field] ? 'true' : undefined} aria-describedby={errors[field] ? `${id}-error` : undefined}
          onChange={(e) => onChange({ [field]: e.currentTarget.checked })} />
        <span class="check-label">{t(FIELD_KEYS[field])}</span>
      </label>
      <FieldError id={`${id}-error`} field={field} message={errors[field]} />
    </div>
  );
}

/**
 * form: emptyForm()'s fields (patientRules.js; the emergency contact and communication as
 * emergency_contact.name, communication.sms, …, as the server's errors name them); errors: {field:
 * message}; onChange(patch). withDefaultLanguage offers "the clinic's default" (a new
 * patient). `contactNote` and `accessNote` are shown under the contacts and the switch.
 */
export function PatientFields({ idPrefix, form, errors, onChange, withDefaultLanguage = false, contactNote = null, accessNote = null }) {
  const props = { idPrefix, form, errors, onChange };
  const languageId = `${idPrefix}-language`;
  const accessId = `${idPrefix}-portal_access`;
  return (
    <div class="patient-fields">
      <div class="field-row">
        <TextField {...props} field="first_name" autocomplete="off" maxLength={100} />
        <TextField {...props} field="last_name" autocomplete="off" maxLength={100} />
      </div>
      <div class="field-row">
        <TextField {...props} field="phone" type="tel" inputMode="tel" autocomplete="off" maxLength={40}
          placeholder={t('console.patient.phone.placeholder')} help={t('console.patient.phone.help')} />
        <TextField {...props} field="email" type="email" autocomplete="off" maxLength={254} spellcheck={false}
          placeholder={t('console.patient.email.placeholder')} />
      </div>
      {contactNote && <p class="warning field-note" data-testid="contact-note">{contactNote}</p>}
      <TextField {...props} field="address" multiline rows={3} autocomplete="off" maxLength={ADDRESS_MAX} />
      <fieldset class="field-group" data-testid="field-emergency_contact">
        <legend>{t('console.patient.emergency.legend')}</legend>
        <p class="hint muted">{t('console.patient.emergency.help')}</p>
        <div class="field-row">
          <TextField {...props} field="emergency_contact.name" autocomplete="off" maxLength={100} />
          <TextField {...props} field="emergency_contact.phone" type="tel" inputMode="tel" autocomplete="off" maxLength={40}
            placeholder={t('console.patient.phone.placeholder')} />
        </div>
      </fieldset>
      <div class="field-row">
        <div class="field" data-testid="field-language">
          <label for={languageId}>{t(FIELD_KEYS.language)}</label>
          <select id={languageId} name="language" value={form.language} data-testid={`${idPrefix}-language`}
            aria-invalid={errors.language ? 'true' : undefined}
            aria-describedby={`${languageId}-help${errors.language ? ` ${languageId}-error` : ''}`}
            onChange={(e) => onChange({ language: e.currentTarget.value })}>
            {withDefaultLanguage && <option value="">{t('console.patient.language.clinicDefault')}</option>}
            {PATIENT_LANGUAGES.map((lang) => <option key={lang} value={lang}>{t(LANGUAGE_KEYS[lang])}</option>)}
          </select>
          <p id={`${languageId}-help`} class="hint muted">{t('console.patient.language.help')}</p>
          <FieldError id={`${languageId}-error`} field="language" message={errors.language} />
        </div>
        <div class="field field-switch" data-testid="field-portal_access">
          <label class="switch" for={accessId}>
            <input id={accessId} type="checkbox" role="switch" name="portal_access" checked={form.portal_access}
              data-testid={`${idPrefix}-portal_access`} aria-describedby={`${accessId}-help`}
              onChange={(e) => onChange({ portal_access: e.currentTarget.checked })} />
            <span class="switch-text">
              <span class="check-label">{t(FIELD_KEYS.portal_access)}</span>
              <span class="check-help" id={`${accessId}-help`}>
                {t(form.portal_access ? 'console.patient.access.onHelp' : 'console.patient.access.offHelp')}
              </span>
            </span>
          </label>
          <FieldError id={`${accessId}-error`} field="portal_access" message={errors.portal_access} />
          {accessNote && <p class="hint notice-inline" data-testid="access-note">{accessNote}</p>}
        </div>
      </div>
      <fieldset class="field-group" data-testid="field-communication">
        <legend>{t('console.patient.communication.legend')}</legend>
        <p class="hint muted">{t('console.patient.communication.help')}</p>
        <div class="check-row">
          <CheckField {...props} field="communication.sms" />
          <CheckField {...props} field="communication.email" />
        </div>
      </fieldset>
    </div>
  );
}
