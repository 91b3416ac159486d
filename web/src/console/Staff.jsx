// My clinic > Staff: the clinic's members (GET clinic/staff) with their role and whether
// they may sign in. Owners change anyone's role and disable or enable them; administrators
// do so for staff members only; nobody changes their own role or disables themselves (the
// server decides; its refusal is shown on the row). A change ends that person's sessions at
// once, which the screen says before it is made.
//
// Each row says whether two-factor sign-in is on; an owner can reset it for someone else
// (DELETE staff/{id}/totp, after a confirm step). Owners and administrators invite people
// (POST staff {email, name, role}; administrators invite staff members only): the answer is
// the same whether or not the person already has an account elsewhere, so the screen says
// only that the invitation was sent. The clinic's "require two-factor sign-in for everyone"
// (GET / PUT security) is a switch for owners and a sentence for everyone else.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.js';
import { t } from '../i18n/index.js';
import { useLanguage } from '../i18n/LanguageSwitcher.jsx';
import { ErrorText, errorMessage, formatTime } from './common.jsx';
import { canManage } from './settingsRules.js';
import {
  editableRoles, invitableRoles, invitationBody, mayInvite, mayManage, mayRequireTotp, mayResetTotp, withMember,
} from './staffRules.js';

// "Reset two-factor for X?" with Reset and Cancel; the focus goes to Cancel, the safe one.
function ResetConfirm({ member, busy, onYes, onNo }) {
  const cancel = useRef(null);
  useEffect(() => { cancel.current?.focus(); }, []);
  const id = `staff-totp-q-${member.id}`;
  return (
    <div class="staff-confirm" role="group" aria-labelledby={id} data-testid="staff-totp-confirm">
      <p id={id}>{t('console.staff.totpResetConfirm', { name: member.name })}</p>
      <button type="button" class="button button-small button-danger" disabled={busy} data-testid="staff-totp-reset-yes"
        onClick={onYes}>
        {t('console.staff.totpResetYes')}
      </button>
      <button type="button" class="button button-small button-outline" ref={cancel} onClick={onNo}>
        {t('console.totp.cancel')}
      </button>
    </div>
  );
}

function MemberRow({ member, session, onChanged, onSessionLost }) {
  const lang = useLanguage();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState(null);
  const [confirmingReset, setConfirmingReset] = useState(false);
  const [resetDone, setResetDone] = useState(false);
  // The role just picked, shown while it is being saved (the saved one after, or the old one
  // again if refused), so that the list does not snap back in between.
  const [pendingRole, setPendingRole] = useState(null);
  const manageable = mayManage(session.staff, member);
  const roles = editableRoles(session.staff, member);
  const resettable = mayResetTotp(session.staff, member);

  async function change(body) {
    setBusy(true);
    setFailure(null);
    try {
      onChanged(await api(`/api/v1/clinic/staff/${encodeURIComponent(member.id)}`, { method: 'PATCH', body }));
    } catch (error) {
      if (error.status === 401) onSessionLost();
      else setFailure(error);
    } finally {
      setBusy(false);
    }
  }

  async function resetTotp() {
    setBusy(true);
    setFailure(null);
    try {
      await api(`/api/v1/clinic/staff/${encodeURIComponent(member.id)}/totp`, { method: 'DELETE' });
      setConfirmingReset(false);
      setResetDone(true);
      onChanged({ ...member, totp_enabled: false });
    } catch (error) {
      if (error.status === 401) onSessionLost();
      else setFailure(error);
    } finally {
      setBusy(false);
    }
  }

  const roleId = `staff-role-${member.id}`;
  return (
    <tr data-testid="staff-row" data-id={member.id} data-active={member.active ? 'true' : 'false'}>
      <th scope="row">
        {member.name}
        {member.id === session.staff.id && <span class="badge">{t('console.staff.you')}</span>}
        <span class="muted staff-email">{member.email}</span>
      </th>
      <td>
        {manageable && roles.length > 1 ? (
          <>
            <label class="visually-hidden" for={roleId}>{t('console.staff.roleOf', { name: member.name })}</label>
            <select id={roleId} value={pendingRole ?? member.role} disabled={busy} data-testid="staff-role"
              onChange={(e) => {
                const role = e.currentTarget.value;
                setPendingRole(role);
                change({ role }).finally(() => setPendingRole(null));
              }}>
              {roles.map((r) => <option key={r} value={r}>{t(`console.staff.role.${r}`)}</option>)}
            </select>
          </>
        ) : (
          <span data-testid="staff-role-text">{t(`console.staff.role.${member.role}`)}</span>
        )}
      </td>
      <td>
        <span class={member.active ? 'badge badge-ok' : 'badge badge-off'} data-testid="staff-state">
          {t(member.active ? 'console.staff.active' : 'console.staff.disabled')}
        </span>
      </td>
      <td>
        <span class={member.totp_enabled ? 'badge badge-ok' : 'badge badge-off'} data-testid="staff-totp"
          data-enabled={member.totp_enabled ? 'true' : 'false'}>
          {t(member.totp_enabled ? 'console.totp.on' : 'console.totp.off')}
        </span>
      </td>
      <td class="muted">{formatTime(member.created_at, lang)}</td>
      <td>
        <div class="staff-actions">
          {manageable && member.id !== session.staff.id && (
            <button type="button" class="button button-small button-outline" disabled={busy}
              data-testid={member.active ? 'staff-disable' : 'staff-enable'}
              aria-label={t(member.active ? 'console.staff.disableWho' : 'console.staff.enableWho', { name: member.name })}
              onClick={() => change({ active: !member.active })}>
              {t(member.active ? 'console.staff.disable' : 'console.staff.enable')}
            </button>
          )}
          {resettable && !confirmingReset && (
            <button type="button" class="button button-small button-outline" disabled={busy} data-testid="staff-totp-reset"
              aria-label={t('console.staff.totpResetWho', { name: member.name })}
              onClick={() => { setConfirmingReset(true); setResetDone(false); setFailure(null); }}>
              {t('console.staff.totpReset')}
            </button>
          )}
          {resettable && confirmingReset && (
            <ResetConfirm member={member} busy={busy} onYes={resetTotp} onNo={() => setConfirmingReset(false)} />
          )}
          {resetDone && <p class="hint notice-inline" role="status" data-testid="staff-totp-reset-done">{t('console.staff.totpResetDone')}</p>}
          {failure && <p class="field-error" role="alert" data-testid="staff-row-error">{errorMessage(failure)}</p>}
        </div>
      </td>
    </tr>
  );
}

function InviteForm({ session, onInvited, onSessionLost }) {
  const roles = invitableRoles(session.staff);
  const [form, setForm] = useState({ email: '', name: '', role: roles[0] });
  const [errors, setErrors] = useState({}); // field -> message
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState(null);
  const [sentTo, setSentTo] = useState(null);
  const inputs = { email: useRef(null), name: useRef(null), role: useRef(null) };
  const set = (field) => (e) => {
    const { value } = e.currentTarget;
    setForm((f) => ({ ...f, [field]: value }));
    setErrors((all) => ({ ...all, [field]: undefined }));
    setSentTo(null);
  };

  async function submit(event) {
    event.preventDefault();
    const body = invitationBody(session.staff, form);
    const missing = ['email', 'name'].filter((f) => !body[f]);
    if (missing.length) {
      setErrors(Object.fromEntries(missing.map((f) => [f, t(`console.staff.invite.${f}Missing`)])));
      inputs[missing[0]].current?.focus();
      return;
    }
    setBusy(true);
    setErrors({});
    setFailure(null);
    setSentTo(null);
    try {
      onInvited(await api('/api/v1/clinic/staff', { method: 'POST', body }));
      setSentTo(body.email);
      setForm({ email: '', name: '', role: roles[0] });
    } catch (error) {
      if (error.status === 401) onSessionLost();
      else if (error.status === 422 && error.errors.some((e) => e.field in inputs)) {
        const byField = {};
        for (const e of error.errors) if (e.field in inputs && !byField[e.field]) byField[e.field] = e.message;
        setErrors(byField);
        inputs[Object.keys(inputs).find((f) => byField[f])].current?.focus();
      } else setFailure(error);
    } finally {
      setBusy(false);
    }
  }

  const field = (name, type, autocomplete) => {
    const id = `invite-${name}`;
    const error = errors[name];
    return (
      <div class="field">
        <label for={id}>{t(`console.staff.invite.${name}`)}</label>
        <input id={id} ref={inputs[name]} type={type} autocomplete={autocomplete} value={form[name]} data-testid={id}
          aria-invalid={error ? 'true' : undefined} aria-describedby={error ? `${id}-error` : undefined}
          onInput={set(name)} />
        {error && <p class="field-error" id={`${id}-error`} data-testid={`${id}-error`}>{error}</p>}
      </div>
    );
  };

  return (
    <form class="card invite-form" onSubmit={submit} noValidate data-testid="staff-invite" aria-labelledby="invite-heading">
      <h2 id="invite-heading">{t('console.staff.invite.heading')}</h2>
      <p class="muted">{t('console.staff.invite.intro')}</p>
      <div class="field-row">
        {field('email', 'email', 'off')}
        {field('name', 'text', 'off')}
      </div>
      {roles.length > 1 ? (
        <div class="field invite-role">
          <label for="invite-role">{t('console.staff.invite.role')}</label>
          <select id="invite-role" ref={inputs.role} value={form.role} data-testid="invite-role"
            aria-invalid={errors.role ? 'true' : undefined} aria-describedby={errors.role ? 'invite-role-error' : undefined}
            onChange={set('role')}>
            {roles.map((r) => <option key={r} value={r}>{t(`console.staff.role.${r}`)}</option>)}
          </select>
          {errors.role && <p class="field-error" id="invite-role-error">{errors.role}</p>}
        </div>
      ) : (
        <p class="hint" data-testid="invite-role-fixed">{t('console.staff.invite.roleFixed', { role: t(`console.staff.role.${roles[0]}`) })}</p>
      )}
      {failure && <ErrorText error={failure} testid="invite-failure" />}
      {sentTo && <p class="notice" role="status" data-testid="invite-sent">{t('console.staff.invite.sent', { email: sentTo })}</p>}
      <button type="submit" class="button" disabled={busy} data-testid="invite-submit">
        {t(busy ? 'console.staff.invite.sending' : 'console.staff.invite.send')}
      </button>
    </form>
  );
}

// The clinic's "require two-factor sign-in for everyone": a switch for owners, a sentence for others.
function RequireTotp({ session, onSessionLost }) {
  const [required, setRequired] = useState(null);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState(null);
  const [saved, setSaved] = useState(false);
  const owner = mayRequireTotp(session.staff);

  useEffect(() => {
    api('/api/v1/clinic/security')
      .then((answer) => setRequired(answer.require_totp === true))
      .catch((error) => {
        if (error.status === 401) onSessionLost();
        else setFailure(error);
      });
  }, []);

  async function change(value) {
    const before = required;
    setRequired(value); // the switch follows the hand at once; put back if refused
    setBusy(true);
    setFailure(null);
    setSaved(false);
    try {
      const answer = await api('/api/v1/clinic/security', { method: 'PUT', body: { require_totp: value } });
      setRequired(answer?.require_totp ?? value);
      setSaved(true);
    } catch (error) {
      setRequired(before);
      if (error.status === 401) onSessionLost();
      else setFailure(error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="card" data-testid="staff-security" aria-labelledby="staff-security-heading">
      <h2 id="staff-security-heading">{t('console.totp.heading')}</h2>
      {required === null && !failure && <p class="muted" role="status">{t('common.loading')}</p>}
      {required !== null && owner && (
        <label class="check">
          <input type="checkbox" checked={required} disabled={busy} data-testid="staff-require-totp"
            onChange={(e) => change(e.currentTarget.checked)} />
          <span>
            <span class="check-label">{t('console.staff.requireTotp')}</span>
            <span class="check-help">{t('console.staff.requireTotpHelp')}</span>
          </span>
        </label>
      )}
      {required !== null && !owner && (
        <p data-testid="staff-require-totp-text" data-required={required ? 'true' : 'false'}>
          {t(required ? 'console.staff.totpRequired' : 'console.staff.totpNotRequired')}
        </p>
      )}
      {saved && (
        <p class="hint notice-inline" role="status" data-testid="staff-require-totp-saved">
          {t(required ? 'console.staff.totpRequiredSaved' : 'console.staff.totpNotRequiredSaved')}
        </p>
      )}
      {failure && <ErrorText error={failure} testid="staff-security-error" />}
    </section>
  );
}

export function Staff({ session, onSessionLost }) {
  useLanguage();
  const [members, setMembers] = useState(null);
  const [loadError, setLoadError] = useState(null);

  async function load() {
    try {
      setMembers((await api('/api/v1/clinic/staff')).items);
      setLoadError(null);
    } catch (error) {
      if (error.status === 401) onSessionLost();
      else setLoadError(error);
    }
  }
  useEffect(() => { load(); }, []);

  if (loadError) return <section class="card"><ErrorText error={loadError} testid="staff-load-error" /></section>;
  if (!members) return <p class="muted" role="status">{t('common.loading')}</p>;
  const changed = (m) => setMembers((list) => list.map((x) => (x.id === m.id ? m : x)));

  return (
    <div class="staff" data-testid="staff-screen">
      <section class="card" aria-labelledby="staff-heading">
        <h2 id="staff-heading">{t('console.staff.heading')}</h2>
        <p class="muted">{t(canManage(session.staff.role) ? 'console.staff.intro' : 'console.staff.readOnly')}</p>
        <div class="staff-scroll">
          <table class="data-table staff-table">
            <caption class="visually-hidden">{t('console.staff.heading')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('console.staff.col.name')}</th>
                <th scope="col">{t('console.staff.col.role')}</th>
                <th scope="col">{t('console.staff.col.state')}</th>
                <th scope="col">{t('console.staff.col.totp')}</th>
                <th scope="col">{t('console.staff.col.since')}</th>
                <th scope="col"><span class="visually-hidden">{t('console.staff.col.actions')}</span></th>
              </tr>
            </thead>
            <tbody>
              {members.map((m) => (
                <MemberRow key={m.id} member={m} session={session} onChanged={changed} onSessionLost={onSessionLost} />
              ))}
            </tbody>
          </table>
        </div>
      </section>
      {mayInvite(session.staff) && (
        <InviteForm session={session} onSessionLost={onSessionLost}
          onInvited={(m) => setMembers((list) => withMember(list, m))} />
      )}
      <RequireTotp session={session} onSessionLost={onSessionLost} />
    </div>
  );
}
