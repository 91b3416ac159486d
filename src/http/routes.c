/*
 * routes.c - every route of the API, in one table.
 *
 * The OpenAPI document (openapi/openapi.json) describes exactly these
 * method + pattern pairs; a test compares the two sets.
 */
#include "config.h"

#include "routes.h"

/*
 * One row per route: method, pattern, handler; side (PUBLIC, PORTAL,
 * CLINIC, PATIENT, CALLBACK); the least role on the clinic side (STAFF,
 * ADMIN, OWNER); the permission key on the patient side (NO_PERM: the
 * session alone); READ or WRITE; the body (NONE, JSON, BINARY); flags
 * (SESSION_ONLY: no API key). See router.h.
 */
#define GET "GET"
#define POST "POST"
#define PUT "PUT"
#define PATCH "PATCH"
#define DELETE "DELETE"
#define NO_PERM ROUTE_NO_PERM
#define SESSION_ONLY ROUTE_SESSION_ONLY
#define ENROL_OK ROUTE_ENROL_OK
#define R(method, pattern, handler, side, least, perm, kind, body, flags) \
	{ method, pattern, handler, SIDE_##side, LEAST_##least, perm, \
	  ROUTE_##kind, BODY_##body, flags, NULL, NULL, NULL }
/* A read whose data goes ahead with the session's statement (router.h). */
#define RA(method, pattern, handler, ahead, side, least, perm, kind, body, \
    flags) \
	{ method, pattern, handler, SIDE_##side, LEAST_##least, perm, \
	  ROUTE_##kind, BODY_##body, flags, ahead, NULL, NULL }
/* A write that calls out: the handler, then call_out with no transaction
 * open, then record in a second transaction (router.h). */
#define RO(method, pattern, handler, call_out, record, side, least, perm, \
    body, flags) \
	{ method, pattern, handler, SIDE_##side, LEAST_##least, perm, \
	  ROUTE_WRITE, BODY_##body, flags, NULL, call_out, record }

const struct route routes[] = {
	R(GET, "/api/v1/health", handle_health, PUBLIC, STAFF, NO_PERM, READ, NONE, 0),
	R(GET, "/api/v1/openapi.json", handle_openapi, PUBLIC, STAFF, NO_PERM, READ, NONE, 0),

	R(POST, "/api/v1/clinic/auth/login", handle_staff_login, PUBLIC, STAFF, NO_PERM, WRITE, JSON, 0),
	R(POST, "/api/v1/clinic/auth/login/totp", handle_staff_login_totp, PUBLIC, STAFF, NO_PERM, WRITE, JSON, 0),
	R(POST, "/api/v1/clinic/auth/select", handle_staff_select, PUBLIC, STAFF, NO_PERM, WRITE, JSON, 0),
	R(POST, "/api/v1/clinic/auth/password-reset", handle_password_reset, PUBLIC, STAFF, NO_PERM, WRITE, JSON, 0),
	R(POST, "/api/v1/clinic/auth/password-reset/finish", handle_password_reset_finish, PUBLIC, STAFF, NO_PERM, WRITE, JSON, 0),
	R(POST, "/api/v1/clinic/auth/logout", handle_staff_logout, CLINIC, STAFF, NO_PERM, WRITE, NONE, SESSION_ONLY | ENROL_OK),
	R(GET, "/api/v1/clinic/me", handle_staff_me, CLINIC, STAFF, NO_PERM, READ, NONE, ENROL_OK),
	R(GET, "/api/v1/clinic/me/totp", handle_me_totp_get, CLINIC, STAFF, NO_PERM, READ, NONE, SESSION_ONLY | ENROL_OK),
	R(POST, "/api/v1/clinic/me/totp", handle_me_totp_begin, CLINIC, STAFF, NO_PERM, WRITE, NONE, SESSION_ONLY | ENROL_OK),
	R(DELETE, "/api/v1/clinic/me/totp", handle_me_totp_delete, CLINIC, STAFF, NO_PERM, WRITE, JSON, SESSION_ONLY),
	R(POST, "/api/v1/clinic/me/totp/confirm", handle_me_totp_confirm, CLINIC, STAFF, NO_PERM, WRITE, JSON, SESSION_ONLY | ENROL_OK),
	R(POST, "/api/v1/clinic/me/password", handle_me_password, CLINIC, STAFF, NO_PERM, WRITE, JSON, SESSION_ONLY),
	R(GET, "/api/v1/clinic/me/sessions", handle_me_sessions, CLINIC, STAFF, NO_PERM, READ, NONE, SESSION_ONLY),
	R(DELETE, "/api/v1/clinic/me/sessions", handle_me_sessions_end, CLINIC, STAFF, NO_PERM, WRITE, NONE, SESSION_ONLY),
	R(GET, "/api/v1/clinic/modules", handle_modules, CLINIC, STAFF, NO_PERM, READ, NONE, 0),
	RA(GET, "/api/v1/clinic/profile", handle_clinic_profile_get, ahead_clinic_profile_get, CLINIC, STAFF, NO_PERM, READ, NONE, 0),
	R(PUT, "/api/v1/clinic/profile", handle_clinic_profile_put, CLINIC, ADMIN, NO_PERM, WRITE, JSON, 0),
	R(GET, "/api/v1/clinic/payment-infrastructure", handle_payment_infra_get, CLINIC, STAFF, NO_PERM, READ, NONE, 0),
	R(PUT, "/api/v1/clinic/payment-infrastructure", handle_payment_infra_put, CLINIC, OWNER, NO_PERM, WRITE, JSON, 0),
	/* Calls the provider with no transaction open (router.h). */
	RO(POST, "/api/v1/clinic/payment-infrastructure/test", handle_payment_infra_test, payment_test_call, payment_test_answered, CLINIC, OWNER, NO_PERM, NONE, 0),
	R(GET, "/api/v1/clinic/portal/permissions", handle_permission_catalog, CLINIC, STAFF, NO_PERM, READ, NONE, 0),
	R(GET, "/api/v1/clinic/portal/presets", handle_presets, CLINIC, STAFF, NO_PERM, READ, NONE, 0),
	R(GET, "/api/v1/clinic/portal/code-check", handle_code_check, CLINIC, STAFF, NO_PERM, READ, NONE, 0),
	R(GET, "/api/v1/clinic/portal/settings", handle_settings_get, CLINIC, STAFF, NO_PERM, READ, NONE, 0),
	R(PUT, "/api/v1/clinic/portal/settings", handle_settings_put, CLINIC, ADMIN, NO_PERM, WRITE, JSON, 0),
	R(GET, "/api/v1/clinic/portal/status", handle_portal_status, CLINIC, STAFF, NO_PERM, READ, NONE, 0),
	R(GET, "/api/v1/clinic/audit", handle_audit_list, CLINIC, ADMIN, NO_PERM, READ, NONE, 0),
	R(GET, "/api/v1/clinic/staff", handle_staff_list, CLINIC, STAFF, NO_PERM, READ, NONE, SESSION_ONLY),
	R(POST, "/api/v1/clinic/staff", handle_staff_invite, CLINIC, ADMIN, NO_PERM, WRITE, JSON, SESSION_ONLY),
	R(PATCH, "/api/v1/clinic/staff/{id}", handle_staff_patch, CLINIC, ADMIN, NO_PERM, WRITE, JSON, SESSION_ONLY),
	R(DELETE, "/api/v1/clinic/staff/{id}/totp", handle_staff_totp_reset, CLINIC, OWNER, NO_PERM, WRITE, NONE, SESSION_ONLY),
	R(GET, "/api/v1/clinic/security", handle_security_get, CLINIC, STAFF, NO_PERM, READ, NONE, SESSION_ONLY),
	R(PUT, "/api/v1/clinic/security", handle_security_put, CLINIC, OWNER, NO_PERM, WRITE, JSON, SESSION_ONLY),
	R(GET, "/api/v1/clinic/api-keys", handle_api_keys_list, CLINIC, ADMIN, NO_PERM, READ, NONE, SESSION_ONLY),
	R(POST, "/api/v1/clinic/api-keys", handle_api_key_create, CLINIC, ADMIN, NO_PERM, WRITE, JSON, SESSION_ONLY),
	R(DELETE, "/api/v1/clinic/api-keys/{id}", handle_api_key_revoke, CLINIC, ADMIN, NO_PERM, WRITE, NONE, SESSION_ONLY),
	R(GET, "/api/v1/clinic/templates", handle_templates_list, CLINIC, STAFF, NO_PERM, READ, NONE, 0),
	R(POST, "/api/v1/clinic/templates", handle_template_create, CLINIC, ADMIN, NO_PERM, WRITE, JSON, 0),
	R(GET, "/api/v1/clinic/templates/purposes", handle_template_purposes, CLINIC, STAFF, NO_PERM, READ, NONE, 0),
	/* Renders without saving: nothing is recorded, but a POST is a write. */
	R(POST, "/api/v1/clinic/templates/preview", handle_template_preview, CLINIC, STAFF, NO_PERM, WRITE, JSON, 0),
	R(GET, "/api/v1/clinic/templates/sms-measure", handle_sms_measure, CLINIC, STAFF, NO_PERM, READ, NONE, 0),
	R(GET, "/api/v1/clinic/templates/{id}", handle_template_get, CLINIC, STAFF, NO_PERM, READ, NONE, 0),
	R(PUT, "/api/v1/clinic/templates/{id}", handle_template_put, CLINIC, ADMIN, NO_PERM, WRITE, JSON, 0),
	R(DELETE, "/api/v1/clinic/templates/{id}", handle_template_delete, CLINIC, ADMIN, NO_PERM, WRITE, NONE, 0),
	R(GET, "/api/v1/clinic/patients", handle_patients_list, CLINIC, STAFF, NO_PERM, READ, NONE, 0),
	R(POST, "/api/v1/clinic/patients", handle_patient_create, CLINIC, STAFF, NO_PERM, WRITE, JSON, 0),
	R(GET, "/api/v1/clinic/patients/{id}", handle_patient_get, CLINIC, STAFF, NO_PERM, READ, NONE, 0),
	R(PATCH, "/api/v1/clinic/patients/{id}", handle_patient_patch, CLINIC, STAFF, NO_PERM, WRITE, JSON, 0),
	R(GET, "/api/v1/clinic/patients/{id}/photo", handle_patient_photo, CLINIC, STAFF, NO_PERM, READ, NONE, 0),
	R(GET, "/api/v1/clinic/patients/{id}/portal-permissions", handle_patient_perms_get, CLINIC, STAFF, NO_PERM, READ, NONE, 0),
	R(PUT, "/api/v1/clinic/patients/{id}/portal-permissions", handle_patient_perms_put, CLINIC, ADMIN, NO_PERM, WRITE, JSON, 0),
	R(GET, "/api/v1/clinic/patients/{id}/portal-access", handle_patient_access, CLINIC, STAFF, NO_PERM, READ, NONE, 0),
	R(GET, "/api/v1/clinic/patients/{id}/invitations", handle_patient_invitations, CLINIC, STAFF, NO_PERM, READ, NONE, 0),
	R(POST, "/api/v1/clinic/patients/{id}/invitations", handle_patient_invite, CLINIC, STAFF, NO_PERM, WRITE, JSON, 0),
	R(POST, "/api/v1/clinic/invitations", handle_invitations_bulk, CLINIC, STAFF, NO_PERM, WRITE, JSON, 0),
	R(GET, "/api/v1/clinic/deliveries", handle_deliveries_list, CLINIC, STAFF, NO_PERM, READ, NONE, 0),
	R(GET, "/api/v1/clinic/deliveries/{id}", handle_delivery_get, CLINIC, STAFF, NO_PERM, READ, NONE, 0),
	R(POST, "/api/v1/clinic/deliveries/{id}/retry", handle_delivery_retry, CLINIC, STAFF, NO_PERM, WRITE, NONE, 0),
	R(GET, "/api/v1/clinic/practitioners", handle_practitioners_list, CLINIC, STAFF, NO_PERM, READ, NONE, 0),
	R(POST, "/api/v1/clinic/practitioners", handle_practitioner_create, CLINIC, ADMIN, NO_PERM, WRITE, JSON, 0),
	R(PATCH, "/api/v1/clinic/practitioners/{id}", handle_practitioner_patch, CLINIC, ADMIN, NO_PERM, WRITE, JSON, 0),
	R(GET, "/api/v1/clinic/practitioners/{id}/working-hours", handle_hours_get, CLINIC, STAFF, NO_PERM, READ, NONE, 0),
	R(PUT, "/api/v1/clinic/practitioners/{id}/working-hours", handle_hours_put, CLINIC, ADMIN, NO_PERM, WRITE, JSON, 0),
	R(GET, "/api/v1/clinic/appointment-types", handle_types_list, CLINIC, STAFF, NO_PERM, READ, NONE, 0),
	R(POST, "/api/v1/clinic/appointment-types", handle_type_create, CLINIC, ADMIN, NO_PERM, WRITE, JSON, 0),
	R(PATCH, "/api/v1/clinic/appointment-types/{id}", handle_type_patch, CLINIC, ADMIN, NO_PERM, WRITE, JSON, 0),
	R(GET, "/api/v1/clinic/time-off", handle_time_off_list, CLINIC, STAFF, NO_PERM, READ, NONE, 0),
	R(POST, "/api/v1/clinic/time-off", handle_time_off_create, CLINIC, STAFF, NO_PERM, WRITE, JSON, 0),
	R(DELETE, "/api/v1/clinic/time-off/{id}", handle_time_off_delete, CLINIC, STAFF, NO_PERM, WRITE, NONE, 0),
	R(GET, "/api/v1/clinic/booking-rules", handle_rules_get, CLINIC, STAFF, NO_PERM, READ, NONE, 0),
	R(PUT, "/api/v1/clinic/booking-rules", handle_rules_put, CLINIC, ADMIN, NO_PERM, WRITE, JSON, 0),
	R(GET, "/api/v1/clinic/appointments", handle_clinic_appts_list, CLINIC, STAFF, NO_PERM, READ, NONE, 0),
	R(POST, "/api/v1/clinic/appointments", handle_clinic_appt_create, CLINIC, STAFF, NO_PERM, WRITE, JSON, 0),
	R(PATCH, "/api/v1/clinic/appointments/{id}", handle_clinic_appt_patch, CLINIC, STAFF, NO_PERM, WRITE, JSON, 0),
	R(POST, "/api/v1/clinic/appointments/{id}/cancel", handle_clinic_appt_cancel, CLINIC, STAFF, NO_PERM, WRITE, NONE, 0),
	R(GET, "/api/v1/clinic/patients/{id}/treatment-plans", handle_treatment_plans_list, CLINIC, STAFF, NO_PERM, READ, NONE, 0),
	R(POST, "/api/v1/clinic/patients/{id}/treatment-plans", handle_treatment_plan_create, CLINIC, STAFF, NO_PERM, WRITE, JSON, 0),
	R(GET, "/api/v1/clinic/treatment-plans/{id}", handle_treatment_plan_get, CLINIC, STAFF, NO_PERM, READ, NONE, 0),
	R(PATCH, "/api/v1/clinic/treatment-plans/{id}", handle_treatment_plan_patch, CLINIC, STAFF, NO_PERM, WRITE, JSON, 0),
	R(GET, "/api/v1/clinic/patients/{id}/treatment-records", handle_treatment_records_list, CLINIC, STAFF, NO_PERM, READ, NONE, 0),
	R(POST, "/api/v1/clinic/patients/{id}/treatment-records", handle_treatment_record_create, CLINIC, STAFF, NO_PERM, WRITE, JSON, 0),
	R(PATCH, "/api/v1/clinic/treatment-records/{id}", handle_treatment_record_patch, CLINIC, STAFF, NO_PERM, WRITE, JSON, 0),
	R(GET, "/api/v1/clinic/invoices", handle_invoices_list, CLINIC, STAFF, NO_PERM, READ, NONE, 0),
	R(POST, "/api/v1/clinic/invoices", handle_invoice_create, CLINIC, STAFF, NO_PERM, WRITE, JSON, 0),
	R(GET, "/api/v1/clinic/invoices/{id}", handle_invoice_get, CLINIC, STAFF, NO_PERM, READ, NONE, 0),
	R(POST, "/api/v1/clinic/invoices/{id}/void", handle_invoice_void, CLINIC, STAFF, NO_PERM, WRITE, JSON, 0),
	R(GET, "/api/v1/clinic/payments", handle_payments_list, CLINIC, STAFF, NO_PERM, READ, NONE, 0),
	R(POST, "/api/v1/clinic/payments", handle_payment_create, CLINIC, STAFF, NO_PERM, WRITE, JSON, 0),
	R(GET, "/api/v1/clinic/payments/{id}", handle_payment_get, CLINIC, STAFF, NO_PERM, READ, NONE, 0),
	R(POST, "/api/v1/clinic/payments/{id}/refund", handle_payment_refund, CLINIC, STAFF, NO_PERM, WRITE, JSON, 0),
	R(GET, "/api/v1/clinic/patients/{id}/balance", handle_patient_balance, CLINIC, STAFF, NO_PERM, READ, NONE, 0),
	/* Documents and images (DESIGN.md section 13). The upload's body is the
	 * file: binary, up to max_upload_bytes. A file fetch records who opened
	 * it: a write. */
	R(POST, "/api/v1/clinic/patients/{id}/documents", handle_documents_upload, CLINIC, STAFF, NO_PERM, WRITE, BINARY, 0),
	R(GET, "/api/v1/clinic/patients/{id}/documents", handle_documents_list, CLINIC, STAFF, NO_PERM, READ, NONE, 0),
	R(GET, "/api/v1/clinic/documents/{id}", handle_document_get, CLINIC, STAFF, NO_PERM, READ, NONE, 0),
	R(PATCH, "/api/v1/clinic/documents/{id}", handle_document_patch, CLINIC, STAFF, NO_PERM, WRITE, JSON, 0),
	R(DELETE, "/api/v1/clinic/documents/{id}", handle_document_delete, CLINIC, STAFF, NO_PERM, WRITE, NONE, 0),
	R(GET, "/api/v1/clinic/documents/{id}/content", handle_document_content, CLINIC, STAFF, NO_PERM, WRITE, NONE, 0),
	R(GET, "/api/v1/clinic/documents/{id}/thumbnail", handle_document_thumbnail, CLINIC, STAFF, NO_PERM, READ, NONE, 0),
	R(GET, "/api/v1/clinic/documents/{id}/access", handle_document_access, CLINIC, STAFF, NO_PERM, READ, NONE, 0),
	R(POST, "/api/v1/clinic/documents/{id}/review", handle_document_review, CLINIC, STAFF, NO_PERM, WRITE, JSON, 0),
	R(GET, "/api/v1/clinic/document-reviews", handle_document_reviews, CLINIC, STAFF, NO_PERM, READ, NONE, 0),

	/* Messages (DESIGN.md section 14). Reading a thread marks its patient
	 * messages read: a write. The literal paths come before {id}. */
	RA(GET, "/api/v1/clinic/messages", handle_inbox, ahead_inbox, CLINIC, STAFF, NO_PERM, READ, NONE, 0),
	R(POST, "/api/v1/clinic/messages", handle_clinic_thread_create, CLINIC, STAFF, NO_PERM, WRITE, JSON, 0),
	RA(GET, "/api/v1/clinic/messages/unread-count", handle_unread_count, ahead_unread_count, CLINIC, STAFF, NO_PERM, READ, NONE, 0),
	R(GET, "/api/v1/clinic/messages/auto-replies", handle_auto_replies_get, CLINIC, ADMIN, NO_PERM, READ, NONE, 0),
	R(PUT, "/api/v1/clinic/messages/auto-replies", handle_auto_replies_put, CLINIC, ADMIN, NO_PERM, WRITE, JSON, 0),
	R(GET, "/api/v1/clinic/messages/{id}", handle_clinic_thread_get, CLINIC, STAFF, NO_PERM, WRITE, NONE, 0),
	R(POST, "/api/v1/clinic/messages/{id}", handle_clinic_message_reply, CLINIC, STAFF, NO_PERM, WRITE, JSON, 0),
	R(PATCH, "/api/v1/clinic/messages/{id}", handle_clinic_thread_patch, CLINIC, STAFF, NO_PERM, WRITE, JSON, 0),

	/* Forms, the clinic side (DESIGN.md section 15): staff read, owners
	 * and admins change forms and assignments, staff mark submissions
	 * reviewed. */
	R(GET, "/api/v1/clinic/forms", handle_forms_list, CLINIC, STAFF, NO_PERM, READ, NONE, 0),
	R(POST, "/api/v1/clinic/forms", handle_form_create, CLINIC, ADMIN, NO_PERM, WRITE, JSON, 0),
	R(GET, "/api/v1/clinic/form-starters", handle_form_starters, CLINIC, STAFF, NO_PERM, READ, NONE, 0),
	R(GET, "/api/v1/clinic/forms/{id}", handle_form_get, CLINIC, STAFF, NO_PERM, READ, NONE, 0),
	R(PUT, "/api/v1/clinic/forms/{id}", handle_form_put, CLINIC, ADMIN, NO_PERM, WRITE, JSON, 0),
	R(PATCH, "/api/v1/clinic/forms/{id}", handle_form_patch, CLINIC, ADMIN, NO_PERM, WRITE, JSON, 0),
	R(GET, "/api/v1/clinic/forms/{id}/versions/{n}", handle_form_version_get, CLINIC, STAFF, NO_PERM, READ, NONE, 0),
	R(GET, "/api/v1/clinic/forms/{id}/versions/{n}/questionnaire", handle_form_questionnaire, CLINIC, STAFF, NO_PERM, READ, NONE, 0),
	R(GET, "/api/v1/clinic/forms/{id}/assignments", handle_form_assignments, CLINIC, STAFF, NO_PERM, READ, NONE, 0),
	R(POST, "/api/v1/clinic/forms/{id}/assignments", handle_form_assign, CLINIC, ADMIN, NO_PERM, WRITE, JSON, 0),
	R(DELETE, "/api/v1/clinic/forms/{id}/assignments/{patient_id}", handle_form_unassign, CLINIC, ADMIN, NO_PERM, WRITE, NONE, 0),
	R(GET, "/api/v1/clinic/form-submissions", handle_form_submissions, CLINIC, STAFF, NO_PERM, READ, NONE, 0),
	R(GET, "/api/v1/clinic/form-submissions/{id}", handle_form_submission_get, CLINIC, STAFF, NO_PERM, READ, NONE, 0),
	R(POST, "/api/v1/clinic/form-submissions/{id}/review", handle_form_submission_review, CLINIC, STAFF, NO_PERM, WRITE, NONE, 0),

	RA(GET, "/api/v1/portal/{code}/", handle_public_card, ahead_public_card, PORTAL, STAFF, NO_PERM, READ, NONE, 0),
	R(POST, "/api/v1/portal/{code}/login/start", handle_patient_login_start, PORTAL, STAFF, NO_PERM, WRITE, JSON, 0),
	R(POST, "/api/v1/portal/{code}/login/verify", handle_patient_login_verify, PORTAL, STAFF, NO_PERM, WRITE, JSON, 0),
	R(POST, "/api/v1/portal/{code}/login/select", handle_patient_login_select, PORTAL, STAFF, NO_PERM, WRITE, JSON, 0),
	R(POST, "/api/v1/portal/{code}/logout", handle_patient_logout, PATIENT, STAFF, NO_PERM, WRITE, NONE, 0),
	R(GET, "/api/v1/portal/{code}/me", handle_patient_me, PATIENT, STAFF, NO_PERM, READ, NONE, 0),
	R(GET, "/api/v1/portal/{code}/profile", handle_profile_get, PATIENT, STAFF, PERM_VIEW_PROFILE, READ, NONE, 0),
	R(PATCH, "/api/v1/portal/{code}/profile", handle_profile_patch, PATIENT, STAFF, PERM_UPDATE_PROFILE, WRITE, JSON, 0),
	R(POST, "/api/v1/portal/{code}/profile/contact-change", handle_contact_change_start, PATIENT, STAFF, PERM_UPDATE_PROFILE, WRITE, JSON, 0),
	R(POST, "/api/v1/portal/{code}/profile/contact-change/verify", handle_contact_change_verify, PATIENT, STAFF, PERM_UPDATE_PROFILE, WRITE, JSON, 0),
	R(GET, "/api/v1/portal/{code}/profile/photo", handle_profile_photo_get, PATIENT, STAFF, PERM_VIEW_PROFILE, READ, NONE, 0),
	/* The body is the image: binary, up to max_upload_bytes. */
	R(PUT, "/api/v1/portal/{code}/profile/photo", handle_profile_photo_put, PATIENT, STAFF, PERM_UPLOAD_PHOTO, WRITE, BINARY, 0),
	R(DELETE, "/api/v1/portal/{code}/profile/photo", handle_profile_photo_delete, PATIENT, STAFF, PERM_UPLOAD_PHOTO, WRITE, NONE, 0),
	RA(GET, "/api/v1/portal/{code}/appointments", handle_portal_appts_list, ahead_portal_appts_list, PATIENT, STAFF, PERM_VIEW_APPOINTMENTS, READ, NONE, 0),
	R(POST, "/api/v1/portal/{code}/appointments", handle_portal_appt_book, PATIENT, STAFF, PERM_CREATE_APPOINTMENT, WRITE, JSON, 0),
	R(GET, "/api/v1/portal/{code}/appointments/booking-options", handle_portal_booking_options, PATIENT, STAFF, PERM_CREATE_APPOINTMENT, READ, NONE, 0),
	RA(GET, "/api/v1/portal/{code}/appointments/slots", handle_portal_slots, ahead_portal_slots, PATIENT, STAFF, PERM_CREATE_APPOINTMENT, READ, NONE, 0),
	R(GET, "/api/v1/portal/{code}/appointments/{id}", handle_portal_appt_get, PATIENT, STAFF, PERM_VIEW_APPOINTMENTS, READ, NONE, 0),
	R(GET, "/api/v1/portal/{code}/appointments/{id}/ics", handle_portal_appt_ics, PATIENT, STAFF, PERM_VIEW_APPOINTMENTS, READ, NONE, 0),
	R(POST, "/api/v1/portal/{code}/appointments/{id}/cancel", handle_portal_appt_cancel, PATIENT, STAFF, PERM_CANCEL_APPOINTMENT, WRITE, NONE, 0),
	RA(GET, "/api/v1/portal/{code}/treatments", handle_portal_treatments, ahead_portal_treatments, PATIENT, STAFF, PERM_VIEW_TREATMENTS, READ, NONE, 0),
	RA(GET, "/api/v1/portal/{code}/balance", handle_portal_balance, ahead_portal_balance, PATIENT, STAFF, PERM_VIEW_BALANCE, READ, NONE, 0),
	RA(GET, "/api/v1/portal/{code}/invoices", handle_portal_invoices, ahead_portal_invoices, PATIENT, STAFF, PERM_VIEW_INVOICES, READ, NONE, 0),
	R(GET, "/api/v1/portal/{code}/invoices/{id}", handle_portal_invoice_get, PATIENT, STAFF, PERM_VIEW_INVOICES, READ, NONE, 0),
	R(GET, "/api/v1/portal/{code}/payments", handle_portal_payments, PATIENT, STAFF, PERM_VIEW_PAYMENTS, READ, NONE, 0),
	/* Idempotency-Key; calls the provider with no transaction open. */
	RO(POST, "/api/v1/portal/{code}/payments", handle_portal_payment_create, pay_checkout_call, pay_checkout_record, PATIENT, STAFF, PERM_MAKE_PAYMENT, JSON, 0),
	R(GET, "/api/v1/portal/{code}/payments/{id}", handle_portal_payment_get, PATIENT, STAFF, PERM_VIEW_PAYMENTS, READ, NONE, 0),
	RA(GET, "/api/v1/portal/{code}/documents", handle_portal_documents, ahead_portal_documents, PATIENT, STAFF, PERM_VIEW_DOCUMENTS, READ, NONE, 0),
	/* The body is the file: binary, up to max_upload_bytes. */
	R(POST, "/api/v1/portal/{code}/documents", handle_portal_document_upload, PATIENT, STAFF, PERM_UPLOAD_DOCUMENTS, WRITE, BINARY, 0),
	R(GET, "/api/v1/portal/{code}/documents/{id}/view", handle_portal_document_view, PATIENT, STAFF, PERM_VIEW_DOCUMENTS, WRITE, NONE, 0),
	R(GET, "/api/v1/portal/{code}/documents/{id}/download", handle_portal_document_download, PATIENT, STAFF, PERM_DOWNLOAD_DOCUMENTS, WRITE, NONE, 0),
	R(GET, "/api/v1/portal/{code}/documents/{id}/access", handle_portal_document_access, PATIENT, STAFF, PERM_VIEW_DOCUMENTS, READ, NONE, 0),
	RA(GET, "/api/v1/portal/{code}/images", handle_portal_images, ahead_portal_images, PATIENT, STAFF, PERM_VIEW_IMAGES, READ, NONE, 0),
	R(GET, "/api/v1/portal/{code}/images/{id}/view", handle_portal_image_view, PATIENT, STAFF, PERM_VIEW_IMAGES, WRITE, NONE, 0),
	R(GET, "/api/v1/portal/{code}/images/{id}/thumbnail", handle_portal_image_thumbnail, PATIENT, STAFF, PERM_VIEW_IMAGES, READ, NONE, 0),

	RA(GET, "/api/v1/portal/{code}/messages", handle_portal_threads, ahead_portal_threads, PATIENT, STAFF, PERM_VIEW_MESSAGES, READ, NONE, 0),
	R(POST, "/api/v1/portal/{code}/messages", handle_portal_thread_create, PATIENT, STAFF, PERM_SEND_MESSAGE, WRITE, JSON, 0),
	/* Reading marks the clinic's messages read: a write. */
	R(GET, "/api/v1/portal/{code}/messages/{id}", handle_portal_thread_get, PATIENT, STAFF, PERM_VIEW_MESSAGES, WRITE, NONE, 0),
	R(POST, "/api/v1/portal/{code}/messages/{id}", handle_portal_message_reply, PATIENT, STAFF, PERM_SEND_MESSAGE, WRITE, JSON, 0),

	/* Forms (DESIGN.md section 15), the patient's side. */
	RA(GET, "/api/v1/portal/{code}/forms", handle_portal_forms, ahead_portal_forms, PATIENT, STAFF, PERM_VIEW_FORMS, READ, NONE, 0),
	RA(GET, "/api/v1/portal/{code}/forms/{id}", handle_portal_form_get, ahead_portal_form_get, PATIENT, STAFF, PERM_VIEW_FORMS, READ, NONE, 0),
	R(PUT, "/api/v1/portal/{code}/forms/{id}/draft", handle_portal_form_draft_put, PATIENT, STAFF, PERM_SUBMIT_FORMS, WRITE, JSON, 0),
	R(DELETE, "/api/v1/portal/{code}/forms/{id}/draft", handle_portal_form_draft_delete, PATIENT, STAFF, PERM_SUBMIT_FORMS, WRITE, NONE, 0),
	R(POST, "/api/v1/portal/{code}/forms/{id}/submissions", handle_portal_form_submit, PATIENT, STAFF, PERM_SUBMIT_FORMS, WRITE, JSON, 0),

	/* The provider's word on a payment: its signature is the handler's to
	 * check; PayTR sends a form, so the body is taken as bytes. */
	R(POST, "/api/v1/payments/callback/{provider}", handle_payment_callback, CALLBACK, STAFF, NO_PERM, WRITE, BINARY, 0),
};

const size_t routes_count = sizeof(routes) / sizeof(routes[0]);
