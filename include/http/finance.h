/*
 * finance.h - what the finance handlers share with the online payment
 * handlers (pay_api.c): one JSON form of a payment.
 */
#ifndef PORTAL_FINANCE_H
#define PORTAL_FINANCE_H

#include <stdbool.h>

struct db_payment;
struct json_object;

/* A payment as the API answers it: clinic_side adds patient_name and
 * provider_reference; with_refunds adds its refunds. A new object (the
 * caller owns it), or NULL when out of memory. */
struct json_object *finance_payment_json(const struct db_payment *p,
    bool clinic_side, bool with_refunds);

#endif
