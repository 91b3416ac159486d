// My clinic > Profile: the clinic's name, contact details (the portal shows them to
// patients), languages, country, time zone, currency and invoice prefix. Owners and admins
// save the whole profile with If-Match; staff read it. The public address is shown but is
// the service operator's to set. Each refused field says why beside it.
import { useEffect, useState } from 'preact/hooks';
import { apiResponse } from '../api.js';
import { t } from '../i18n/index.js';
import { useLanguage } from '../i18n/LanguageSwitcher.jsx';
import { ErrorText } from './common.jsx';
import { canManage, ifMatchValue } from './settingsRules.js';
import { profileBody, profileForm, timeZoneNames } from './profileRules.js';

const TEXT_FIELDS = [
  { field: 'name', type: 'text', autocomplete: 'organization', required: true },
  { field: 'phone', type: 'tel', autocomplete: 'tel' },
  { field: 'email', type: 'email', autocomplete: 'email' },
];
const CODE_FIELDS = [
  { field: 'country', maxLength: 2, hint: true },
  { field: 'currency', maxLength: 3, hint: true },
  { field: 'invoice_prefix', maxLength: 10, hint: true },
];

function FieldError({ errors, field }) {
  const e = errors.find((x) => x.field === field || x.field.startsWith(`${field}[`));
  return e ? <p class="field-error" id={`profile-${field}-error`} data-testid={`profile-error-${field}`}>{e.message}</p> : null;
}

const described = (errors, field, hint) => {
  const ids = [];
  if (hint) ids.push(`profile-${field}-hint`);
  if (errors.some((x) => x.field === field || x.field.startsWith(`${field}[`))) ids.push(`profile-${field}-error`);
  return ids.length ? ids.join(' ') : undefined;
};

export function ClinicProfile({ session, onSessionLost }) {
  useLanguage();
  const canEdit = canManage(session.staff.role);
  const [loaded, setLoaded] = useState(null); // {profile, etag}
  const [form, setForm] = useState(null);
  const [loadError, setLoadError] = useState(null);
  const [saveError, setSaveError] = useState(null);
  const [errors, setErrors] = useState([]);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);

  async function load() {
    try {
      const res = await apiResponse('/api/v1/clinic/profile');
      setLoaded({ profile: res.data, etag: res.headers.get('ETag') });
      setForm(profileForm(res.data));
      setLoadError(null);
    } catch (error) {
      if (error.status === 401) onSessionLost();
      else setLoadError(error);
    }
  }
  useEffect(() => { load(); }, []);

  if (loadError) return <section class="card"><ErrorText error={loadError} testid="profile-load-error" /></section>;
  if (!form) return <p class="muted" role="status">{t('common.loading')}</p>;

  const set = (field, value) => { setForm((f) => ({ ...f, [field]: value })); setSaved(false); };
  const toggleLanguage = (lang, on) => {
    const langs = on ? [...new Set([...form.languages, lang])] : form.languages.filter((l) => l !== lang);
    setForm((f) => ({ ...f, languages: ['tr', 'en'].filter((l) => langs.includes(l)),
      default_language: langs.includes(f.default_language) ? f.default_language : (langs[0] ?? f.default_language) }));
    setSaved(false);
  };

  async function save(event) {
    event.preventDefault();
    setBusy(true);
    setSaveError(null);
    setErrors([]);
    try {
      const res = await apiResponse('/api/v1/clinic/profile', {
        method: 'PUT', body: profileBody(form), headers: { 'If-Match': ifMatchValue(loaded.etag) },
      });
      setLoaded({ profile: res.data, etag: res.headers.get('ETag') });
      setForm(profileForm(res.data));
      setSaved(true);
    } catch (error) {
      if (error.status === 401) { onSessionLost(); return; }
      if (error.code === 'validation_failed') setErrors(error.errors ?? []);
      setSaveError(error.code === 'precondition_failed' ? { detail: t('console.profile.stale') } : error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="card profile-form" onSubmit={save} noValidate data-testid="clinic-profile" aria-labelledby="profile-heading">
      <h2 id="profile-heading">{t('console.profile.heading')}</h2>
      <p class="muted">{t(canEdit ? 'console.profile.intro' : 'console.profile.readOnly')}</p>
      <div class="form-grid">
        {TEXT_FIELDS.map(({ field, type, autocomplete, required }) => (
          <div class="field" key={field}>
            <label for={`profile-${field}`}>{t(`console.profile.field.${field}`)}</label>
            <input id={`profile-${field}`} type={type} value={form[field]} disabled={!canEdit} autocomplete={autocomplete}
              required={required} aria-invalid={errors.some((e) => e.field === field) ? 'true' : undefined}
              aria-describedby={described(errors, field)} data-testid={`profile-${field}`}
              onInput={(e) => set(field, e.currentTarget.value)} />
            <FieldError errors={errors} field={field} />
          </div>
        ))}
        <div class="field field-wide">
          <label for="profile-address">{t('console.profile.field.address')}</label>
          <textarea id="profile-address" rows={3} value={form.address} disabled={!canEdit}
            aria-invalid={errors.some((e) => e.field === 'address') ? 'true' : undefined}
            aria-describedby={described(errors, 'address')} data-testid="profile-address"
            onInput={(e) => set('address', e.currentTarget.value)} />
          <FieldError errors={errors} field="address" />
        </div>
        <fieldset class="field" data-testid="profile-languages" aria-describedby={described(errors, 'languages')}>
          <legend>{t('console.profile.field.languages')}</legend>
          {['tr', 'en'].map((lang) => (
            <label key={lang} class="checkbox">
              <input type="checkbox" checked={form.languages.includes(lang)} disabled={!canEdit}
                data-testid={`profile-lang-${lang}`} onChange={(e) => toggleLanguage(lang, e.currentTarget.checked)} />
              {t(`lang.${lang}.name`)}
            </label>
          ))}
          <FieldError errors={errors} field="languages" />
        </fieldset>
        <div class="field">
          <label for="profile-default_language">{t('console.profile.field.default_language')}</label>
          <select id="profile-default_language" value={form.default_language} disabled={!canEdit}
            data-testid="profile-default_language" onChange={(e) => set('default_language', e.currentTarget.value)}>
            {form.languages.map((lang) => <option key={lang} value={lang}>{t(`lang.${lang}.name`)}</option>)}
          </select>
          <FieldError errors={errors} field="default_language" />
        </div>
        <div class="field">
          <label for="profile-time_zone">{t('console.profile.field.time_zone')}</label>
          <input id="profile-time_zone" list="profile-time-zones" value={form.time_zone} disabled={!canEdit}
            aria-invalid={errors.some((e) => e.field === 'time_zone') ? 'true' : undefined}
            aria-describedby={described(errors, 'time_zone', true)} data-testid="profile-time_zone"
            onInput={(e) => set('time_zone', e.currentTarget.value)} />
          <datalist id="profile-time-zones">
            {timeZoneNames().map((z) => <option key={z} value={z} />)}
          </datalist>
          <p class="hint" id="profile-time_zone-hint">{t('console.profile.hint.time_zone')}</p>
          <FieldError errors={errors} field="time_zone" />
        </div>
        {CODE_FIELDS.map(({ field, maxLength, hint }) => (
          <div class="field" key={field}>
            <label for={`profile-${field}`}>{t(`console.profile.field.${field}`)}</label>
            <input id={`profile-${field}`} value={form[field]} maxLength={maxLength} disabled={!canEdit}
              autocapitalize="characters" spellcheck={false}
              aria-invalid={errors.some((e) => e.field === field) ? 'true' : undefined}
              aria-describedby={described(errors, field, hint)} data-testid={`profile-${field}`}
              onInput={(e) => set(field, e.currentTarget.value.toUpperCase())} />
            {hint && <p class="hint" id={`profile-${field}-hint`}>{t(`console.profile.hint.${field}`)}</p>}
            <FieldError errors={errors} field={field} />
          </div>
        ))}
        <div class="field field-wide">
          <span class="label" id="profile-public-url-label">{t('console.profile.field.public_url')}</span>
          <p aria-labelledby="profile-public-url-label" data-testid="profile-public_url">
            {loaded.profile.public_url ?? t('console.profile.noPublicUrl')}
          </p>
          <p class="hint">{t('console.profile.hint.public_url')}</p>
        </div>
      </div>
      {saveError && <ErrorText error={saveError} testid="profile-save-error" />}
      {saved && <p class="notice" role="status" data-testid="profile-saved">{t('console.profile.saved')}</p>}
      {canEdit && (
        <button type="submit" class="button" disabled={busy} data-testid="profile-save">
          {busy ? t('console.profile.saving') : t('console.profile.save')}
        </button>
      )}
    </form>
  );
}

