// My clinic > Staff: the clinic's members (GET clinic/staff) with their role and whether
// they may sign in. Owners change anyone's role and disable or enable them; administrators
// do so for staff members only; nobody changes their own role or disables themselves (the
// server decides; its refusal is shown on the row). A change ends that person's sessions at
// once, which the screen says before it is made.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { t } from '../i18n/index.js';
import { useLanguage } from '../i18n/LanguageSwitcher.jsx';
import { ErrorText, errorMessage, formatTime } from './common.jsx';
import { canManage } from './settingsRules.js';
import { editableRoles, mayManage } from './staffRules.js';

function MemberRow({ member, session, onChanged, onSessionLost }) {
  const lang = useLanguage();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState(null);
  const manageable = mayManage(session.staff, member);
  const roles = editableRoles(session.staff, member);

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
            <select id={roleId} value={member.role} disabled={busy} data-testid="staff-role"
              onChange={(e) => change({ role: e.currentTarget.value })}>
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
      <td class="muted">{formatTime(member.created_at, lang)}</td>
      <td>
        {manageable && member.id !== session.staff.id && (
          <button type="button" class="button button-small button-outline" disabled={busy}
            data-testid={member.active ? 'staff-disable' : 'staff-enable'}
            aria-label={t(member.active ? 'console.staff.disableWho' : 'console.staff.enableWho', { name: member.name })}
            onClick={() => change({ active: !member.active })}>
            {t(member.active ? 'console.staff.disable' : 'console.staff.enable')}
          </button>
        )}
        {failure && <p class="field-error" role="alert" data-testid="staff-row-error">{errorMessage(failure)}</p>}
      </td>
    </tr>
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
    <section class="card" data-testid="staff-screen" aria-labelledby="staff-heading">
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
  );
}
