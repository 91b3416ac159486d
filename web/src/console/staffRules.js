// Who may change whom on the Staff screen (Staff.jsx), the server's rules (DESIGN.md
// section 16) mirrored so the screen offers only what it will allow. The server decides.

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
