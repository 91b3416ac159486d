/*
 * routes.c - every route of the API, in one table.
 *
 * The OpenAPI document (openapi/openapi.json) describes exactly these
 * method + pattern pairs; a test compares the two sets.
 */
#include "config.h"

#include "routes.h"

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
	{ "GET", "/api/v1/clinic/patients/{id}/portal-permissions", handle_patient_perms_get, ACCESS_CLINIC_READ },
	{ "PUT", "/api/v1/clinic/patients/{id}/portal-permissions", handle_patient_perms_put, ACCESS_CLINIC_ADMIN },
	{ "GET", "/api/v1/clinic/patients/{id}/portal-access", handle_patient_access, ACCESS_CLINIC_READ },
	{ "GET", "/api/v1/clinic/patients/{id}/invitations", handle_patient_invitations, ACCESS_CLINIC_READ },
	{ "POST", "/api/v1/clinic/patients/{id}/invitations", handle_patient_invite, ACCESS_CLINIC_WRITE },
	{ "POST", "/api/v1/clinic/invitations", handle_invitations_bulk, ACCESS_CLINIC_WRITE },
	{ "GET", "/api/v1/clinic/deliveries", handle_deliveries_list, ACCESS_CLINIC_READ },
	{ "GET", "/api/v1/clinic/deliveries/{id}", handle_delivery_get, ACCESS_CLINIC_READ },
	{ "POST", "/api/v1/clinic/deliveries/{id}/retry", handle_delivery_retry, ACCESS_CLINIC_WRITE },

	{ "GET", "/api/v1/portal/{code}/", handle_public_card, ACCESS_PUBLIC },
	{ "POST", "/api/v1/portal/{code}/login/start", handle_patient_login_start, ACCESS_PUBLIC },
	{ "POST", "/api/v1/portal/{code}/login/verify", handle_patient_login_verify, ACCESS_PUBLIC },
	{ "POST", "/api/v1/portal/{code}/login/select", handle_patient_login_select, ACCESS_PUBLIC },
	{ "POST", "/api/v1/portal/{code}/logout", handle_patient_logout, ACCESS_PATIENT },
	{ "GET", "/api/v1/portal/{code}/me", handle_patient_me, ACCESS_PATIENT },
};

const size_t routes_count = sizeof(routes) / sizeof(routes[0]);
