// The patient's Portal Permissions tab (the guide's "Patient-Specific Permission
// Configuration"): follow the clinic's settings (its set shown read-only) or a custom set
// for this patient (the 19 permissions in their 7 groups, "Select All" and "Clear All"); the
// pair warnings next to their groups and the clinic-level ones (online payment not active,
// no upload reviewer) at the top, live while ticking and as the server answered the last
// save; Save
// → PUT /api/v1/clinic/patients/{id}/portal-permissions. Owner and admin only: staff see it
// read-only, without Save.
import { useMemo, useState } from 'preact/hooks';
import { api } from '../api.js';
import { t } from '../i18n/index.js';
import { useLanguage } from '../i18n/LanguageSwitcher.jsx';
import { errorMessage } from './common.jsx';
import { formFromPermissions, permissionsBody, permissionsDirty } from './patientRules.js';
import { catalogOrder, groupIndex, liveWarnings, pairWarnings, WARNING_KEYS, warningPlacement } from './settingsRules.js';

const MODE_KEYS = {
  clinic: { label: 'console.perms.mode.clinic', help: 'console.perms.mode.clinicHelp' },
  custom: { label: 'console.perms.mode.custom', help: 'console.perms.mode.customHelp' },
};

const localized = (label, lang) => (label ? label[lang] ?? label.tr ?? label.en ?? '' : '');

function Warnings({ items, testid }) {
  if (!items.length) return null;
  return (
    <ul class="warnings" data-testid={testid}>
      {items.map((w) => (
        <li key={w.code} class="warning" data-testid={`warning-${w.code}`} data-source={w.source}>
          {WARNING_KEYS[w.code] ? t(WARNING_KEYS[w.code]) : w.message}
        </li>
      ))}
    </ul>
  );
}

/** The clinic's set, read-only: every permission of each group, on or off. */
function EffectiveSet({ catalog, effective, lang }) {
  const on = new Set(effective);
  return (
    <div class="perm-groups" data-testid="effective-set">
      {catalog.groups.map((group) => (
        <section key={group.key} class="perm-group perm-group-readonly" data-testid={`effective-group-${group.key}`}
          aria-label={localized(group.label, lang)}>
          <h4 class="perm-group-title">{localized(group.label, lang)}</h4>
          <ul class="effective-list">
            {group.permissions.map((p) => (
              <li key={p.key} class={on.has(p.key) ? 'effective-on' : 'effective-off'} data-testid={`effective-${p.key}`}
                data-on={on.has(p.key) ? 'true' : 'false'}>
                <span class="effective-mark" aria-hidden="true">{on.has(p.key) ? '✓' : '–'}</span>
                <span class="visually-hidden">{t(on.has(p.key) ? 'console.perms.on' : 'console.perms.off')}</span>
                <span>{localized(p.label, lang)}</span>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </div>
  );
}

export function PatientPermissions({ patientId, saved, catalog, clinicSet, clinicFacts, canEdit, onSaved, onSessionLost }) {
  const lang = useLanguage();
  const [form, setForm] = useState(() => formFromPermissions(saved));
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState(null);
  const [lastSave, setLastSave] = useState(null); // {warnings} of the last PUT's answer
  const [roleRefused, setRoleRefused] = useState(false);

  const readOnly = !canEdit || roleRefused;
  const order = useMemo(() => catalogOrder(catalog), [catalog]);
  const groupOf = useMemo(() => groupIndex(catalog), [catalog]);
  const labels = useMemo(() => {
    const out = {};
    for (const group of catalog.groups) for (const p of group.permissions) out[p.key] = p.label;
    return out;
  }, [catalog]);

  const dirty = permissionsDirty(saved, form);
  const custom = form.mode === 'custom';
  const chosen = new Set(form.permissions);
  const allChosen = order.every((key) => chosen.has(key));

  // Pair warnings of the custom set: live from the boxes, then the server's answer to the
  // last save while the form still shows what was saved.
  const warnings = new Map();
  const live = clinicFacts ? liveWarnings({ permissions: form.permissions, ...clinicFacts }) : pairWarnings(form.permissions);
  if (custom) for (const w of live) warnings.set(w.code, { ...w, source: 'live' });
  if (lastSave && !dirty) for (const w of lastSave.warnings) warnings.set(w.code, { ...w, source: 'saved' });
  const byGroup = {};
  const elsewhere = [];
  for (const w of warnings.values()) {
    const where = warningPlacement(w, groupOf);
    if (where.kind === 'group') for (const key of where.keys) (byGroup[key] ??= []).push(w);
    else elsewhere.push(w);
  }
  const warned = new Set([...warnings.values()].flatMap((w) => w.permissions ?? []));

  // What "follow the clinic" means: the server's effective set once saved, else the clinic's.
  const clinicEffective = saved.mode === 'clinic' ? saved.effective : clinicSet;

  function change(next) {
    setForm(next);
    setSaveError(null);
  }
  function toggle(key, on) {
    const set = new Set(form.permissions);
    if (on) set.add(key);
    else set.delete(key);
    change({ ...form, permissions: [...set] });
  }

  async function save(event) {
    event.preventDefault();
    if (readOnly || saving || !dirty) return;
    setSaving(true);
    setSaveError(null);
    try {
      const answer = await api(`/api/v1/clinic/patients/${encodeURIComponent(patientId)}/portal-permissions`, {
        method: 'PUT',
        body: permissionsBody(form, order),
      });
      setForm(formFromPermissions(answer));
      setLastSave({ warnings: answer.warnings ?? [] });
      onSaved(answer);
    } catch (error) {
      if (error.status === 401) {
        onSessionLost();
        return;
      }
      if (error.code === 'forbidden_role') setRoleRefused(true);
      setSaveError(error);
    } finally {
      setSaving(false);
    }
  }

  let status;
  if (saving) status = t('console.perms.saving');
  else if (dirty) status = t('console.perms.unsaved');
  else if (lastSave) status = t(lastSave.warnings.length ? 'console.perms.savedWithWarnings' : 'console.perms.saved');
  else status = t('console.perms.noChanges');

  return (
    <form class="patient-perms" onSubmit={save} noValidate data-testid="patient-permissions" data-mode={saved.mode}>
      <p class="banner banner-info" role="note" data-testid="perm-only-this-patient">
        {t('console.perms.onlyThisPatient')}
      </p>
      {readOnly && (
        <p class="banner banner-plain" role="note" data-testid="perm-readonly">{t('console.perms.readOnly')}</p>
      )}
      {roleRefused && saveError && <p class="alert" role="alert">{errorMessage(saveError)}</p>}
      <Warnings items={elsewhere} testid="perm-warnings" />

      <fieldset class="perm-body" disabled={readOnly}>
        <fieldset class="mode-switch" data-testid="perm-mode">
          <legend class="visually-hidden">{t('console.perms.mode.legend')}</legend>
          {Object.entries(MODE_KEYS).map(([mode, keys]) => (
            <label key={mode} class="mode-option" data-testid={`perm-mode-${mode}-option`}>
              <input type="radio" name="perm-mode" value={mode} checked={form.mode === mode}
                data-testid={`perm-mode-${mode}`} onChange={() => change({ ...form, mode })} />
              <span>
                <span class="check-label">{t(keys.label)}</span>
                <span class="check-help">{t(keys.help)}</span>
              </span>
            </label>
          ))}
        </fieldset>

        {!custom && (
          <section class="card perm-section" aria-labelledby="perm-clinic-heading" data-testid="perm-clinic">
            <h3 id="perm-clinic-heading">{t('console.perms.clinic.heading')}</h3>
            {clinicEffective ? (
              <>
                <p class="muted">
                  {t(saved.mode === 'clinic' ? 'console.perms.clinic.intro' : 'console.perms.clinic.afterSave')}
                </p>
                {clinicEffective.length === 0 && (
                  <p class="hint warning-soft" data-testid="perm-clinic-empty">{t('console.perms.clinic.empty')}</p>
                )}
                <EffectiveSet catalog={catalog} effective={clinicEffective} lang={lang} />
              </>
            ) : (
              <p class="muted" data-testid="perm-clinic-unknown">{t('console.perms.clinic.unknown')}</p>
            )}
            <p class="hint muted">
              {t('console.perms.clinic.where')} <a href="#/settings">{t('console.perms.clinic.settingsLink')}</a>
            </p>
          </section>
        )}

        {custom && (
          <section class="card perm-section" aria-labelledby="perm-custom-heading" data-testid="perm-custom">
            <div class="perm-section-head">
              <div>
                <h3 id="perm-custom-heading">{t('console.perms.custom.heading')}</h3>
                <p class="muted">{t('console.perms.custom.intro')}</p>
              </div>
              {!readOnly && (
                <div class="perm-bulk">
                  <button type="button" class="button button-small button-outline" data-testid="perm-select-all"
                    disabled={allChosen} onClick={() => change({ ...form, permissions: [...order] })}>
                    {t('console.perms.selectAll')}
                  </button>
                  <button type="button" class="button button-small button-outline" data-testid="perm-clear-all"
                    disabled={chosen.size === 0} onClick={() => change({ ...form, permissions: [] })}>
                    {t('console.perms.clearAll')}
                  </button>
                </div>
              )}
            </div>
            <p class="hint muted perm-count" data-testid="perm-count">
              {t('console.perms.count', { count: order.filter((key) => chosen.has(key)).length, total: order.length })}
            </p>
            <div class="perm-groups">
              {catalog.groups.map((group) => (
                <fieldset key={group.key} class="perm-group" data-testid={`group-${group.key}`}>
                  <legend>{localized(group.label, lang)}</legend>
                  <Warnings items={byGroup[group.key] ?? []} testid={`group-warnings-${group.key}`} />
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
                          {missing.length > 0 && (
                            <p class="hint recommend" data-testid={`recommend-${p.key}`}>
                              {t('console.settings.recommendedWith', {
                                names: missing.map((key) => localized(labels[key], lang)).join(', '),
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
        )}
      </fieldset>

      {!readOnly && (
        <div class={dirty ? 'save-bar' : 'save-bar save-bar-idle'} data-testid="perm-save-bar">
          <div class="save-bar-text">
            {saveError ? (
              <p class="alert" role="alert" data-testid="perm-save-error">
                {errorMessage(saveError)}
                {saveError.errors.map((e) => ` ${e.message}`).join('')}
              </p>
            ) : (
              <p class="save-status" role="status" data-testid="perm-save-status"
                data-state={dirty ? 'dirty' : lastSave ? 'saved' : 'clean'}>
                {status}
              </p>
            )}
          </div>
          {dirty && (
            <button type="button" class="button button-outline" data-testid="perm-reset"
              onClick={() => change(formFromPermissions(saved))}>
              {t('console.perms.discard')}
            </button>
          )}
          <button type="submit" class="button" disabled={saving || !dirty} data-testid="perm-save">
            {t(saving ? 'console.perms.saving' : 'console.perms.save')}
          </button>
        </div>
      )}
    </form>
  );
}
