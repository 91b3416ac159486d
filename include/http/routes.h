/*
 * routes.h - the route table of the API and the handlers it names.
 */
#ifndef PORTAL_ROUTES_H
#define PORTAL_ROUTES_H

#include <stdbool.h>
#include <stddef.h>

#include "http.h"
#include "permissions.h"
#include "router.h"
#include "valid.h"

extern const struct route routes[];
extern const size_t routes_count;

struct request;

/* src/http/system.c */
void handle_health(struct request *req);
void handle_openapi(struct request *req);

/* src/http/auth.c */
struct conf;
/* A worker's sign-in state (the dummy password hash): made at start, freed
 * at exit. */
void auth_init(const struct conf *conf);
void auth_shutdown(void);
const char *auth_role_name(enum staff_role role);
void handle_staff_login(struct request *req);
void handle_staff_select(struct request *req);
void handle_staff_login_totp(struct request *req);
void handle_password_reset(struct request *req);
void handle_password_reset_finish(struct request *req);
void handle_me_totp_get(struct request *req);
void handle_me_totp_begin(struct request *req);
void handle_me_totp_confirm(struct request *req);
void handle_me_totp_delete(struct request *req);
void handle_staff_invite(struct request *req);
void handle_staff_totp_reset(struct request *req);
void handle_security_get(struct request *req);
void handle_security_put(struct request *req);
void handle_me_password(struct request *req);
void handle_me_sessions(struct request *req);
void handle_me_sessions_end(struct request *req);
void handle_staff_logout(struct request *req);
void handle_staff_me(struct request *req);
struct json_object;
struct problem_list;
/* The string member key of obj, 1 to max bytes; NULL after adding a
 * problem to pl. */
const char *body_string_field(struct json_object *obj, const char *key,
    size_t max, struct problem_list *pl);

/* src/http/portal_auth.c: the patient side's sign-in. */
void handle_patient_login_start(struct request *req);
void handle_patient_login_verify(struct request *req);
void handle_patient_login_select(struct request *req);
void handle_patient_logout(struct request *req);
void handle_patient_me(struct request *req);

/* src/http/invitations_api.c */
void handle_patient_invite(struct request *req);
void handle_patient_invitations(struct request *req);
void handle_invitations_bulk(struct request *req);
void handle_deliveries_list(struct request *req);
void handle_delivery_get(struct request *req);
void handle_delivery_retry(struct request *req);

/* src/http/audit_api.c */
/* Legacy ?limit= reader (1-100, default 50; false after answering 422) of
 * the routes not yet on the pipeline, which use q_page(); goes with the
 * last of them. */
void handle_audit_list(struct request *req);

/* src/http/settings_api.c */
struct json_object;
/* The keys of set, in catalog order, as a JSON array. */
struct json_object *perm_set_json(perm_set set);
/* Member key of o, a list of permission keys (at most 100; duplicates
 * ignored), into *set; one problem naming key for a list that is not one
 * or holds an unknown key. As valid.h's readers: V_ABSENT, V_NULL (with
 * V_NULLABLE), V_SET or V_BAD. */
enum v_got perm_set_read(struct vobj *o, const char *key, unsigned flags,
    perm_set *set);
void handle_modules(struct request *req);
void handle_payment_infra_get(struct request *req);
void handle_payment_infra_put(struct request *req);
void handle_payment_infra_test(struct request *req);
void payment_test_call(struct request *req);
void payment_test_answered(struct request *req);
/* staff_api.c */
void handle_staff_list(struct request *req);
void handle_staff_patch(struct request *req);
/* clinic_api.c */
void ahead_clinic_profile_get(struct request *req);
void handle_clinic_profile_get(struct request *req);
void handle_clinic_profile_put(struct request *req);
void handle_permission_catalog(struct request *req);
void handle_presets(struct request *req);
void handle_code_check(struct request *req);
void handle_settings_get(struct request *req);
void handle_settings_put(struct request *req);
void handle_public_card(struct request *req);
void ahead_public_card(struct request *req);
struct portal_warning;
struct json_object *portal_warnings_json(const struct portal_warning *w,
    size_t n);

/* src/http/apikeys_api.c */
/* A key's scopes (SCOPE_* bits) as ["read", "write", "admin"], in that
 * order; NULL when out of memory. */
struct json_object *api_key_scopes_json(unsigned scopes);
void handle_api_keys_list(struct request *req);
void handle_api_key_create(struct request *req);
void handle_api_key_revoke(struct request *req);

/* src/http/templates_api.c */
void handle_templates_list(struct request *req);
void handle_template_get(struct request *req);
void handle_template_create(struct request *req);
void handle_template_put(struct request *req);
void handle_template_delete(struct request *req);
void handle_sms_measure(struct request *req);
void handle_template_purposes(struct request *req);
void handle_template_preview(struct request *req);

/* src/http/patients_api.c */
void handle_patients_list(struct request *req);
void handle_patient_create(struct request *req);
void handle_patient_get(struct request *req);
void handle_patient_patch(struct request *req);
void handle_patient_perms_get(struct request *req);
void handle_patient_perms_put(struct request *req);
void handle_patient_access(struct request *req);
void handle_portal_status(struct request *req);

/* src/http/profile_api.c: the patient's profile and photo, and the
 * clinic's view of a patient's photo. */
struct db_patient;
struct vobj;
/* Reads the fields a patient keeps current from o into p, by the one
 * validation module (valid.h): address (multi-line; null or blank clears
 * it), emergency_contact ({name, phone} or null; the clinic's country reads
 * national numbers), communication ({sms?, email?}; sms true refused when
 * p->phone takes no SMS). Absent fields are left as they are; problems are
 * gathered for v_ok(). Both sides use it; own, the patient's own phone
 * number (the portal side) or NULL, picks the country of a phone
 * problem's example (v_phone_problem()). */
void profile_read(struct vobj *o, const char *country, const char *own,
    struct db_patient *p);
/* {name, phone} or NULL (for JSON null); {sms, email}. */
struct json_object *profile_emergency_json(const struct db_patient *p);
struct json_object *profile_communication_json(const struct db_patient *p);
/* Answers the patient's photo through nginx (X-Accel-Redirect), or 404
 * not_found when they have none. */
void profile_send_photo(struct request *req, const char *clinic_id,
    const struct db_patient *p);
void handle_profile_get(struct request *req);
void handle_profile_patch(struct request *req);
void handle_contact_change_start(struct request *req);
void handle_contact_change_verify(struct request *req);
void handle_profile_photo_get(struct request *req);
void handle_profile_photo_put(struct request *req);
void handle_profile_photo_delete(struct request *req);
void handle_patient_photo(struct request *req);

/* src/http/treatments_api.c */
void handle_treatment_plans_list(struct request *req);
void handle_treatment_plan_create(struct request *req);
void handle_treatment_plan_get(struct request *req);
void handle_treatment_plan_patch(struct request *req);
void handle_treatment_records_list(struct request *req);
void handle_treatment_record_create(struct request *req);
void handle_treatment_record_patch(struct request *req);
void handle_portal_treatments(struct request *req);
void ahead_portal_treatments(struct request *req);

/* src/http/finance_api.c */
void handle_invoices_list(struct request *req);
void handle_invoice_create(struct request *req);
void handle_invoice_get(struct request *req);
void handle_invoice_void(struct request *req);
void handle_payments_list(struct request *req);
void handle_payment_create(struct request *req);
void handle_payment_get(struct request *req);
void handle_payment_refund(struct request *req);
void handle_patient_balance(struct request *req);
void handle_portal_balance(struct request *req);
void ahead_portal_balance(struct request *req);
void handle_portal_invoices(struct request *req);
void ahead_portal_invoices(struct request *req);
void handle_portal_invoice_get(struct request *req);
void handle_portal_payments(struct request *req);
void handle_portal_payment_get(struct request *req);

/* src/http/messages_api.c */
void handle_portal_threads(struct request *req);
void ahead_portal_threads(struct request *req);
void handle_portal_thread_get(struct request *req);
void handle_portal_thread_create(struct request *req);
void handle_portal_message_reply(struct request *req);
void handle_inbox(struct request *req);
void ahead_inbox(struct request *req);
void handle_unread_count(struct request *req);
void ahead_unread_count(struct request *req);
void handle_clinic_thread_get(struct request *req);
void handle_clinic_thread_create(struct request *req);
void handle_clinic_message_reply(struct request *req);
void handle_clinic_thread_patch(struct request *req);
void handle_auto_replies_get(struct request *req);
void handle_auto_replies_put(struct request *req);
/* forms_api.c: the clinic side of forms */
void handle_forms_list(struct request *req);
void handle_form_create(struct request *req);
void handle_form_starters(struct request *req);
void handle_form_get(struct request *req);
void handle_form_put(struct request *req);
void handle_form_patch(struct request *req);
void handle_form_version_get(struct request *req);
void handle_form_questionnaire(struct request *req);
void handle_form_assignments(struct request *req);
void handle_form_assign(struct request *req);
void handle_form_unassign(struct request *req);
void handle_form_submissions(struct request *req);
void handle_form_submission_get(struct request *req);
void handle_form_submission_review(struct request *req);

/* src/http/documents_api.c */
void handle_documents_upload(struct request *req);
void handle_documents_list(struct request *req);
void handle_document_get(struct request *req);
void handle_document_patch(struct request *req);
void handle_document_delete(struct request *req);
void handle_document_content(struct request *req);
void handle_document_thumbnail(struct request *req);
void handle_document_access(struct request *req);
void handle_document_review(struct request *req);
void handle_document_reviews(struct request *req);
void handle_portal_documents(struct request *req);
void ahead_portal_documents(struct request *req);
void handle_portal_document_upload(struct request *req);
void handle_portal_document_view(struct request *req);
void handle_portal_document_download(struct request *req);
void handle_portal_document_access(struct request *req);
void handle_portal_images(struct request *req);
void ahead_portal_images(struct request *req);
void handle_portal_image_view(struct request *req);
void handle_portal_image_thumbnail(struct request *req);

/* src/http/pay_api.c */
void handle_portal_payment_create(struct request *req);
void pay_checkout_call(struct request *req);
void pay_checkout_record(struct request *req);
void handle_payment_callback(struct request *req);

/* src/http/schedule_api.c */
void handle_practitioners_list(struct request *req);
void handle_practitioner_create(struct request *req);
void handle_practitioner_patch(struct request *req);
void handle_hours_get(struct request *req);
void handle_hours_put(struct request *req);
void handle_types_list(struct request *req);
void handle_type_create(struct request *req);
void handle_type_patch(struct request *req);
void handle_time_off_list(struct request *req);
void handle_time_off_create(struct request *req);
void handle_time_off_delete(struct request *req);
void handle_rules_get(struct request *req);
void handle_rules_put(struct request *req);

/* src/http/appointments_api.c */
void handle_clinic_appts_list(struct request *req);
void handle_clinic_appt_create(struct request *req);
void handle_clinic_appt_patch(struct request *req);
void handle_clinic_appt_cancel(struct request *req);
void handle_portal_appts_list(struct request *req);
void ahead_portal_slots(struct request *req);
void ahead_portal_appts_list(struct request *req);
void handle_portal_booking_options(struct request *req);
void handle_portal_slots(struct request *req);
void handle_portal_appt_get(struct request *req);
void handle_portal_appt_ics(struct request *req);
void handle_portal_appt_book(struct request *req);
void handle_portal_appt_cancel(struct request *req);

/* src/http/form_fill_api.c: forms, the patient's side. */
void handle_portal_forms(struct request *req);
void ahead_portal_forms(struct request *req);
void handle_portal_form_get(struct request *req);
void ahead_portal_form_get(struct request *req);
void handle_portal_form_draft_put(struct request *req);
void handle_portal_form_draft_delete(struct request *req);
void handle_portal_form_submit(struct request *req);

#endif
