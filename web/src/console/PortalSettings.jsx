// Portal Settings screen (the guide's "Patient Portal Settings"): enable checkbox, portal
// code with a live check and the full address, the 19 permissions in their 7 groups with
// preset buttons, the invitation template pickers (GET templates?purpose=portal_invitation),
// the upload reviewer (an active member of staff, from GET clinic/staff), warnings next to what they
// concern, and Save (whole-body PUT with If-Match). A portal that is off says so at the top;
// switching an open portal off or changing its code asks first, saying what happens to the
// links already sent. The code's verdict agrees with its warnings (a code that looks like
// personal data is not "available" in green), and the address preview shows only a
// well-formed code. A save that changed the code offers to invite again the patients invited
// under the old one (Reinvite.jsx).
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, apiResponse } from '../api.js';
import { t } from '../i18n/index.js';
import { useLanguage } from '../i18n/LanguageSwitcher.jsx';
import { errorMessage, ErrorText } from './common.jsx';
import {
  canManage, catalogOrder, CODE_FORMAT_KEYS, CODE_PROBLEM_KEYS, CODE_REASON_KEYS, codeFormatProblem,
  groupIndex, ifMatchValue, isDirty, liveWarnings, normalizeCode, portalAddress, presetPermissions,
  reviewerActive, settingsBody, WARNING_KEYS, warningPlacement,
} from './settingsRules.js';
import { CHANNEL_KEYS, LANG_KEYS, templateLanguages } from './templateRules.js';
import { LanguageBadges } from './Templates.jsx';
import { Reinvite } from './Reinvite.jsx';

const CHECK_DELAY_MS = 350;

const localized = (label, lang) => (label ? label[lang] ?? label.tr ?? label.en ?? '' : '');
const formFrom = (settings) => ({
  enabled: Boolean(settings.enabled),
  code: settings.code ?? '',
  permissions: [...settings.permissions],
  sms_template_id: settings.sms_template_id ?? null,
  email_template_id: settings.email_template_id ?? null,
  upload_reviewer_id: settings.upload_reviewer_id ?? null,
});

const PICKERS = [
  { channel: 'sms', field: 'sms_template_id', label: 'console.settings.templates.sms' },
  { channel: 'email', field: 'email_template_id', label: 'console.settings.templates.email' },
];

// The invitation templates of one channel; a failure leaves the pickers showing the
// current choice only (a 401 still ends the session).
async function invitationTemplates(channel) {
  try {
    return (await api(`/api/v1/clinic/templates?channel=${channel}&purpose=portal_invitation`)).items;
  } catch (error) {
    if (error.status === 401) throw error;
    return null;
  }
}

// The clinic's members, for the reviewer picker; a failure leaves the picker showing the
// current choice only (a 401 still ends the session).
async function staffMembers() {
  try {
    return (await api('/api/v1/clinic/staff')).items;
  } catch (error) {
    if (error.status === 401) throw error;
    return null;
  }
}

async function loadAll() {
  const [settings, catalog, presets, modules, sms, email, staff] = await Promise.all([
    apiResponse('/api/v1/clinic/portal/settings'),
    api('/api/v1/clinic/portal/permissions'),
    api('/api/v1/clinic/portal/presets'),
    api('/api/v1/clinic/modules'),
    invitationTemplates('sms'),
    invitationTemplates('email'),
    staffMembers(),
  ]);
  return {
    settings: settings.data, etag: settings.headers.get('ETag'), catalog, presets: presets.items, modules,
    templates: { sms, email }, staff,
  };
}

/* The reviewer of patient uploads: an active member of staff, or none. One who was
 * disabled after being chosen still shows, marked, so the choice is visible. */
function ReviewerPicker({ value, staff, onChange }) {
  const list = staff ?? [];
  const current = list.find((m) => m.id === value);
  const roleName = (role) => t(`console.staff.role.${role}`);
  return (
    <div class="field" data-testid="reviewer-picker">
      <label for="settings-reviewer">{t('console.settings.reviewer.label')}</label>
      <select id="settings-reviewer" value={value ?? ''} data-testid="upload-reviewer"
        aria-describedby="settings-reviewer-hint" onChange={(e) => onChange(e.currentTarget.value || null)}>
        <option value="">{t('console.settings.reviewer.none')}</option>
        {value && !current && <option value={value}>{t('console.settings.reviewer.unknown')}</option>}
        {current && !current.active && (
          <option value={current.id}>{t('console.settings.reviewer.disabled', { name: current.name })}</option>
        )}
        {list.filter((m) => m.active).map((m) => (
          <option key={m.id} value={m.id}>{`${m.name} (${roleName(m.role)})`}</option>
        ))}
      </select>
      <p class="hint" id="settings-reviewer-hint">{t('console.settings.reviewer.hint')}</p>
      {staff === null && <p class="hint alert" role="alert">{t('console.settings.reviewer.loadError')}</p>}
    </div>
  );
}

function templateOption(template) {
  const langs = templateLanguages(template).map((lang) => t(LANG_KEYS[lang])).join(', ');
  return t('console.settings.templates.option', { name: template.name, langs: langs || t('console.settings.templates.noLangs') });
}

function TemplatePicker({ picker, value, templates, onChange }) {
  const id = `settings-${picker.field}`;
  const list = templates ?? [];
  const chosen = list.find((tpl) => tpl.id === value);
  return (
    <div class="field template-picker" data-testid={`picker-${picker.channel}`}>
      <label for={id}>{t(picker.label)}</label>
      <select id={id} name={picker.field} value={value ?? ''} data-testid={`${picker.channel}-template`}
        onChange={(e) => onChange(e.currentTarget.value || null)}>
        <option value="">
          {t('console.settings.templates.noneOption', { channel: t(CHANNEL_KEYS[picker.channel]) })}
        </option>
        {value && !chosen && <option value={value}>{t('console.settings.templates.unknownOption')}</option>}
        {list.map((tpl) => <option key={tpl.id} value={tpl.id}>{templateOption(tpl)}</option>)}
      </select>
      {chosen && <LanguageBadges template={chosen} />}
    </div>
  );
}

function warningText(warning, origin) {
  const key = WARNING_KEYS[warning.code];
  if (!key) return warning.message;
  if (warning.code !== 'code_changed') return t(key);
  const old = warning.oldCode ? portalAddress(origin, warning.oldCode) : t('console.warning.codeChangedOldUnknown');
  const count = Number.isInteger(warning.count) ? warning.count : null;
  let invited = '';
  if (count === 0) invited = t('console.warning.codeChangedNone');
  else if (count === 1) invited = t('console.warning.codeChangedOne');
  else if (count !== null) invited = t('console.warning.codeChangedMany', { count });
  return `${t(key, { old })} ${invited}`.trim();
}

function Warnings({ items, origin, testid }) {
  if (!items.length) return null;
  return (
    <ul class="warnings" data-testid={testid}>
      {items.map((w) => (
        <li key={w.code} class="warning" data-testid={`warning-${w.code}`} data-source={w.source}>
          {warningText(w, origin)}
        </li>
      ))}
    </ul>
  );
}

function CodeStatus({ code, savedCode, enabled, check, saveProblem }) {
  let state;
  let text;
  if (saveProblem) {
    state = saveProblem.code;
    const format = saveProblem.code === 'code_invalid' ? CODE_FORMAT_KEYS[codeFormatProblem(code ?? '')] : null;
    const key = format ?? CODE_PROBLEM_KEYS[saveProblem.code];
    text = key ? t(key) : errorMessage(saveProblem);
  } else if (code === null) {
    state = enabled ? 'required' : 'empty';
    text = t(enabled ? 'console.code.required' : 'console.code.empty');
  } else if (!check || check.code !== code || check.pending) {
    state = 'checking';
    text = t('console.code.checking');
  } else if (check.error) {
    state = 'error';
    text = errorMessage(check.error);
  } else if (check.result.available) {
    // Free to use, but a code that looks like personal data is no green light: the warning
    // below says why, and the verdict says the same, not "available" beside it.
    const personal = (check.result.warnings ?? []).some((w) => w.code === 'code_looks_personal');
    state = code === savedCode ? 'current' : 'available';
    if (personal) state = `${state}-personal`;
    text = t({ current: 'console.code.current', available: 'console.code.available',
      'current-personal': 'console.code.currentPersonal', 'available-personal': 'console.code.availablePersonal' }[state]);
  } else {
    state = check.result.reason ?? 'invalid';
    const key = state === 'invalid'
      ? CODE_FORMAT_KEYS[codeFormatProblem(code)] ?? 'console.code.invalid'
      : CODE_REASON_KEYS[state];
    text = key ? t(key) : check.result.message;
  }
  const tone = ['available', 'current'].includes(state) ? 'ok' : ['checking', 'empty'].includes(state) ? 'info'
    : state.endsWith('-personal') ? 'warn' : 'bad';
  return (
    <p class={`code-status code-status-${tone}`} data-testid="code-status" data-state={state} role="status"
      aria-live="polite">
      {text}
    </p>
  );
}

export function PortalSettings({ session, onSessionLost }) {
  const lang = useLanguage();
  const origin = window.location.origin;
  const [data, setData] = useState(null); // {settings, etag, catalog, presets, modules}
  const [loadError, setLoadError] = useState(null);
  const [form, setForm] = useState(null);
  const [check, setCheck] = useState(null); // {code, pending} | {code, result} | {code, error}
  const [presetNote, setPresetNote] = useState(null); // {key, skipped}
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState(null); // ApiError of the last save
  const [lastSave, setLastSave] = useState(null); // {warnings, oldCode}
  const [confirming, setConfirming] = useState(null); // 'off' | 'code': the save waits for a yes
  const [roleRefused, setRoleRefused] = useState(false);
  const [stale, setStale] = useState(false); // a save answered 412: only a reload helps
  const codeInput = useRef(null);

  const readOnly = !canManage(session.staff.role) || roleRefused;

  const fail = useCallback((error, setter) => {
    if (error.status === 401) onSessionLost();
    else setter(error);
  }, [onSessionLost]);

  const load = useCallback(async () => {
    setLoadError(null);
    try {
      const loaded = await loadAll();
      setData(loaded);
      setForm(formFrom(loaded.settings));
      setStale(false);
      setSaveError(null);
      setLastSave(null);
      setPresetNote(null);
    } catch (error) {
      fail(error, setLoadError);
    }
  }, [fail]);

  useEffect(() => { load(); }, [load]);

  // Live code check, debounced; a newer keystroke aborts the older request.
  const code = form ? normalizeCode(form.code) : null;
  const ready = data !== null;
  useEffect(() => {
    if (!ready || code === null) {
      setCheck(null);
      return undefined;
    }
    const controller = new AbortController();
    setCheck({ code, pending: true });
    const timer = setTimeout(async () => {
      try {
        const result = await api(`/api/v1/clinic/portal/code-check?code=${encodeURIComponent(code)}`,
          { signal: controller.signal });
        setCheck({ code, result });
      } catch (error) {
        if (error.name === 'AbortError') return;
        fail(error, (e) => setCheck({ code, error: e }));
      }
    }, CHECK_DELAY_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [ready, code, fail]);

  const groupOf = useMemo(() => groupIndex(data?.catalog), [data]);
  const permissionLabels = useMemo(() => {
    const out = {};
    for (const group of data?.catalog.groups ?? []) for (const p of group.permissions) out[p.key] = p.label;
    return out;
  }, [data]);

  if (loadError) {
    return (
      <section class="card card-narrow" data-testid="settings-load-error">
        <ErrorText error={loadError} />
        <button type="button" class="button" onClick={load}>{t('common.retry')}</button>
      </section>
    );
  }
  if (!data || !form) return <p class="muted" role="status">{t('common.loading')}</p>;

  const { settings, catalog, presets, modules } = data;
  const moduleMissing = !modules.patient_portal || saveError?.code === 'module_missing';
  const paymentActive = Boolean(modules.payment_infrastructure?.active);
  const dirty = isDirty(settings, form);
  const chosen = new Set(form.permissions);

  // Every warning, by code: live ones from the form and the code check, then the server's
  // answer to the last save (authoritative while the form still shows what was saved;
  // code_changed stays until the next save or reload).
  const warnings = new Map();
  const hasReviewer = reviewerActive(form.upload_reviewer_id, data.staff);
  for (const w of liveWarnings({ permissions: form.permissions, paymentActive, hasReviewer })) {
    warnings.set(w.code, { ...w, source: 'live' });
  }
  if (check?.result && check.code === code) {
    for (const w of check.result.warnings ?? []) warnings.set(w.code, { ...w, source: 'live' });
  }
  if (lastSave) {
    for (const w of lastSave.warnings) {
      if (!dirty || w.code === 'code_changed') warnings.set(w.code, { ...w, source: 'saved', oldCode: lastSave.oldCode });
    }
  }
  const placed = { group: {}, permission: {}, code: [], templates: [], form: [] };
  for (const w of warnings.values()) {
    const where = warningPlacement(w, groupOf);
    if (where.keys) for (const key of where.keys) (placed[where.kind][key] ??= []).push(w);
    else placed[where.kind].push(w);
  }
  // Permissions a shown warning already talks about need no "recommended with" hint.
  const warned = new Set([...warnings.values()].flatMap((w) => w.permissions ?? []));

  function update(patch) {
    setForm((f) => ({ ...f, ...patch }));
    setSaveError(null);
    setConfirming(null);
  }
  function toggle(key, on) {
    setForm((f) => {
      const set = new Set(f.permissions);
      if (on) set.add(key);
      else set.delete(key);
      return { ...f, permissions: [...set] };
    });
    setSaveError(null);
  }
  function applyPreset(preset) {
    const { permissions, skipped } = presetPermissions(preset, { paymentActive });
    update({ permissions });
    setPresetNote({ key: preset.key, label: preset.label, skipped });
  }

  // What a save would do to links already sent: the open portal switched off, or its code
  // changed. Either asks for a confirmation that says so first.
  const risky = settings.enabled && (!form.enabled ? 'off' : settings.code && code && code !== settings.code ? 'code' : null);

  async function save(event) {
    event.preventDefault();
    if (readOnly || moduleMissing || saving || stale) return;
    if (risky && confirming !== risky) {
      setConfirming(risky);
      return;
    }
    setConfirming(null);
    setSaving(true);
    setSaveError(null);
    const oldCode = settings.code;
    try {
      const answer = await apiResponse('/api/v1/clinic/portal/settings', {
        method: 'PUT',
        body: settingsBody(settings, form, catalogOrder(catalog)),
        headers: data.etag ? { 'If-Match': ifMatchValue(data.etag) } : {},
      });
      const saved = answer.data.settings;
      setData((d) => ({ ...d, settings: saved, etag: answer.headers.get('ETag') }));
      setForm(formFrom(saved));
      setLastSave({ warnings: answer.data.warnings ?? [], oldCode, at: Date.now() });
      setPresetNote(null);
    } catch (error) {
      if (error.status === 401) {
        onSessionLost();
        return;
      }
      if (error.code === 'forbidden_role') setRoleRefused(true);
      if (error.status === 412) setStale(true);
      setSaveError(error);
      if (CODE_PROBLEM_KEYS[error.code]) codeInput.current?.focus();
    } finally {
      setSaving(false);
    }
  }

  // After a code change with patients invited under the old code: offer to invite them again.
  const changed = lastSave?.warnings.find((w) => w.code === 'code_changed');
  const reinvite = changed && Number.isInteger(changed.count) && changed.count > 0 && changed.previous_code
    ? { count: changed.count, previousCode: changed.previous_code, saves: lastSave.at }
    : null;

  const codeProblem = saveError && CODE_PROBLEM_KEYS[saveError.code] ? saveError : null;
  const conflict = stale;
  const otherError = saveError && !codeProblem && saveError.status !== 412 && saveError.code !== 'module_missing' &&
    saveError.code !== 'forbidden_role' ? saveError : null;
  // Warn that the old links will stop working once the new code is known to be usable.
  const codeChanging = settings.code && code && code !== settings.code && !codeProblem &&
    check?.code === code && check.result?.available;

  let status = '';
  if (saving) status = t('console.settings.saving');
  else if (codeProblem) status = t('console.settings.notSavedCode');
  else if (dirty) status = t('console.settings.unsaved');
  else if (lastSave) status = t(lastSave.warnings.length ? 'console.settings.savedWithWarnings' : 'console.settings.saved');
  else status = t('console.settings.noChanges');

  return (
    <form class="settings" onSubmit={save} data-testid="portal-settings" noValidate>
      <header class="screen-header">
        <h2>{t('console.settings.heading')}</h2>
        <p class="muted">{t('console.settings.intro')}</p>
      </header>

      {moduleMissing && (
        <div class="banner banner-bad" role="alert" data-testid="module-missing">
          <strong>{t('console.settings.moduleMissing.title')}</strong>
          <p>{t('console.settings.moduleMissing.body')}</p>
        </div>
      )}
      {!settings.enabled && !moduleMissing && (
        <div class="banner banner-bad" role="status" data-testid="portal-off-banner">
          <strong>{t('console.settings.offBanner.title')}</strong>
          <p>{t('console.settings.offBanner.body')}</p>
        </div>
      )}
      {readOnly && (
        <p class="banner banner-info" role="note" data-testid="settings-readonly">{t('console.settings.readOnly')}</p>
      )}
      <Warnings items={placed.form} origin={origin} testid="form-warnings" />

      <fieldset class="settings-body" disabled={readOnly}>
        <section class="card settings-section" aria-labelledby="settings-portal-heading">
          <h3 id="settings-portal-heading">{t('console.settings.portal.heading')}</h3>
          <label class="check check-main">
            <input type="checkbox" name="enabled" checked={form.enabled} data-testid="settings-enabled"
              onChange={(e) => update({ enabled: e.currentTarget.checked })} />
            <span>
              <span class="check-label">{t('console.settings.enabled')}</span>
              <span class="check-help">{t('console.settings.enabledHelp')}</span>
            </span>
          </label>

          <div class="field code-field" data-testid="code-field">
            <label for="settings-code">{t('console.code.label')}</label>
            <input id="settings-code" ref={codeInput} name="code" type="text" inputMode="url" autocomplete="off"
              autocapitalize="none" spellcheck={false} maxLength={40} value={form.code}
              placeholder={t('console.code.placeholder')} aria-describedby="settings-code-help settings-code-address"
              aria-invalid={codeProblem ? 'true' : undefined} data-testid="settings-code"
              onInput={(e) => update({ code: e.currentTarget.value })} />
            <p class="portal-address" id="settings-code-address">
              <span class="portal-address-label">{t('console.code.address')}</span>
              <output for="settings-code" data-testid="portal-address"
                data-valid={code && !codeFormatProblem(code) ? 'true' : 'false'}>
                {code && !codeFormatProblem(code) ? portalAddress(origin, code) : t('console.code.noAddress')}
              </output>
            </p>
            <CodeStatus code={code} savedCode={settings.code} enabled={form.enabled} check={check}
              saveProblem={codeProblem} />
            {codeChanging && (
              <p class="hint" data-testid="code-change-note">
                {t('console.code.changeNote', { old: portalAddress(origin, settings.code) })}
              </p>
            )}
            <p class="hint muted" id="settings-code-help">{t('console.code.help')}</p>
            <Warnings items={placed.code} origin={origin} testid="code-warnings" />
            {reinvite && (
              <Reinvite key={`${reinvite.previousCode}:${reinvite.saves}`} count={reinvite.count}
                previousCode={reinvite.previousCode} settings={settings} onSessionLost={onSessionLost} />
            )}
          </div>
        </section>

        <section class="card settings-section" aria-labelledby="settings-perms-heading">
          <h3 id="settings-perms-heading">{t('console.settings.permissions.heading')}</h3>
          <p class="muted">{t('console.settings.permissions.intro')}</p>

          {!readOnly && (
            <div class="presets" role="group" aria-labelledby="settings-presets-label" data-testid="presets">
              <span id="settings-presets-label" class="presets-label">{t('console.settings.presets.label')}</span>
              <div class="presets-buttons">
                {presets.map((preset) => (
                  <button key={preset.key} type="button" class="button button-small button-outline"
                    data-testid={`preset-${preset.key}`} onClick={() => applyPreset(preset)}>
                    {localized(preset.label, lang)}
                  </button>
                ))}
              </div>
              {presetNote && (
                <p class="hint notice-inline" role="status" data-testid="preset-note">
                  {t('console.settings.presets.applied', { name: localized(presetNote.label, lang) })}
                  {presetNote.skipped.includes('make_payment') && ` ${t('console.settings.presets.paymentSkipped')}`}
                </p>
              )}
            </div>
          )}

          <div class="perm-groups">
            {catalog.groups.map((group) => (
              <fieldset key={group.key} class="perm-group" data-testid={`group-${group.key}`}>
                <legend>{localized(group.label, lang)}</legend>
                <Warnings items={placed.group[group.key] ?? []} origin={origin} testid={`group-warnings-${group.key}`} />
                <ul class="perm-list">
                  {group.permissions.map((p) => {
                    const missing = chosen.has(p.key) && !warned.has(p.key)
                      ? (p.recommended_with ?? []).filter((key) => !chosen.has(key))
                      : [];
                    return (
                      <li key={p.key} data-testid={`perm-item-${p.key}`}>
                        <label class="check">
                          <input type="checkbox" name="permissions" value={p.key} checked={chosen.has(p.key)}
                            data-testid={`perm-${p.key}`} onChange={(e) => toggle(p.key, e.currentTarget.checked)} />
                          <span>
                            <span class="check-label">{localized(p.label, lang)}</span>
                            <span class="check-help">{localized(p.description, lang)}</span>
                          </span>
                        </label>
                        <Warnings items={placed.permission[p.key] ?? []} origin={origin} testid={`perm-warnings-${p.key}`} />
                        {missing.length > 0 && (
                          <p class="hint recommend" data-testid={`recommend-${p.key}`}>
                            {t('console.settings.recommendedWith', {
                              names: missing.map((key) => localized(permissionLabels[key], lang)).join(', '),
                            })}
                          </p>
                        )}
                      </li>
                    );
                  })}
                </ul>
              </fieldset>
            ))}
          </div>
        </section>

        <section class="card settings-section" aria-labelledby="settings-extra-heading" data-testid="settings-templates">
          <h3 id="settings-extra-heading">{t('console.settings.templates.heading')}</h3>
          <p class="muted">{t('console.settings.templates.pickHelp')}</p>
          <div class="template-pickers">
            {PICKERS.map((picker) => (
              <TemplatePicker key={picker.field} picker={picker} value={form[picker.field]}
                templates={data.templates[picker.channel]} onChange={(value) => update({ [picker.field]: value })} />
            ))}
          </div>
          {(!data.templates.sms || !data.templates.email) && (
            <p class="hint alert" role="alert" data-testid="templates-load-error">{t('console.settings.templates.loadError')}</p>
          )}
          <Warnings items={placed.templates} origin={origin} testid="template-warnings" />
          <p class="template-link"><a href="#/templates" data-testid="settings-templates-link">{t('console.settings.templates.manage')}</a></p>
          <ReviewerPicker value={form.upload_reviewer_id} staff={data.staff}
            onChange={(value) => update({ upload_reviewer_id: value })} />
        </section>
      </fieldset>

      {!readOnly && (
        <div class="save-bar" data-testid="save-bar">
          <div class="save-bar-text">
            {conflict && (
              <div class="save-conflict" role="alert" data-testid="save-conflict">
                <p>{t('console.settings.conflict')}</p>
                <button type="button" class="button button-small button-outline" onClick={load}
                  data-testid="settings-reload">
                  {t('console.settings.reload')}
                </button>
              </div>
            )}
            {otherError && (
              <p class="alert" role="alert" data-testid="save-error">
                {errorMessage(otherError)}
                {otherError.errors.map((e) => ` ${e.field}: ${e.message}`).join(';')}
              </p>
            )}
            {confirming && !conflict && (
              <div class="save-confirm" role="alertdialog" aria-labelledby="save-confirm-text" data-testid="save-confirm"
                data-kind={confirming}>
                <p id="save-confirm-text">
                  {confirming === 'off'
                    ? t('console.settings.confirmOff')
                    : t('console.settings.confirmCode', { old: portalAddress(origin, settings.code), new: portalAddress(origin, code) })}
                </p>
                <div class="save-confirm-actions">
                  <button type="submit" class="button button-small button-danger" data-testid="save-confirm-yes">
                    {t(confirming === 'off' ? 'console.settings.confirmOffYes' : 'console.settings.confirmCodeYes')}
                  </button>
                  <button type="button" class="button button-small button-outline" data-testid="save-confirm-no"
                    onClick={() => setConfirming(null)}>
                    {t('console.settings.confirmNo')}
                  </button>
                </div>
              </div>
            )}
            {!conflict && !otherError && !confirming && status && (
              <p class="save-status" role="status" data-testid="save-status" data-state={dirty ? 'dirty' : lastSave ? 'saved' : 'clean'}>
                {status}
              </p>
            )}
          </div>
          <button type="submit" class="button" data-testid="settings-save"
            disabled={saving || !dirty || moduleMissing || conflict}>
            {t(saving ? 'console.settings.saving' : 'console.settings.save')}
          </button>
        </div>
      )}
    </form>
  );
}
