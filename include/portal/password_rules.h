/*
 * password_rules.h - what a staff password must be (DESIGN.md section 16):
 * at least 12 characters (code points, as typed), at most 1024, and not
 * one cracklib's dictionary of common and simple passwords knows (Debian's
 * libcrack2 with cracklib-runtime's dictionary). The same rule wherever a
 * password is set.
 */
#ifndef PORTAL_PASSWORD_RULES_H
#define PORTAL_PASSWORD_RULES_H

#define PASSWORD_MIN_CHARS 12
#define PASSWORD_MAX_CHARS 1024

/* NULL when pw (UTF-8) may be a password; otherwise why not, in words for
 * the person choosing it. */
const char *password_rule_problem(const char *pw);

#endif
