/*
 * routes.c - every route of the API, in one table.
 *
 * The OpenAPI document (openapi/openapi.json) describes exactly these
 * method + pattern pairs; a test compares the two sets.
 */
#include "config.h"

#include "routes.h"

/* A route's last member, its body kind, is left out where it is the
 * default (BODY_JSON): only uploads name it. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

const struct route routes[] = {
	{ "GET", "/api/v1/health", handle_health, ACCESS_PUBLIC },
	{ "GET", "/api/v1/openapi.json", handle_openapi, ACCESS_PUBLIC },

	{ "POST", "/api/v1/clinic/auth/login", handle_staff_login, ACCESS_PUBLIC },
	{ "POST", "/api/v1/clinic/auth/logout", handle_staff_logout, ACCESS_CLINIC_READ },
	{ "GET", "/api/v1/clinic/me", handle_staff_me, ACCESS_CLINIC_READ },
	{ "GET", "/api/v1/clinic/modules", handle_modules, ACCESS_CLINIC_READ },
	{ "PUT", "/api/v1/clinic/payment-infrastructure", handle_payment_put, ACCESS_CLINIC_OWNER },
	{ "GET", "/api/v1/clinic/portal/permissions", handle_permission_catalog, ACCESS_CLINIC_READ },
	{ "GET", "/api/v1/clinic/portal/presets", handle_presets, ACCESS_CLINIC_READ },
	{ "GET", "/api/v1/clinic/portal/code-check", handle_code_check, ACCESS_CLINIC_READ },
	{ "GET", "/api/v1/clinic/portal/settings", handle_settings_get, ACCESS_CLINIC_READ },
	{ "PUT", "/api/v1/clinic/portal/settings", handle_settings_put, ACCESS_CLINIC_ADMIN },
	{ "GET", "/api/v1/clinic/portal/status", handle_portal_status, ACCESS_CLINIC_READ },
	{ "GET", "/api/v1/clinic/audit", handle_audit_list, ACCESS_CLINIC_ADMIN },
	{ "GET", "/api/v1/clinic/api-keys", handle_api_keys_list, ACCESS_CLINIC_ADMIN },
	{ "POST", "/api/v1/clinic/api-keys", handle_api_key_create, ACCESS_CLINIC_ADMIN },
	{ "DELETE", "/api/v1/clinic/api-keys/{id}", handle_api_key_revoke, ACCESS_CLINIC_ADMIN },
	{ "GET", "/api/v1/clinic/templates", handle_templates_list, ACCESS_CLINIC_READ },
	{ "POST", "/api/v1/clinic/templates", handle_template_create, ACCESS_CLINIC_ADMIN },
	{ "GET", "/api/v1/clinic/templates/sms-measure", handle_sms_measure, ACCESS_CLINIC_READ },
	{ "GET", "/api/v1/clinic/templates/{id}", handle_template_get, ACCESS_CLINIC_READ },
	{ "PUT", "/api/v1/clinic/templates/{id}", handle_template_put, ACCESS_CLINIC_ADMIN },
	{ "DELETE", "/api/v1/clinic/templates/{id}", handle_template_delete, ACCESS_CLINIC_ADMIN },
	{ "GET", "/api/v1/clinic/patients", handle_patients_list, ACCESS_CLINIC_READ },
	{ "POST", "/api/v1/clinic/patients", handle_patient_create, ACCESS_CLINIC_WRITE },
	{ "GET", "/api/v1/clinic/patients/{id}", handle_patient_get, ACCESS_CLINIC_READ },
	{ "PATCH", "/api/v1/clinic/patients/{id}", handle_patient_patch, ACCESS_CLINIC_WRITE },
	{ "GET", "/api/v1/clinic/patients/{id}/photo", handle_patient_photo, ACCESS_CLINIC_READ },
	{ "GET", "/api/v1/clinic/patients/{id}/portal-permissions", handle_patient_perms_get, ACCESS_CLINIC_READ },
	{ "PUT", "/api/v1/clinic/patients/{id}/portal-permissions", handle_patient_perms_put, ACCESS_CLINIC_ADMIN },
	{ "GET", "/api/v1/clinic/patients/{id}/portal-access", handle_patient_access, ACCESS_CLINIC_READ },
	{ "GET", "/api/v1/clinic/patients/{id}/invitations", handle_patient_invitations, ACCESS_CLINIC_READ },
	{ "POST", "/api/v1/clinic/patients/{id}/invitations", handle_patient_invite, ACCESS_CLINIC_WRITE },
	{ "POST", "/api/v1/clinic/invitations", handle_invitations_bulk, ACCESS_CLINIC_WRITE },
	{ "GET", "/api/v1/clinic/deliveries", handle_deliveries_list, ACCESS_CLINIC_READ },
	{ "GET", "/api/v1/clinic/deliveries/{id}", handle_delivery_get, ACCESS_CLINIC_READ },
	{ "POST", "/api/v1/clinic/deliveries/{id}/retry", handle_delivery_retry, ACCESS_CLINIC_WRITE },
	{ "GET", "/api/v1/clinic/practitioners", handle_practitioners_list, ACCESS_CLINIC_READ },
	{ "POST", "/api/v1/clinic/practitioners", handle_practitioner_create, ACCESS_CLINIC_ADMIN },
	{ "PATCH", "/api/v1/clinic/practitioners/{id}", handle_practitioner_patch, ACCESS_CLINIC_ADMIN },
	{ "GET", "/api/v1/clinic/practitioners/{id}/working-hours", handle_hours_get, ACCESS_CLINIC_READ },
	{ "PUT", "/api/v1/clinic/practitioners/{id}/working-hours", handle_hours_put, ACCESS_CLINIC_ADMIN },
	{ "GET", "/api/v1/clinic/appointment-types", handle_types_list, ACCESS_CLINIC_READ },
	{ "POST", "/api/v1/clinic/appointment-types", handle_type_create, ACCESS_CLINIC_ADMIN },
	{ "PATCH", "/api/v1/clinic/appointment-types/{id}", handle_type_patch, ACCESS_CLINIC_ADMIN },
	{ "GET", "/api/v1/clinic/time-off", handle_time_off_list, ACCESS_CLINIC_READ },
	{ "POST", "/api/v1/clinic/time-off", handle_time_off_create, ACCESS_CLINIC_WRITE },
	{ "DELETE", "/api/v1/clinic/time-off/{id}", handle_time_off_delete, ACCESS_CLINIC_WRITE },
	{ "GET", "/api/v1/clinic/booking-rules", handle_rules_get, ACCESS_CLINIC_READ },
	{ "PUT", "/api/v1/clinic/booking-rules", handle_rules_put, ACCESS_CLINIC_ADMIN },
	{ "GET", "/api/v1/clinic/appointments", handle_clinic_appts_list, ACCESS_CLINIC_READ },
	{ "POST", "/api/v1/clinic/appointments", handle_clinic_appt_create, ACCESS_CLINIC_WRITE },
	{ "PATCH", "/api/v1/clinic/appointments/{id}", handle_clinic_appt_patch, ACCESS_CLINIC_WRITE },
	{ "POST", "/api/v1/clinic/appointments/{id}/cancel", handle_clinic_appt_cancel, ACCESS_CLINIC_WRITE },
	{ "GET", "/api/v1/clinic/patients/{id}/treatment-plans", handle_treatment_plans_list, ACCESS_CLINIC_READ },
	{ "POST", "/api/v1/clinic/patients/{id}/treatment-plans", handle_treatment_plan_create, ACCESS_CLINIC_WRITE },
	{ "GET", "/api/v1/clinic/treatment-plans/{id}", handle_treatment_plan_get, ACCESS_CLINIC_READ },
	{ "PATCH", "/api/v1/clinic/treatment-plans/{id}", handle_treatment_plan_patch, ACCESS_CLINIC_WRITE },
	{ "GET", "/api/v1/clinic/patients/{id}/treatment-records", handle_treatment_records_list, ACCESS_CLINIC_READ },
	{ "POST", "/api/v1/clinic/patients/{id}/treatment-records", handle_treatment_record_create, ACCESS_CLINIC_WRITE },
	{ "PATCH", "/api/v1/clinic/treatment-records/{id}", handle_treatment_record_patch, ACCESS_CLINIC_WRITE },

	{ "GET", "/api/v1/portal/{code}/", handle_public_card, ACCESS_PUBLIC },
	{ "POST", "/api/v1/portal/{code}/login/start", handle_patient_login_start, ACCESS_PUBLIC },
	{ "POST", "/api/v1/portal/{code}/login/verify", handle_patient_login_verify, ACCESS_PUBLIC },
	{ "POST", "/api/v1/portal/{code}/login/select", handle_patient_login_select, ACCESS_PUBLIC },
	{ "POST", "/api/v1/portal/{code}/logout", handle_patient_logout, ACCESS_PATIENT },
	{ "GET", "/api/v1/portal/{code}/me", handle_patient_me, ACCESS_PATIENT },
	{ "GET", "/api/v1/portal/{code}/profile", handle_profile_get, ACCESS_PATIENT },
	{ "PATCH", "/api/v1/portal/{code}/profile", handle_profile_patch, ACCESS_PATIENT },
	{ "POST", "/api/v1/portal/{code}/profile/contact-change", handle_contact_change_start, ACCESS_PATIENT },
	{ "POST", "/api/v1/portal/{code}/profile/contact-change/verify", handle_contact_change_verify, ACCESS_PATIENT },
	{ "GET", "/api/v1/portal/{code}/profile/photo", handle_profile_photo_get, ACCESS_PATIENT },
	/* The body is the image: binary, up to max_upload_bytes. */
	{ "PUT", "/api/v1/portal/{code}/profile/photo", handle_profile_photo_put, ACCESS_PATIENT, BODY_BINARY },
	{ "DELETE", "/api/v1/portal/{code}/profile/photo", handle_profile_photo_delete, ACCESS_PATIENT },
	{ "GET", "/api/v1/portal/{code}/appointments", handle_portal_appts_list, ACCESS_PATIENT },
	{ "POST", "/api/v1/portal/{code}/appointments", handle_portal_appt_book, ACCESS_PATIENT },
	{ "GET", "/api/v1/portal/{code}/appointments/booking-options", handle_portal_booking_options, ACCESS_PATIENT },
	{ "GET", "/api/v1/portal/{code}/appointments/slots", handle_portal_slots, ACCESS_PATIENT },
	{ "GET", "/api/v1/portal/{code}/appointments/{id}", handle_portal_appt_get, ACCESS_PATIENT },
	{ "GET", "/api/v1/portal/{code}/appointments/{id}/ics", handle_portal_appt_ics, ACCESS_PATIENT },
	{ "POST", "/api/v1/portal/{code}/appointments/{id}/cancel", handle_portal_appt_cancel, ACCESS_PATIENT },
	{ "GET", "/api/v1/portal/{code}/treatments", handle_portal_treatments, ACCESS_PATIENT },
};

const size_t routes_count = sizeof(routes) / sizeof(routes[0]);
