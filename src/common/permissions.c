/*
 * permissions.c - the catalog of portal permissions, the guide's presets
 * and the pair warnings (see permissions.h). The texts are the project's
 * own; the rules are the guide's.
 */
#include "config.h"

#include <string.h>

#include "permissions.h"

const struct perm_group perm_groups[] = {
	{ "profile", "Profil", "Profile" },
	{ "appointments", "Randevular", "Appointments" },
	{ "treatments", "Tedaviler", "Treatments" },
	{ "finance", "Finans", "Finance" },
	{ "documents", "Belgeler ve görüntüler", "Documents and images" },
	{ "messages", "Mesajlar", "Messages" },
	{ "forms", "Formlar", "Forms" },
};
const size_t perm_groups_count = sizeof(perm_groups) / sizeof(perm_groups[0]);

#define B(p) PERM_BIT(PERM_##p)

const struct perm_def perm_catalog[PERM__MAX] = {
	[PERM_VIEW_PROFILE] = { "view_profile", 0,
	    "Profili görüntüleme", "View profile",
	    "Hasta kendi profil bilgilerini görür.",
	    "Patients see their own profile details.", 0 },
	[PERM_UPDATE_PROFILE] = { "update_profile", 0,
	    "Profili güncelleme", "Update profile",
	    "Hasta profil bilgilerini düzenler.",
	    "Patients edit their profile details.", B(VIEW_PROFILE) },
	[PERM_UPLOAD_PHOTO] = { "upload_photo", 0,
	    "Fotoğraf yükleme", "Upload photo",
	    "Hasta profil fotoğrafı yükler.",
	    "Patients upload a profile photo.", B(VIEW_PROFILE) },
	[PERM_VIEW_APPOINTMENTS] = { "view_appointments", 1,
	    "Randevuları görüntüleme", "View appointments",
	    "Hasta randevularını görür.",
	    "Patients see their appointments.", 0 },
	[PERM_CREATE_APPOINTMENT] = { "create_appointment", 1,
	    "Randevu oluşturma", "Create appointment",
	    "Hasta portal üzerinden yeni randevu alır.",
	    "Patients book new appointments online.", B(VIEW_APPOINTMENTS) },
	[PERM_CANCEL_APPOINTMENT] = { "cancel_appointment", 1,
	    "Randevu iptali", "Cancel appointment",
	    "Hasta mevcut bir randevusunu iptal eder.",
	    "Patients cancel an appointment they hold.", B(VIEW_APPOINTMENTS) },
	[PERM_VIEW_TREATMENTS] = { "view_treatments", 2,
	    "Tedavileri görüntüleme", "View treatments",
	    "Hasta tedavi planlarını ve geçmiş tedavilerini görür.",
	    "Patients see treatment plans and past treatments.", 0 },
	[PERM_VIEW_BALANCE] = { "view_balance", 3,
	    "Bakiyeyi görüntüleme", "View balance",
	    "Hasta güncel bakiyesini görür.",
	    "Patients see their current balance.", 0 },
	[PERM_VIEW_INVOICES] = { "view_invoices", 3,
	    "Faturaları görüntüleme", "View invoices",
	    "Hasta faturalarına erişir.",
	    "Patients open their invoices.", 0 },
	[PERM_VIEW_PAYMENTS] = { "view_payments", 3,
	    "Ödemeleri görüntüleme", "View payments",
	    "Hasta yaptığı ödemeleri ve ödeme geçmişini görür.",
	    "Patients see completed payments and their history.", 0 },
	[PERM_MAKE_PAYMENT] = { "make_payment", 3,
	    "Ödeme yapma", "Make payment",
	    "Hasta portal üzerinden çevrim içi ödeme yapar.",
	    "Patients pay online through the portal.",
	    B(VIEW_BALANCE) | B(VIEW_INVOICES) },
	[PERM_VIEW_DOCUMENTS] = { "view_documents", 4,
	    "Belgeleri görüntüleme", "View documents",
	    "Hasta kliniğin paylaştığı belgeleri görür.",
	    "Patients see documents the clinic shared.", 0 },
	[PERM_DOWNLOAD_DOCUMENTS] = { "download_documents", 4,
	    "Belgeleri indirme", "Download documents",
	    "Hasta paylaşılan belgeleri indirir.",
	    "Patients download shared documents.", B(VIEW_DOCUMENTS) },
	[PERM_UPLOAD_DOCUMENTS] = { "upload_documents", 4,
	    "Belge yükleme", "Upload documents",
	    "Hasta sisteme belge yükler; kimin inceleyeceğini belirleyin.",
	    "Patients upload documents; name who reviews them.",
	    B(VIEW_DOCUMENTS) },
	[PERM_VIEW_IMAGES] = { "view_images", 4,
	    "Görüntüleri görüntüleme", "View images",
	    "Hasta kliniğin paylaştığı görüntüleri görür.",
	    "Patients see images the clinic shared.", 0 },
	[PERM_VIEW_MESSAGES] = { "view_messages", 5,
	    "Mesajları görüntüleme", "View messages",
	    "Hasta kliniğin gönderdiği mesajları görür.",
	    "Patients read messages from the clinic.", 0 },
	[PERM_SEND_MESSAGE] = { "send_message", 5,
	    "Mesaj gönderme", "Send message",
	    "Hasta portal üzerinden kliniğe mesaj gönderir.",
	    "Patients write to the clinic through the portal.",
	    B(VIEW_MESSAGES) },
	[PERM_VIEW_FORMS] = { "view_forms", 6,
	    "Formları görüntüleme", "View forms",
	    "Hasta form ekranlarını açar ve görür.",
	    "Patients open and read form screens.", 0 },
	[PERM_SUBMIT_FORMS] = { "submit_forms", 6,
	    "Form gönderme", "Submit forms",
	    "Hasta formları doldurur ve gönderir.",
	    "Patients fill in and submit forms.", B(VIEW_FORMS) },
};

/* Each key is in permissions (always set) or in optional (left to the
 * clinic), never in both (DESIGN.md section 3). */
const struct perm_preset perm_presets[] = {
	{ "basic", "Temel kullanım (yalnızca randevular)",
	    "Basic usage (appointments only)",
	    B(VIEW_PROFILE) | B(VIEW_APPOINTMENTS) | B(CREATE_APPOINTMENT),
	    B(CANCEL_APPOINTMENT) },
	{ "finance", "Finans odaklı (randevular ve ödemeler)",
	    "Finance-focused (appointments and payments)",
	    B(VIEW_APPOINTMENTS) | B(VIEW_INVOICES) | B(VIEW_BALANCE) |
	    B(VIEW_PAYMENTS),
	    B(MAKE_PAYMENT) },
	{ "full", "Tam kullanım", "Full usage",
	    B(VIEW_PROFILE) | B(UPDATE_PROFILE) | B(VIEW_APPOINTMENTS) |
	    B(CREATE_APPOINTMENT) | B(CANCEL_APPOINTMENT) | B(VIEW_TREATMENTS) |
	    B(VIEW_INVOICES) | B(VIEW_BALANCE) | B(VIEW_PAYMENTS) |
	    B(MAKE_PAYMENT) | B(VIEW_DOCUMENTS) | B(DOWNLOAD_DOCUMENTS) |
	    B(VIEW_MESSAGES) | B(SEND_MESSAGE) | B(VIEW_FORMS) |
	    B(SUBMIT_FORMS),
	    B(UPLOAD_DOCUMENTS) },
};
const size_t perm_presets_count = sizeof(perm_presets) / sizeof(perm_presets[0]);

perm_set
perm_preset_members(const struct perm_preset *p)
{
	return p->permissions | p->optional;
}

const char *const perm_keys[PERM__MAX + 1] = {
	"view_profile", "update_profile", "upload_photo",
	"view_appointments", "create_appointment", "cancel_appointment",
	"view_treatments",
	"view_balance", "view_invoices", "view_payments", "make_payment",
	"view_documents", "download_documents", "upload_documents",
	"view_images",
	"view_messages", "send_message",
	"view_forms", "submit_forms",
	NULL
};

int
perm_from_key(const char *key)
{
	for (int i = 0; i < PERM__MAX; i++)
		if (strcmp(perm_catalog[i].key, key) == 0)
			return i;
	return -1;
}

unsigned
perm_pair_warnings(perm_set set)
{
	unsigned w = 0;

	if ((set & (B(CREATE_APPOINTMENT) | B(CANCEL_APPOINTMENT))) &&
	    !(set & B(VIEW_APPOINTMENTS)))
		w |= 1u << PERM_WARN_APPOINTMENTS_WITHOUT_VIEW;
	if ((set & B(SUBMIT_FORMS)) && !(set & B(VIEW_FORMS)))
		w |= 1u << PERM_WARN_FORMS_WITHOUT_VIEW;
	return w;
}

perm_set
perm_warning_keys(enum perm_warning w, perm_set set)
{
	switch (w) {
	case PERM_WARN_APPOINTMENTS_WITHOUT_VIEW:
		return (set & (B(CREATE_APPOINTMENT) | B(CANCEL_APPOINTMENT))) |
		    B(VIEW_APPOINTMENTS);
	case PERM_WARN_FORMS_WITHOUT_VIEW:
		return B(SUBMIT_FORMS) | B(VIEW_FORMS);
	case PERM_WARN__MAX:
		break;
	}
	return 0;
}
