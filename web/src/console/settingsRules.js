// Portal settings rules the console mirrors in the form, so the clinic sees the guide's
// notes while it ticks boxes (the server decides again on save; see DESIGN.md section 3).
// Plain functions without DOM or i18n access: tests/web/console_rules.test.mjs imports them.

/** Roles that may change portal settings and read the audit log. */
export const MANAGER_ROLES = Object.freeze(['owner', 'admin']);
export const canManage = (role) => MANAGER_ROLES.includes(role);

/** The pair rules: any of `when` ticked without `needs` draws the warning `code`. */
export const PAIR_RULES = Object.freeze([
  { code: 'appointments_without_view', when: ['create_appointment', 'cancel_appointment'], needs: 'view_appointments' },
  { code: 'forms_without_view', when: ['submit_forms'], needs: 'view_forms' },
]);

/**
 * The pair warnings alone, [{code, permissions}] in the server's order: what a patient's
 * Portal Permissions PUT answers for the patient's own set.
 */
export function pairWarnings(permissions) {
  const set = new Set(permissions);
  const out = [];
  for (const rule of PAIR_RULES) {
    const ticked = rule.when.filter((key) => set.has(key));
    if (ticked.length && !set.has(rule.needs)) out.push({ code: rule.code, permissions: [rule.needs, ...ticked] });
  }
  return out;
}

/**
 * The warnings the form's current state draws, as the server would answer them on save:
 * [{code, permissions}] in the server's order. `permissions` names both sides of a pair.
 */
export function liveWarnings({ permissions, paymentActive, hasReviewer }) {
  const set = new Set(permissions);
  const out = pairWarnings(permissions);
  if (set.has('make_payment') && !paymentActive) {
    out.push({ code: 'payment_infrastructure_inactive', permissions: ['make_payment'] });
  }
  if (set.has('upload_documents') && !hasReviewer) {
    out.push({ code: 'uploads_without_reviewer', permissions: ['upload_documents'] });
  }
  return out;
}

/**
 * Where a warning is shown: {kind: 'group', keys: [group keys]} next to permission groups,
 * {kind: 'permission', keys: [permission keys]} under single permissions, {kind: 'code'}
 * at the code field, {kind: 'templates'} by the template pickers, or {kind: 'form'} at
 * the top for anything unknown. `groupOf` maps a permission key to its group key.
 */
export function warningPlacement(warning, groupOf) {
  switch (warning.code) {
    case 'appointments_without_view':
    case 'forms_without_view': {
      const groups = [...new Set((warning.permissions ?? []).map((key) => groupOf[key]).filter(Boolean))];
      return groups.length ? { kind: 'group', keys: groups } : { kind: 'form' };
    }
    case 'payment_infrastructure_inactive':
      return { kind: 'permission', keys: ['make_payment'] };
    case 'uploads_without_reviewer':
      return { kind: 'permission', keys: ['upload_documents'] };
    case 'code_looks_personal':
    case 'code_changed':
      return { kind: 'code' };
    case 'template_language_mismatch':
      return { kind: 'templates' };
    default:
      return { kind: 'form' };
  }
}

/**
 * The permission set a preset fills the form with. A preset answers the keys it always sets
 * (`permissions`) and the ones it leaves to the clinic (`optional`), each key in one list:
 * the form gets both, except an optional make_payment while the clinic's payment
 * infrastructure is inactive. Answers {permissions, skipped} (skipped: optional keys left
 * unticked), each key once.
 */
export function presetPermissions(preset, { paymentActive }) {
  const skipped = (preset.optional ?? []).filter((key) => key === 'make_payment' && !paymentActive);
  const permissions = [];
  for (const key of [...(preset.permissions ?? []), ...(preset.optional ?? [])]) {
    if (!skipped.includes(key) && !permissions.includes(key)) permissions.push(key);
  }
  return { permissions, skipped };
}

/** The code as it will be saved: trimmed, null when empty. */
export function normalizeCode(code) {
  const trimmed = (code ?? '').trim();
  return trimmed === '' ? null : trimmed;
}

/** The full portal address for a code: origin + '/' + code. */
export function portalAddress(origin, code) {
  return `${String(origin).replace(/\/+$/, '')}/${normalizeCode(code) ?? ''}`;
}

/**
 * Why a code is malformed, mirroring the server's rules (3-40 characters of a-z, 0-9 and
 * single inner hyphens), so the console can say it in the clinic's language:
 * 'length' | 'characters' | 'hyphen' | null when the format is fine.
 */
export function codeFormatProblem(code) {
  const c = code ?? '';
  if (c.length < 3 || c.length > 40) return 'length';
  if (!/^[a-z0-9-]+$/.test(c)) return 'characters';
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(c)) return 'hyphen';
  return null;
}

/** Permission keys in catalog order (the order the form shows them). */
export function catalogOrder(catalog) {
  return (catalog?.groups ?? []).flatMap((group) => group.permissions.map((p) => p.key));
}

/** {permissionKey: groupKey} for a catalog. */
export function groupIndex(catalog) {
  const out = {};
  for (const group of catalog?.groups ?? []) for (const p of group.permissions) out[p.key] = group.key;
  return out;
}

/** The settings body the form would save (whole body: fields the form lacks as loaded). */
export function settingsBody(loaded, form, order = []) {
  const chosen = new Set(form.permissions);
  const known = order.filter((key) => chosen.has(key));
  const rest = [...chosen].filter((key) => !order.includes(key)).sort();
  return {
    enabled: Boolean(form.enabled),
    code: normalizeCode(form.code),
    permissions: [...known, ...rest],
    // The template pickers' choices when the form has them, else as loaded.
    sms_template_id: ('sms_template_id' in form ? form : loaded).sms_template_id ?? null,
    email_template_id: ('email_template_id' in form ? form : loaded).email_template_id ?? null,
    upload_reviewer_id: ('upload_reviewer_id' in form ? form : loaded).upload_reviewer_id ?? null,
  };
}

/** True when the form differs from the loaded settings. */
export function isDirty(loaded, form) {
  if (!loaded) return false;
  if (Boolean(form.enabled) !== Boolean(loaded.enabled)) return true;
  if (normalizeCode(form.code) !== normalizeCode(loaded.code)) return true;
  for (const field of ['sms_template_id', 'email_template_id', 'upload_reviewer_id']) {
    if (field in form && (form[field] ?? null) !== (loaded[field] ?? null)) return true;
  }
  const a = [...new Set(form.permissions)].sort();
  const b = [...new Set(loaded.permissions)].sort();
  return a.length !== b.length || a.some((key, i) => key !== b[i]);
}

/**
 * The ETag to send back in If-Match. nginx's gzip turns a strong ETag into a weak one
 * (W/"2") on compressed answers, and the API compares If-Match strongly; the settings'
 * version is the same either way, so send the opaque tag without the W/ prefix.
 */
export function ifMatchValue(etag) {
  return etag ? etag.replace(/^W\//, '') : etag;
}

/** Message keys of the console, by code, for texts that depend on server values. */
export const WARNING_KEYS = Object.freeze({
  appointments_without_view: 'console.warning.appointmentsWithoutView',
  forms_without_view: 'console.warning.formsWithoutView',
  payment_infrastructure_inactive: 'console.warning.paymentInactive',
  uploads_without_reviewer: 'console.warning.uploadsWithoutReviewer',
  template_language_mismatch: 'console.warning.templateLanguageMismatch',
  code_looks_personal: 'console.warning.codeLooksPersonal',
  code_changed: 'console.warning.codeChanged',
});

export const CODE_REASON_KEYS = Object.freeze({
  reserved: 'console.code.reserved',
  taken: 'console.code.taken',
  retired: 'console.code.retired',
});

export const CODE_FORMAT_KEYS = Object.freeze({
  length: 'console.code.invalidLength',
  characters: 'console.code.invalidCharacters',
  hyphen: 'console.code.invalidHyphen',
});

/** Save problems shown at the code field. */
export const CODE_PROBLEM_KEYS = Object.freeze({
  code_taken: 'console.code.taken',
  code_retired: 'console.code.retired',
  code_reserved: 'console.code.reserved',
  code_invalid: 'console.code.invalid',
  code_required: 'console.code.required',
});

export const ROLE_KEYS = Object.freeze({
  owner: 'console.role.owner',
  admin: 'console.role.admin',
  staff: 'console.role.staff',
});

export const ACTOR_KEYS = Object.freeze({
  staff: 'console.audit.actor.staff',
  api_key: 'console.audit.actor.apiKey',
  patient: 'console.audit.actor.patient',
  system: 'console.audit.actor.system',
});

export const ACTION_KEYS = Object.freeze({
  'staff.login': 'console.audit.action.staffLogin',
  'staff.logout': 'console.audit.action.staffLogout',
  'portal.settings.update': 'console.audit.action.settingsUpdate',
  'payment_infrastructure.update': 'console.audit.action.paymentUpdate',
  'clinic.profile.update': 'console.audit.action.profileUpdate',
  'staff.update': 'console.audit.action.staffUpdate',
  'staff.password_change': 'console.audit.action.passwordChange',
  'staff.sessions_end': 'console.audit.action.sessionsEnd',
  'patient.create': 'console.audit.action.patientCreate',
  'patient.update': 'console.audit.action.patientUpdate',
  'patient.portal_permissions.update': 'console.audit.action.patientPermissionsUpdate',
  'api_key.create': 'console.audit.act.api_key.create',
  'api_key.revoke': 'console.audit.act.api_key.revoke',
  'appointment.cancel': 'console.audit.act.appointment.cancel',
  'appointment.create': 'console.audit.act.appointment.create',
  'appointment.update': 'console.audit.act.appointment.update',
  'appointment_type.create': 'console.audit.act.appointment_type.create',
  'appointment_type.update': 'console.audit.act.appointment_type.update',
  'booking_rules.update': 'console.audit.act.booking_rules.update',
  'clinic.security': 'console.audit.act.clinic.security',
  'delivery.retry': 'console.audit.act.delivery.retry',
  'document.create': 'console.audit.act.document.create',
  'document.delete': 'console.audit.act.document.delete',
  'document.review': 'console.audit.act.document.review',
  'document.update': 'console.audit.act.document.update',
  'document.upload': 'console.audit.act.document.upload',
  'form.assign': 'console.audit.act.form.assign',
  'form.create': 'console.audit.act.form.create',
  'form.publish': 'console.audit.act.form.publish',
  'form.submit': 'console.audit.act.form.submit',
  'form.unassign': 'console.audit.act.form.unassign',
  'form.update': 'console.audit.act.form.update',
  'form_submission.review': 'console.audit.act.form_submission.review',
  'invoice.create': 'console.audit.act.invoice.create',
  'invoice.void': 'console.audit.act.invoice.void',
  'message.auto_replies.update': 'console.audit.act.message.auto_replies.update',
  'message.reply': 'console.audit.act.message.reply',
  'message.thread.create': 'console.audit.act.message.thread.create',
  'message.thread.update': 'console.audit.act.message.thread.update',
  'patient.contact_change': 'console.audit.act.patient.contact_change',
  'patient.contact_change.request': 'console.audit.act.patient.contact_change.request',
  'patient.invite': 'console.audit.act.patient.invite',
  'patient.login': 'console.audit.act.patient.login',
  'patient.logout': 'console.audit.act.patient.logout',
  'patient.photo.delete': 'console.audit.act.patient.photo.delete',
  'patient.photo.update': 'console.audit.act.patient.photo.update',
  'patient.profile.update': 'console.audit.act.patient.profile.update',
  'payment.callback_rejected': 'console.audit.act.payment.callback_rejected',
  'payment.create': 'console.audit.act.payment.create',
  'payment.refund': 'console.audit.act.payment.refund',
  'payment.start': 'console.audit.act.payment.start',
  'practitioner.create': 'console.audit.act.practitioner.create',
  'practitioner.update': 'console.audit.act.practitioner.update',
  'practitioner.working_hours.update': 'console.audit.act.practitioner.working_hours.update',
  'staff.invite': 'console.audit.act.staff.invite',
  'staff.password_first': 'console.audit.act.staff.password_first',
  'staff.password_reset': 'console.audit.act.staff.password_reset',
  'staff.totp_disable': 'console.audit.act.staff.totp_disable',
  'staff.totp_enable': 'console.audit.act.staff.totp_enable',
  'staff.totp_reset': 'console.audit.act.staff.totp_reset',
  'template.create': 'console.audit.act.template.create',
  'template.delete': 'console.audit.act.template.delete',
  'template.update': 'console.audit.act.template.update',
  'time_off.create': 'console.audit.act.time_off.create',
  'time_off.delete': 'console.audit.act.time_off.delete',
  'treatment_plan.create': 'console.audit.act.treatment_plan.create',
  'treatment_plan.update': 'console.audit.act.treatment_plan.update',
  'treatment_record.create': 'console.audit.act.treatment_record.create',
  'treatment_record.update': 'console.audit.act.treatment_record.update',
});

/**
 * What an audit entry changed: [{field, before, after}] for top-level fields that differ
 * (arrays compared as sets and reported as {added, removed}).
 */
export function auditChanges(before, after) {
  const b = before && typeof before === 'object' ? before : {};
  const a = after && typeof after === 'object' ? after : {};
  const out = [];
  for (const field of [...new Set([...Object.keys(b), ...Object.keys(a)])]) {
    const x = b[field];
    const y = a[field];
    if (Array.isArray(x) || Array.isArray(y)) {
      const xs = Array.isArray(x) ? x : [];
      const ys = Array.isArray(y) ? y : [];
      const added = ys.filter((v) => !xs.includes(v));
      const removed = xs.filter((v) => !ys.includes(v));
      if (added.length || removed.length) out.push({ field, added, removed });
    } else if (JSON.stringify(x ?? null) !== JSON.stringify(y ?? null)) {
      out.push({ field, before: x ?? null, after: y ?? null });
    }
  }
  return out;
}

/** Names of the fields audit entries record, by field. */
export const AUDIT_FIELD_KEYS = Object.freeze({
  enabled: 'console.audit.field.enabled',
  code: 'console.audit.field.code',
  permissions: 'console.audit.field.permissions',
  sms_template_id: 'console.audit.field.smsTemplate',
  email_template_id: 'console.audit.field.emailTemplate',
  upload_reviewer_id: 'console.audit.field.uploadReviewer',
  provider: 'console.audit.field.provider',
  active: 'console.audit.field.active',
  first_name: 'console.patient.field.firstName',
  last_name: 'console.patient.field.lastName',
  phone: 'console.patient.field.phone',
  email: 'console.patient.field.email',
  language: 'console.patient.field.language',
  portal_access: 'console.patient.field.portalAccess',
  mode: 'console.audit.field.mode',
  name: 'console.profile.field.name',
  address: 'console.profile.field.address',
  languages: 'console.profile.field.languages',
  default_language: 'console.profile.field.default_language',
  country: 'console.profile.field.country',
  time_zone: 'console.profile.field.time_zone',
  currency: 'console.profile.field.currency',
  invoice_prefix: 'console.profile.field.invoice_prefix',
  public_url: 'console.profile.field.public_url',
  role: 'console.staff.col.role',
  effective: 'console.audit.field.effective',
});

/**
 * Whether the settings have a reviewer of patient uploads who can review: the chosen
 * member is active. Without the staff list (it failed to load), a chosen id counts.
 */
export function reviewerActive(reviewerId, staff) {
  if (!reviewerId) return false;
  if (!Array.isArray(staff)) return true;
  return staff.some((m) => m.id === reviewerId && m.active);
}
