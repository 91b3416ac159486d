/*
 * patients.h - the derived columns of a patient.
 */
#ifndef PORTAL_PATIENTS_H
#define PORTAL_PATIENTS_H

#include <stdbool.h>

#include "db_patients.h"

struct arena;

/* Fills p's first_folded, last_folded and search_text from its names,
 * phone and email, and turns communication_sms off when the phone cannot
 * take an SMS (contact_phone_sms_capable(): a landline). False when out
 * of memory. */
bool patient_derive(struct arena *a, struct db_patient *p);

#endif
