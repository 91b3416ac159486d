/*
 * patients.c - what the database keeps about a patient besides what the
 * clinic typed: folded names and the search text, and SMS off for a phone
 * that takes none (see patients.h).
 */
#include "config.h"

#include <ctype.h>
#include <string.h>

#include "arena.h"
#include "contacts.h"
#include "patients.h"
#include "portal_settings.h"

bool
patient_derive(struct arena *a, struct db_patient *p)
{
	char first[256], last[256], first_words[256], last_words[256];
	char email[256] = "";

	portal_fold_ascii(p->first_name, first, sizeof(first));
	portal_fold_ascii(p->last_name, last, sizeof(last));
	portal_fold_words(p->first_name, first_words, sizeof(first_words));
	portal_fold_words(p->last_name, last_words, sizeof(last_words));
	if (p->email != NULL)
		for (size_t i = 0; p->email[i] && i + 1 < sizeof(email); i++)
			email[i] = (char)tolower((unsigned char)p->email[i]);
	/* SMS cannot be on for a phone that takes none (a landline the
	 * clinic keeps to call): messages by the patient's choice then go
	 * by email, or not at all, rather than nowhere. */
	if (p->phone != NULL && !contact_phone_sms_capable(p->phone))
		p->communication_sms = false;
	p->first_folded = arena_strdup(a, first);
	p->last_folded = arena_strdup(a, last);
	/* First name twice, so "first last" and "last first" both match. */
	p->search_text = arena_printf(a, "%s %s %s %s %s", first_words,
	    last_words, first_words, p->phone ? p->phone + 1 : "", email);
	return p->first_folded && p->last_folded && p->search_text;
}

