// Who may change, invite and reset whom on the Staff screen (Staff.jsx): the server's rules
// (DESIGN.md section 16) mirrored so the screen offers only what it will allow. The server
// decides.

const ALL_ROLES = ['owner', 'admin', 'staff'];

/** Whether `me` ({id, role}) may change member `m` ({id, role}) at all. */
export function mayManage(me, m) {
  if (me.role === 'owner') return true;
  if (me.role !== 'admin') return false;
  return m.id === me.id || m.role === 'staff';
}

/** The roles `me` may give `m` (including m's own); one means the role cannot change. */
export function editableRoles(me, m) {
  if (!mayManage(me, m) || m.id === me.id) return [m.role];
  if (me.role === 'owner') return ALL_ROLES;
  return ['staff'];
}

/** Whether `me` may invite people at all (owners and administrators). */
export function mayInvite(me) {
  return me.role === 'owner' || me.role === 'admin';
}

/** The roles `me` may invite someone with, the least first (the form's default). */
export function invitableRoles(me) {
  if (me.role === 'owner') return ['staff', 'admin', 'owner'];
  if (me.role === 'admin') return ['staff'];
  return [];
}

/** Whether `me` may reset member `m`'s two-factor sign-in: owners, for others who have it on. */
export function mayResetTotp(me, m) {
  return me.role === 'owner' && m.id !== me.id && m.totp_enabled === true;
}

/** Whether `me` may turn the clinic's "two-factor for everyone" on or off (owners only). */
export function mayRequireTotp(me) {
  return me.role === 'owner';
}

/**
 * The invitation's POST body from the form: email and name trimmed; the role kept only when
 * `me` may give it, else the least one offered.
 */
export function invitationBody(me, form) {
  const roles = invitableRoles(me);
  return {
    email: String(form.email ?? '').trim(),
    name: String(form.name ?? '').trim(),
    role: roles.includes(form.role) ? form.role : roles[0],
  };
}

/** The list after an invitation answered `member`: replaced where the id is known, else added. */
export function withMember(list, member) {
  return list.some((m) => m.id === member.id)
    ? list.map((m) => (m.id === member.id ? member : m))
    : [...list, member];
}
