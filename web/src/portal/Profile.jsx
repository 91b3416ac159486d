// The patient's profile (#/profile, view_profile): the details and the photo (GET profile,
// the photo from its photo_url, i.e. GET profile/photo). With update_profile: an edit form
// for address, language, emergency contact and communication preferences (PATCH of what
// changed; a new language also becomes the portal's language), and "Change phone or email"
// in two steps (POST profile/contact-change, then the code sent to the NEW contact: POST
// profile/contact-change/verify). With upload_photo: choose a photo (JPEG, PNG or WebP),
// see the preview, upload it (PUT profile/photo, the bytes as the body) or remove it
// (DELETE). What the patient may not do is not offered.
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { getLanguage, setLanguage, t } from '../i18n/index.js';
import { useLanguage } from '../i18n/LanguageSwitcher.jsx';
import { has } from './appointmentRules.js';
import { BackHome, endsSession, Problem, problemText } from './common.jsx';
import {
  contactVerify, contactVerifyFailure, phoneExample, photoProblem, profileFieldErrors, profileForm, profilePatch, PHOTO_TYPES,
} from './profileRules.js';
import './screens.css';

// A phone number the server could not read, in the patient's words, with the example it gave
// (of the patient's own number's country: a visitor from abroad is not shown a Turkish form).
const sayPhone = (example) => t('portal.phone.invalidExample', { example });

const LANGUAGE_NAMES = { tr: 'lang.tr.name', en: 'lang.en.name' };

function Row({ label, value, testid }) {
  return (
    <div class="profile-row">
      <dt>{label}</dt>
      <dd data-testid={testid}>{value || <span class="muted">{t('portal.profile.none')}</span>}</dd>
    </div>
  );
}

function Details({ profile }) {
  const ec = profile.emergency_contact;
  const channels = [profile.communication?.sms && t('portal.profile.bySms'),
    profile.communication?.email && t('portal.profile.byEmail')].filter(Boolean);
  return (
    <dl class="profile-list" data-testid="profile-details">
      <Row label={t('portal.profile.name')} value={`${profile.first_name} ${profile.last_name}`} testid="profile-name" />
      <Row label={t('portal.profile.phone')} value={profile.phone} testid="profile-phone" />
      <Row label={t('portal.profile.email')} value={profile.email} testid="profile-email" />
      <Row label={t('portal.profile.language')} value={LANGUAGE_NAMES[profile.language] ? t(LANGUAGE_NAMES[profile.language]) : ''}
        testid="profile-language" />
      <Row label={t('portal.profile.address')} value={profile.address} testid="profile-address" />
      <Row label={t('portal.profile.emergency')} value={ec ? [ec.name, ec.phone].filter(Boolean).join(' · ') : ''}
        testid="profile-emergency" />
      <Row label={t('portal.profile.communication')} value={channels.join(', ') || t('portal.profile.noMessages')}
        testid="profile-communication" />
    </dl>
  );
}

function FieldError({ id, text }) {
  return text ? <p class="field-error" id={id} role="alert">{text}</p> : null;
}

function EditForm({ base, profile, onSaved, onCancel, ends }) {
  const [form, setForm] = useState(() => profileForm(profile));
  const [errors, setErrors] = useState({ byField: {}, other: [] });
  const [failure, setFailure] = useState(null);
  const [busy, setBusy] = useState(false);
  const first = useRef(null);
  useLayoutEffect(() => { first.current?.focus(); }, []);
  const patch = profilePatch(profile, form);
  const dirty = Object.keys(patch).length > 0;
  const set = (change) => { setForm((f) => ({ ...f, ...change })); setFailure(null); };

  async function save(event) {
    event.preventDefault();
    if (busy || !dirty) return;
    setBusy(true);
    setFailure(null);
    setErrors({ byField: {}, other: [] });
    try {
      onSaved(await api(`${base}profile`, { method: 'PATCH', body: patch }), patch);
    } catch (e) {
      if (ends(e)) return;
      if (e.status === 422 && e.errors.length) setErrors(profileFieldErrors(e.errors, sayPhone));
      else setFailure(e);
    } finally {
      setBusy(false);
    }
  }

  const err = errors.byField;
  return (
    <form class="card profile-form" onSubmit={save} noValidate data-testid="profile-form" aria-labelledby="profile-edit-heading">
      <h2 id="profile-edit-heading">{t('portal.profile.editHeading')}</h2>
      <div class="field">
        <label for="profile-address">{t('portal.profile.address')}</label>
        <textarea id="profile-address" ref={first} name="address" rows={3} maxLength={500} value={form.address}
          aria-invalid={err.address ? 'true' : undefined} aria-describedby={err.address ? 'profile-address-error' : undefined}
          data-testid="profile-address-input" onInput={(e) => set({ address: e.currentTarget.value })} />
        <FieldError id="profile-address-error" text={err.address} />
      </div>
      <div class="field">
        <label for="profile-language-input">{t('portal.profile.language')}</label>
        <select id="profile-language-input" name="language" value={form.language} data-testid="profile-language-input"
          onChange={(e) => set({ language: e.currentTarget.value })}>
          <option value="tr">{t('lang.tr.name')}</option>
          <option value="en">{t('lang.en.name')}</option>
        </select>
        <p class="hint muted">{t('portal.profile.languageHelp')}</p>
      </div>
      <fieldset class="choice">
        <legend>{t('portal.profile.emergency')}</legend>
        <div class="field">
          <label for="profile-ec-name">{t('portal.profile.emergencyName')}</label>
          <input id="profile-ec-name" name="emergency_name" type="text" autocomplete="off" maxLength={200}
            value={form.emergency_name} aria-invalid={err.emergency_name ? 'true' : undefined}
            data-testid="profile-ec-name" onInput={(e) => set({ emergency_name: e.currentTarget.value })} />
          <FieldError id="profile-ec-name-error" text={err.emergency_name} />
        </div>
        <div class="field">
          <label for="profile-ec-phone">{t('portal.profile.emergencyPhone')}</label>
          <input id="profile-ec-phone" name="emergency_phone" type="tel" autocomplete="off" maxLength={40}
            value={form.emergency_phone} aria-invalid={err.emergency_phone ? 'true' : undefined}
            data-testid="profile-ec-phone" onInput={(e) => set({ emergency_phone: e.currentTarget.value })} />
          <FieldError id="profile-ec-phone-error" text={err.emergency_phone} />
        </div>
      </fieldset>
      <fieldset class="choice">
        <legend>{t('portal.profile.communication')}</legend>
        <label class="check">
          <input type="checkbox" checked={form.sms} data-testid="profile-comm-sms" onChange={(e) => set({ sms: e.currentTarget.checked })} />
          <span>{t('portal.profile.bySms')}</span>
        </label>
        <label class="check">
          <input type="checkbox" checked={form.email} data-testid="profile-comm-email"
            onChange={(e) => set({ email: e.currentTarget.checked })} />
          <span>{t('portal.profile.byEmail')}</span>
        </label>
        <FieldError id="profile-comm-error" text={err.communication} />
      </fieldset>
      {errors.other.length > 0 && <p class="alert" role="alert" data-testid="profile-form-error">{errors.other.join(' ')}</p>}
      <Problem error={failure} testid="profile-form-error" />
      <div class="form-actions">
        <button type="button" class="button button-outline" onClick={onCancel} data-testid="profile-cancel">
          {t('portal.profile.cancel')}
        </button>
        <button type="submit" class="button" disabled={busy || !dirty} data-testid="profile-save">
          {t(busy ? 'portal.profile.saving' : 'portal.profile.save')}
        </button>
      </div>
    </form>
  );
}

function ContactChange({ base, onChanged, onCancel, ends }) {
  const [step, setStep] = useState('value'); // value | code
  const [channel, setChannel] = useState('sms');
  const [value, setValue] = useState('');
  const [challenge, setChallenge] = useState(null); // {challenge_id, old_code_sent, ...}
  const [code, setCode] = useState('');
  const [oldCode, setOldCode] = useState('');
  const [fieldError, setFieldError] = useState(null); // the value step, or a message for both codes
  const [codeErrors, setCodeErrors] = useState({}); // {code, old_code}: message keys
  const [failure, setFailure] = useState(null);
  const [busy, setBusy] = useState(false);
  const input = useRef(null);
  useLayoutEffect(() => { input.current?.focus(); }, [step]);

  async function send(event) {
    event.preventDefault();
    if (busy) return;
    setFailure(null);
    if (!value.trim()) {
      setFieldError(t(channel === 'sms' ? 'portal.contact.phoneRequired' : 'portal.contact.emailRequired'));
      return;
    }
    setBusy(true);
    setFieldError(null);
    try {
      setChallenge(await api(`${base}profile/contact-change`, { method: 'POST', body: { channel, value: value.trim() } }));
      setCode('');
      setOldCode('');
      setCodeErrors({});
      setStep('code');
    } catch (e) {
      if (ends(e)) return;
      if (e.code === 'not_mobile') setFieldError(t('portal.contact.notMobile'));
      else if (e.status === 422 && phoneExample(e.errors, 'value')) setFieldError(sayPhone(phoneExample(e.errors, 'value')));
      else if (e.status === 422) setFieldError(t(channel === 'sms' ? 'portal.contact.phoneInvalid' : 'portal.contact.emailInvalid'));
      else if (e.status === 409) setFieldError(t('portal.contact.inUse'));
      else setFailure(e);
    } finally {
      setBusy(false);
    }
  }

  async function verify(event) {
    event.preventDefault();
    if (busy) return;
    const { body, problems } = contactVerify(challenge, code, oldCode);
    setFailure(null);
    setFieldError(null);
    setCodeErrors(problems);
    if (!body) {
      (problems.code ? input.current : document.getElementById('contact-old-code'))?.focus();
      return;
    }
    setBusy(true);
    try {
      onChanged(await api(`${base}profile/contact-change/verify`, { method: 'POST', body }), channel);
    } catch (e) {
      if (ends(e)) return;
      const why = contactVerifyFailure(e, Boolean(challenge.old_code_sent));
      if (why?.restart) {
        setStep('value');
        setFieldError(t(why.message));
      } else if (why) {
        // The answer does not say which code was wrong: both are typed again.
        setCode('');
        setOldCode('');
        setFieldError(t(why.message, why.params));
        input.current?.focus();
      } else {
        setFailure(e);
      }
    } finally {
      setBusy(false);
    }
  }

  if (step === 'code') {
    const two = Boolean(challenge?.old_code_sent);
    const describe = (id, own) => [own && `${id}-error`, fieldError && 'contact-codes-error'].filter(Boolean).join(' ') || undefined;
    return (
      <form class="card" onSubmit={verify} noValidate data-testid="contact-code-step" aria-labelledby="contact-heading">
        <h2 id="contact-heading">{t('portal.contact.heading')}</h2>
        <p data-testid="contact-sent">{t(channel === 'sms' ? 'portal.contact.sentSms' : 'portal.contact.sentEmail', { contact: value.trim() })}</p>
        <div class="field">
          <label for="contact-code">{t(two ? 'portal.contact.newCodeLabel' : 'portal.code.label', { contact: value.trim() })}</label>
          <input id="contact-code" ref={input} type="text" inputMode="numeric" autocomplete="one-time-code" pattern="[0-9]*"
            maxLength={7} class="code-input" value={code} aria-invalid={codeErrors.code || fieldError ? 'true' : undefined}
            aria-describedby={describe('contact-code', codeErrors.code)} data-testid="contact-code"
            onInput={(e) => { setCode(e.currentTarget.value); setCodeErrors((c) => ({ ...c, code: undefined })); }} />
          <FieldError id="contact-code-error" text={codeErrors.code && t('portal.code.incomplete')} />
        </div>
        {two && (
          <div class="field">
            <p class="hint" id="contact-old-help" data-testid="contact-old-sent">{t('portal.contact.oldSent')}</p>
            <label for="contact-old-code">{t('portal.contact.oldCodeLabel')}</label>
            <input id="contact-old-code" type="text" inputMode="numeric" autocomplete="off" pattern="[0-9]*"
              maxLength={7} class="code-input" value={oldCode}
              aria-invalid={codeErrors.old_code || fieldError ? 'true' : undefined}
              aria-describedby={['contact-old-help', describe('contact-old-code', codeErrors.old_code)].filter(Boolean).join(' ')}
              data-testid="contact-old-code"
              onInput={(e) => { setOldCode(e.currentTarget.value); setCodeErrors((c) => ({ ...c, old_code: undefined })); }} />
            <FieldError id="contact-old-code-error" text={codeErrors.old_code && t('portal.code.incomplete')} />
          </div>
        )}
        <FieldError id="contact-codes-error" text={fieldError} />
        <Problem error={failure} testid="contact-error" />
        <div class="form-actions">
          <button type="button" class="button button-outline" onClick={onCancel} disabled={busy}>{t('portal.profile.cancel')}</button>
          <button type="submit" class="button" disabled={busy} data-testid="contact-verify">
            {t(busy ? 'portal.code.checking' : 'portal.contact.confirm')}
          </button>
        </div>
      </form>
    );
  }
  return (
    <form class="card" onSubmit={send} noValidate data-testid="contact-value-step" aria-labelledby="contact-heading">
      <h2 id="contact-heading">{t('portal.contact.heading')}</h2>
      <p class="muted">{t('portal.contact.intro')}</p>
      <fieldset class="choice">
        <legend>{t('portal.contact.which')}</legend>
        <label class="check">
          <input type="radio" name="channel" value="sms" checked={channel === 'sms'} data-testid="contact-channel-sms"
            onChange={() => { setChannel('sms'); setFieldError(null); }} />
          <span>{t('portal.profile.phone')}</span>
        </label>
        <label class="check">
          <input type="radio" name="channel" value="email" checked={channel === 'email'} data-testid="contact-channel-email"
            onChange={() => { setChannel('email'); setFieldError(null); }} />
          <span>{t('portal.profile.email')}</span>
        </label>
      </fieldset>
      <div class="field">
        <label for="contact-value">{t(channel === 'sms' ? 'portal.contact.newPhone' : 'portal.contact.newEmail')}</label>
        <input id="contact-value" ref={input} type={channel === 'sms' ? 'tel' : 'email'} autocomplete={channel === 'sms' ? 'tel' : 'email'}
          maxLength={254} value={value} aria-invalid={fieldError ? 'true' : undefined}
          aria-describedby={fieldError ? 'contact-value-error' : undefined} data-testid="contact-value"
          onInput={(e) => { setValue(e.currentTarget.value); setFieldError(null); }} />
        <FieldError id="contact-value-error" text={fieldError} />
      </div>
      <Problem error={failure} testid="contact-error" />
      <div class="form-actions">
        <button type="button" class="button button-outline" onClick={onCancel} disabled={busy}>{t('portal.profile.cancel')}</button>
        <button type="submit" class="button" disabled={busy} data-testid="contact-send">
          {t(busy ? 'portal.signin.sending' : 'portal.contact.send')}
        </button>
      </div>
    </form>
  );
}

function readAsDataUrl(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

function Photo({ base, profile, canUpload, onChanged, ends }) {
  const [preview, setPreview] = useState(null); // a data: URL (the CSP allows data: images, not blob:)
  const [problem, setProblem] = useState(null); // text
  const [failure, setFailure] = useState(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(null);
  const inputRef = useRef(null);
  const [version, setVersion] = useState(0); // bumped after an upload: the <img> asks again

  async function choose(event) {
    const chosen = event.currentTarget.files?.[0] ?? null;
    setFailure(null);
    setDone(null);
    setPreview(null);
    const why = photoProblem(chosen);
    if (why) {
      if (chosen) setProblem(t(why === 'type' ? 'portal.photo.badType' : why === 'size' ? 'portal.photo.tooLarge' : 'portal.photo.empty'));
      return;
    }
    setProblem(null);
    try { setPreview(await readAsDataUrl(chosen)); } catch { setPreview(null); }
    // One step: the photo goes up as soon as it is chosen, shown while it does.
    await upload(chosen);
  }

  function reset() {
    setPreview(null);
    if (inputRef.current) inputRef.current.value = '';
  }

  async function upload(chosen) {
    if (busy || !chosen) return;
    setBusy(true);
    setFailure(null);
    try {
      const answer = await api(`${base}profile/photo`, { method: 'PUT', raw: chosen, rawType: chosen.type || 'application/octet-stream' });
      reset();
      setDone(t('portal.photo.saved'));
      setVersion((n) => n + 1);
      onChanged({ photo_url: answer?.photo_url ?? null });
    } catch (e) {
      if (ends(e)) return;
      reset();
      if (e.status === 422 || e.code === 'validation_failed') setProblem(t('portal.photo.unreadable'));
      else if (e.status === 413 || e.status === 415) setProblem(problemText(e));
      else setFailure(e);
    } finally {
      setBusy(false);
    }
  }

  async function remove() {
    if (busy) return;
    setBusy(true);
    setFailure(null);
    try {
      await api(`${base}profile/photo`, { method: 'DELETE' });
      setDone(t('portal.photo.removed'));
      onChanged({ photo_url: null });
    } catch (e) {
      if (!ends(e)) setFailure(e);
    } finally {
      setBusy(false);
    }
  }

  const current = profile.photo_url
    ? `${profile.photo_url}${version ? `${profile.photo_url.includes('?') ? '&' : '?'}v=${version}` : ''}` : null;
  const src = preview ?? current;
  return (
    <div class="card photo-card" data-testid="profile-photo">
      <div class="photo-frame">
        {src
          ? <img src={src} alt={t(preview ? 'portal.photo.previewAlt' : 'portal.photo.alt')} class="photo-img"
            data-testid={preview ? 'photo-preview' : 'photo-current'} />
          : <span class="photo-empty" data-testid="photo-none">{t('portal.photo.none')}</span>}
      </div>
      {canUpload && (
        <div class="photo-tools">
          {/* The file control itself stays in the page for the keyboard and screen readers,
              out of sight; its label is the button one sees. */}
          <div class="photo-pick">
            <input id="photo-file" ref={inputRef} type="file" accept={PHOTO_TYPES.join(',')} data-testid="photo-file"
              class="visually-hidden-input" aria-describedby="photo-help" disabled={busy} onChange={choose} />
            <label for="photo-file" class={busy ? 'button button-disabled' : 'button'} data-testid="photo-choose">
              {t(busy ? 'portal.photo.uploading' : profile.photo_url ? 'portal.photo.change' : 'portal.photo.choose')}
            </label>
          </div>
          <p class="hint muted" id="photo-help">{t('portal.photo.help')}</p>
          {problem && <p class="field-error" role="alert" data-testid="photo-problem">{problem}</p>}
          <Problem error={failure} testid="photo-error" />
          {done && <p class="notice" role="status" data-testid="photo-done">{done}</p>}
          <div class="form-actions">
            {!busy && profile.photo_url && (
              <button type="button" class="button button-outline" disabled={busy} onClick={remove} data-testid="photo-remove">
                {t('portal.photo.remove')}
              </button>
            )}
          </div>
        </div>
      )}
    </div>
  );
}

export function Profile({ base, permissions, onSessionLost, onPortalGone, onPatientChanged }) {
  useLanguage();
  const heading = useRef(null);
  useLayoutEffect(() => { heading.current?.focus(); }, []);
  const ends = useCallback((e) => endsSession(e, { onSessionLost, onPortalGone }), [onSessionLost, onPortalGone]);
  const [profile, setProfile] = useState(null);
  const [loadError, setLoadError] = useState(null);
  const [mode, setMode] = useState('view'); // view | edit | contact
  const [notice, setNotice] = useState(null); // a message key, so it follows a language switch

  const load = useCallback(async () => {
    setLoadError(null);
    try {
      setProfile(await api(`${base}profile`));
    } catch (e) {
      if (!ends(e)) setLoadError(e);
    }
  }, [base, ends]);
  useEffect(() => { load(); }, [load]);

  const canEdit = has(permissions, 'update_profile');
  const canUpload = has(permissions, 'upload_photo');

  function saved(updated, patch) {
    setProfile(updated);
    setMode('view');
    setNotice('portal.profile.saved');
    onPatientChanged?.({ language: updated.language });
    if (patch.language && updated.language !== getLanguage()) setLanguage(updated.language);
  }

  return (
    <section class="screen" aria-labelledby="profile-heading" data-testid="portal-profile">
      <BackHome />
      <h1 id="profile-heading" ref={heading} tabIndex={-1}>{t('portal.profile.heading')}</h1>
      {loadError && (
        <div class="alert-row">
          <Problem error={loadError} testid="profile-load-error" />
          <button type="button" class="button button-small" onClick={load}>{t('common.retry')}</button>
        </div>
      )}
      {!profile && !loadError && <p class="muted" role="status">{t('common.loading')}</p>}
      {profile && (
        <>
          {notice && <p class="notice" role="status" data-testid="profile-notice">{t(notice)}</p>}
          <Photo base={base} profile={profile} canUpload={canUpload} ends={ends}
            onChanged={(change) => setProfile((p) => ({ ...p, ...change }))} />
          {mode === 'edit' && (
            <EditForm base={base} profile={profile} ends={ends} onSaved={saved} onCancel={() => setMode('view')} />
          )}
          {mode === 'contact' && (
            <ContactChange base={base} ends={ends} onCancel={() => setMode('view')}
              onChanged={(updated, channel) => {
                setProfile(updated);
                setMode('view');
                setNotice(channel === 'sms' ? 'portal.contact.donePhone' : 'portal.contact.doneEmail');
              }} />
          )}
          {mode === 'view' && (
            <div class="card">
              <Details profile={profile} />
              {canEdit && (
                <div class="form-actions">
                  <button type="button" class="button" onClick={() => { setNotice(null); setMode('edit'); }}
                    data-testid="profile-edit">
                    {t('portal.profile.edit')}
                  </button>
                  <button type="button" class="button button-outline" onClick={() => { setNotice(null); setMode('contact'); }}
                    data-testid="profile-contact-change">
                    {t('portal.profile.changeContact')}
                  </button>
                </div>
              )}
            </div>
          )}
        </>
      )}
    </section>
  );
}
