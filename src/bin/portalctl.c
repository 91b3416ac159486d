/*
 * portalctl - the operator's command line. Usage: portalctl [-c FILE] COMMAND [OPTIONS]
 *
 *   migrate                                apply the SQL migrations not yet applied
 *   check-config                           load the config and report problems
 *   create-clinic --name N [--code C] [--module patient_portal]
 *       [--login ROLE:EMAIL[:NAME]]...     print the new clinic's id; with
 *                                          --module, the module granted; each
 *                                          --login a staff login, printed as
 *                                          "role email password" (password
 *                                          "-" for an existing account); all
 *                                          in one transaction
 *   create-staff --clinic ID --email E --role owner|admin|staff [--name N]
 *                                          print a generated password (none
 *                                          when E has an account already:
 *                                          one person, several clinics)
 *   grant-module | revoke-module --clinic ID --module patient_portal
 *   set-public-url --clinic ID [--url URL] the clinic's own portal address (no
 *                                          --url: back to the configured one)
 *   create-api-key --clinic ID --scopes read,write,admin [--name N]
 *                                          print the key (shown only here)
 *   seed-demo [--pay-secret-file F]        create the demo clinic "Simple Dent";
 *                                          print "role email password" lines;
 *                                          with F, its online payments go
 *                                          to the devgateway merchant
 *                                          simple-dent whose secret F holds
 *   purge-sessions                         remove expired or idle sessions,
 *                                          expired sign-in challenges and old
 *                                          rate-limit rows; print the counts
 *   expire-payments [--older-than SECONDS] pending online payments older than
 *                                          payment_pending_timeout (or
 *                                          SECONDS) become expired, and
 *                                          Idempotency-Keys past 24 hours
 *                                          are forgotten; print how many
 *   gc-files [--grace SECONDS] [--dry-run] [--clinic ID]
 *                                          remove stored files (photos,
 *                                          documents, images) no record
 *                                          refers to, older than SECONDS
 *                                          (default 3600), of every clinic
 *                                          or of ID; print each one and a
 *                                          summary line
 *
 * Commands other than migrate connect with migrate_database_url (the
 * owner role) and so act across clinics.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "arena.h"
#include "cli.h"
#include "conf.h"
#include "crypto.h"
#include "db.h"
#include "db_clinic.h"
#include "db_documents.h"
#include "db_files.h"
#include "db_forms.h"
#include "db_patients.h"
#include "db_pay.h"
#include "payprov.h"
#include "db_schedule.h"
#include "db_treatments.h"
#include "db_signin.h"
#include "filestore.h"
#include "forms.h"
#include "json_util.h"
#include "migrate.h"
#include "patients.h"
#include "permissions.h"
#include "portal_settings.h"
#include "str.h"

/* create-clinic's --login options, at most this many. */
#define MAX_LOGINS 8

struct opts {
	const char *name, *code, *clinic, *email, *role, *module, *scopes, *url;
	char *logins[MAX_LOGINS];
	int n_logins;
	const char *older_than;
	const char *pay_secret_file;
	const char *grace;
	bool dry_run;
};

struct ctl {
	const struct conf *conf;
	struct db *db;
	struct arena *arena;
};

static void
usage(void)
{
	fprintf(stderr,
	    "usage: portalctl [-c FILE] COMMAND [OPTIONS]\n"
	    "  migrate\n"
	    "  check-config\n"
	    "  create-clinic --name NAME [--code CODE] [--module patient_portal]\n"
	    "      [--login owner|admin|staff:EMAIL[:NAME]]...\n"
	    "  create-staff --clinic ID --email EMAIL --role owner|admin|staff [--name NAME]\n"
	    "  grant-module --clinic ID --module patient_portal\n"
	    "  revoke-module --clinic ID --module patient_portal\n"
	    "  set-public-url --clinic ID [--url https://HOST[/PATH]]\n"
	    "  create-api-key --clinic ID --scopes read[,write][,admin] [--name NAME]\n"
	    "  seed-demo [--pay-secret-file FILE]\n"
	    "  purge-sessions\n"
	    "  expire-payments [--older-than SECONDS]\n"
	    "  gc-files [--grace SECONDS] [--dry-run] [--clinic ID]\n");
}

static int
need(const char *value, const char *option)
{
	if (value == NULL || *value == '\0') {
		fprintf(stderr, "portalctl: --%s is required\n", option);
		return -1;
	}
	return 0;
}

static int
report(enum err err, const char *what)
{
	if (err == ERR_OK)
		return 0;
	fprintf(stderr, "portalctl: %s failed: %s%s\n", what, err_str(err),
	    err == ERR_CONFLICT ? " (it exists already)" :
	    err == ERR_INVALID ? " (check the values)" : "");
	return 1;
}

static int
create_clinic(struct ctl *c, const struct opts *o, const char **id)
{
	const char *why;

	if (need(o->name, "name"))
		return 2;
	if (o->code != NULL && portal_code_verdict(o->code, &why) != CODE_OK) {
		fprintf(stderr, "portalctl: --code: %s\n", why);
		return 2;
	}
	return report(db_clinic_create(c->db, c->arena, o->name, o->code, id),
	    "create-clinic");
}

/* A readable random password: 18 base64url characters. */
static void
new_password(char *out, size_t len)
{
	char token[CRYPTO_TOKEN_CHARS + 1];

	crypto_token(token);
	snprintf(out, len, "%.18s", token);
	sodium_memzero(token, sizeof(token));
}

/* The person behind --email (made, with a new password in password, when
 * new: *new_person) and their membership of --clinic. */
static int
create_staff(struct ctl *c, const struct opts *o, char *password, size_t plen,
    bool *new_person)
{
	const char *id, *name;
	char *hash;
	int rc;

	if (need(o->clinic, "clinic") || need(o->email, "email") ||
	    need(o->role, "role"))
		return 2;
	if (strcmp(o->role, "owner") != 0 && strcmp(o->role, "admin") != 0 &&
	    strcmp(o->role, "staff") != 0) {
		fprintf(stderr, "portalctl: --role must be owner, admin or staff\n");
		return 2;
	}
	name = o->name != NULL ? o->name : o->email;
	new_password(password, plen);
	hash = crypto_password_hash(password,
	    (unsigned long long)c->conf->argon2_opslimit,
	    (size_t)c->conf->argon2_memlimit);
	if (hash == NULL) {
		fprintf(stderr, "portalctl: out of memory\n");
		return 1;
	}
	rc = report(db_staff_create(c->db, c->arena, o->clinic, o->email, name,
	    o->role, hash, &id, new_person), "create-staff");
	free(hash);
	return rc;
}

/* True for a module portalctl may grant; otherwise says so. */
static bool
module_known(const char *module)
{
	if (strcmp(module, "patient_portal") == 0)
		return true;
	fprintf(stderr, "portalctl: unknown module '%s'\n", module);
	return false;
}

/* create-clinic with everything it was given, in one transaction: the
 * clinic, its module and each --login (ROLE:EMAIL[:NAME]); prints the id,
 * then "role email password" per login. */
static int
create_clinic_all(struct ctl *c, const struct opts *o)
{
	struct opts logins[MAX_LOGINS];
	char passwords[MAX_LOGINS][32];
	bool new_person[MAX_LOGINS];
	const char *id;
	int status;

	if (o->module != NULL && !module_known(o->module))
		return 2;
	for (int i = 0; i < o->n_logins; i++) {
		char *email = strchr(o->logins[i], ':'), *name;

		if (email == NULL) {
			fprintf(stderr, "portalctl: --login is ROLE:EMAIL[:NAME]\n");
			return 2;
		}
		*email++ = '\0';
		if ((name = strchr(email, ':')) != NULL)
			*name++ = '\0';
		logins[i] = (struct opts){ .role = o->logins[i],
		    .email = email, .name = name };
	}
	if (db_begin(c->db) != ERR_OK)
		return 1;
	status = create_clinic(c, o, &id);
	if (status == 0 && o->module != NULL)
		status = report(db_module_set(c->db, id, o->module, true),
		    "grant-module");
	for (int i = 0; i < o->n_logins && status == 0; i++) {
		logins[i].clinic = id;
		status = create_staff(c, &logins[i], passwords[i],
		    sizeof(passwords[i]), &new_person[i]);
	}
	if (status == 0 && db_commit(c->db) != ERR_OK)
		status = 1;
	if (status != 0) {
		db_rollback(c->db);
	} else {
		printf("%s\n", id);
		for (int i = 0; i < o->n_logins; i++)
			printf("%s %s %s\n", logins[i].role, logins[i].email,
			    new_person[i] ? passwords[i] : "-");
	}
	sodium_memzero(passwords, sizeof(passwords));
	return status;
}

static int
create_api_key(struct ctl *c, const struct opts *o, char *key)
{
	char hash[CRYPTO_BYTEA_HEX], prefix[16];
	unsigned scopes;
	const char *id;

	if (need(o->clinic, "clinic") || need(o->scopes, "scopes"))
		return 2;
	scopes = db_scopes_parse(o->scopes);
	if (scopes == 0 || strspn(o->scopes, "readwitmn,") != strlen(o->scopes)) {
		fprintf(stderr, "portalctl: --scopes is a comma list of read, "
		    "write, admin\n");
		return 2;
	}
	crypto_api_key(key, hash, prefix);
	/* No maker: the operator's keys act as the owner. */
	return report(db_api_key_create(c->db, c->arena, o->clinic, NULL,
	    o->name != NULL ? o->name : "API key", prefix, hash,
	    db_scopes_literal(scopes), 0, &id, NULL), "create-api-key");
}

/* Demo patients; the Yılmaz family shares one phone number. */
static int
seed_patients(struct ctl *c, const char *clinic_id)
{
	static const struct {
		const char *first, *last, *phone, *email, *language;
	} people[] = {
		{ "Ayşe", "Yılmaz", "+905551234567", "ayse.yilmaz@example.test", "tr" },
		{ "Can", "Yılmaz", "+905551234567", NULL, "tr" },
		{ "Elif", "Şahin", "+905329876543", "elif.sahin@example.test", "tr" },
		{ "John", "Smith", "+447911123456", "john.smith@example.test", "en" },
		{ "Mehmet", "Öztürk", NULL, "mehmet.ozturk@example.test", "tr" },
		{ "Zehra", "Çelik", NULL, NULL, "tr" },
	};
	enum err err;

	for (size_t i = 0; i < sizeof(people) / sizeof(people[0]); i++) {
		struct db_patient p;

		memset(&p, 0, sizeof(p));
		p.first_name = people[i].first;
		p.last_name = people[i].last;
		p.phone = people[i].phone;
		p.email = people[i].email;
		p.language = people[i].language;
		p.portal_access = true;
		p.communication_sms = p.communication_email = true;
		if (!patient_derive(c->arena, &p))
			return report(ERR_NOMEM, "seed patients");
		if ((err = db_patient_create(c->db, c->arena, clinic_id, &p)) != ERR_OK)
			return report(err, "seed patients");
	}
	return 0;
}

/* The demo clinic: Simple Dent at /simple-dent, its owner, an admin and
 * a staff login, the module, the basic preset, portal enabled. */
/*
 * The demo clinic pays online through the stack's payment sink: provider
 * devgateway, merchant simple-dent, the secret read from path, sealed with
 * the config's payment_key.
 */
static int
seed_demo_payments(struct ctl *c, const char *clinic_id, const char *path)
{
	unsigned char key[PAYPROV_KEY_BYTES];
	char secret[129], *nl;
	const char *plain, *sealed = NULL;
	struct db_payment_infra out;
	FILE *f = fopen(path, "r");
	enum err err;

	if (f == NULL || fgets(secret, sizeof(secret), f) == NULL) {
		if (f != NULL)
			fclose(f);
		fprintf(stderr, "portalctl: cannot read %s\n", path);
		return 1;
	}
	fclose(f);
	if ((nl = strchr(secret, '\n')) != NULL)
		*nl = '\0';
	if (!payprov_key_parse(c->conf->payment_key, key)) {
		fprintf(stderr, "portalctl: payment_key is not set: the demo "
		    "clinic's payment credentials cannot be sealed\n");
		return 1;
	}
	plain = arena_printf(c->arena, "{\"merchant_id\":\"simple-dent\","
	    "\"secret\":\"%s\"}", secret);
	sodium_memzero(secret, sizeof(secret));
	err = plain == NULL ? ERR_NOMEM : payprov_seal(c->arena, key, plain,
	    strlen(plain), &sealed);
	sodium_memzero(key, sizeof(key));
	if (err == ERR_OK)
		err = db_payment_put(c->db, c->arena, clinic_id, "devgateway",
		    true, sealed, &out);
	return report(err, "demo payment infrastructure");
}

/* The demo patient's shared files: a one-page PDF report and a small
 * intraoral photo (48 x 32, no metadata; small enough to be its own
 * thumbnail). Both as a patient would be served them. */
static const char demo_pdf[] =
	"%PDF-1.7\n"
	"%\xe2""\xe3""\xcf""\xd3""\n"
	"1 0 obj\n"
	"<< /Type /Catalog /Pages 2 0 R >>\n"
	"endobj\n"
	"2 0 obj\n"
	"<< /Type /Pages /Kids [3 0 R] /Count 1 >>\n"
	"endobj\n"
	"3 0 obj\n"
	"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>\n"
	"endobj\n"
	"4 0 obj\n"
	"<<  /Length 59 >>\n"
	"stream\n"
	"BT /F1 24 Tf 72 720 Td (Simple Dent - Kontrol raporu) Tj ET\n"
	"endstream\n"
	"endobj\n"
	"5 0 obj\n"
	"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>\n"
	"endobj\n"
	"xref\n"
	"0 6\n"
	"0000000000 65535 f \n"
	"0000000015 00000 n \n"
	"0000000064 00000 n \n"
	"0000000121 00000 n \n"
	"0000000247 00000 n \n"
	"0000000357 00000 n \n"
	"trailer\n"
	"<< /Size 6 /Root 1 0 R >>\n"
	"startxref\n"
	"427\n"
	"%%EOF\n";
static const unsigned char demo_jpeg[] = {
	0xff, 0xd8, 0xff, 0xdb, 0x00, 0x43, 0x00, 0x06, 0x04, 0x05, 0x06, 0x05,
	0x04, 0x06, 0x06, 0x05, 0x06, 0x07, 0x07, 0x06, 0x08, 0x0a, 0x10, 0x0a,
	0x0a, 0x09, 0x09, 0x0a, 0x14, 0x0e, 0x0f, 0x0c, 0x10, 0x17, 0x14, 0x18,
	0x18, 0x17, 0x14, 0x16, 0x16, 0x1a, 0x1d, 0x25, 0x1f, 0x1a, 0x1b, 0x23,
	0x1c, 0x16, 0x16, 0x20, 0x2c, 0x20, 0x23, 0x26, 0x27, 0x29, 0x2a, 0x29,
	0x19, 0x1f, 0x2d, 0x30, 0x2d, 0x28, 0x30, 0x25, 0x28, 0x29, 0x28, 0xff,
	0xdb, 0x00, 0x43, 0x01, 0x07, 0x07, 0x07, 0x0a, 0x08, 0x0a, 0x13, 0x0a,
	0x0a, 0x13, 0x28, 0x1a, 0x16, 0x1a, 0x28, 0x28, 0x28, 0x28, 0x28, 0x28,
	0x28, 0x28, 0x28, 0x28, 0x28, 0x28, 0x28, 0x28, 0x28, 0x28, 0x28, 0x28,
	0x28, 0x28, 0x28, 0x28, 0x28, 0x28, 0x28, 0x28, 0x28, 0x28, 0x28, 0x28,
	0x28, 0x28, 0x28, 0x28, 0x28, 0x28, 0x28, 0x28, 0x28, 0x28, 0x28, 0x28,
	0x28, 0x28, 0x28, 0x28, 0x28, 0x28, 0x28, 0x28, 0xff, 0xc0, 0x00, 0x11,
	0x08, 0x00, 0x20, 0x00, 0x30, 0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01,
	0x03, 0x11, 0x01, 0xff, 0xc4, 0x00, 0x1f, 0x00, 0x00, 0x01, 0x05, 0x01,
	0x01, 0x01, 0x01, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b,
	0xff, 0xc4, 0x00, 0xb5, 0x10, 0x00, 0x02, 0x01, 0x03, 0x03, 0x02, 0x04,
	0x03, 0x05, 0x05, 0x04, 0x04, 0x00, 0x00, 0x01, 0x7d, 0x01, 0x02, 0x03,
	0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61,
	0x07, 0x22, 0x71, 0x14, 0x32, 0x81, 0x91, 0xa1, 0x08, 0x23, 0x42, 0xb1,
	0xc1, 0x15, 0x52, 0xd1, 0xf0, 0x24, 0x33, 0x62, 0x72, 0x82, 0x09, 0x0a,
	0x16, 0x17, 0x18, 0x19, 0x1a, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x34,
	0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48,
	0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64,
	0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78,
	0x79, 0x7a, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x92, 0x93,
	0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6,
	0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9,
	0xba, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3,
	0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe1, 0xe2, 0xe3, 0xe4, 0xe5,
	0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7,
	0xf8, 0xf9, 0xfa, 0xff, 0xc4, 0x00, 0x1f, 0x01, 0x00, 0x03, 0x01, 0x01,
	0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b,
	0xff, 0xc4, 0x00, 0xb5, 0x11, 0x00, 0x02, 0x01, 0x02, 0x04, 0x04, 0x03,
	0x04, 0x07, 0x05, 0x04, 0x04, 0x00, 0x01, 0x02, 0x77, 0x00, 0x01, 0x02,
	0x03, 0x11, 0x04, 0x05, 0x21, 0x31, 0x06, 0x12, 0x41, 0x51, 0x07, 0x61,
	0x71, 0x13, 0x22, 0x32, 0x81, 0x08, 0x14, 0x42, 0x91, 0xa1, 0xb1, 0xc1,
	0x09, 0x23, 0x33, 0x52, 0xf0, 0x15, 0x62, 0x72, 0xd1, 0x0a, 0x16, 0x24,
	0x34, 0xe1, 0x25, 0xf1, 0x17, 0x18, 0x19, 0x1a, 0x26, 0x27, 0x28, 0x29,
	0x2a, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47,
	0x48, 0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63,
	0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77,
	0x78, 0x79, 0x7a, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a,
	0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4,
	0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7,
	0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca,
	0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe2, 0xe3, 0xe4,
	0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7,
	0xf8, 0xf9, 0xfa, 0xff, 0xda, 0x00, 0x0c, 0x03, 0x01, 0x00, 0x02, 0x11,
	0x03, 0x11, 0x00, 0x3f, 0x00, 0xf0, 0x28, 0x2c, 0x3d, 0xab, 0x42, 0x0b,
	0x0f, 0x6a, 0xdc, 0x82, 0xc3, 0xda, 0xb4, 0x20, 0xb0, 0xf6, 0xaf, 0xae,
	0xa9, 0x8c, 0x3c, 0xfc, 0x16, 0x3f, 0x6d, 0x4c, 0x38, 0x2c, 0x3d, 0xab,
	0x42, 0x0b, 0x0f, 0x6a, 0xdc, 0x82, 0xc3, 0xda, 0xb4, 0x20, 0xb0, 0xf6,
	0xae, 0x0a, 0x98, 0xc3, 0xeb, 0xb0, 0x58, 0xfd, 0xb5, 0x30, 0xe0, 0xb0,
	0xf6, 0xad, 0x08, 0x2c, 0x3d, 0xab, 0x72, 0x0b, 0x0f, 0x6a, 0xbf, 0x05,
	0x87, 0xb5, 0x79, 0xf5, 0x31, 0x87, 0xd7, 0x60, 0xb1, 0xfb, 0x6a, 0x73,
	0x90, 0x58, 0x7b, 0x56, 0x84, 0x16, 0x1e, 0xd5, 0xb7, 0x05, 0x87, 0xb5,
	0x68, 0x41, 0x61, 0xed, 0x5c, 0x95, 0x31, 0x87, 0xf3, 0x76, 0x0b, 0x1f,
	0xb6, 0xa6, 0x1c, 0x16, 0x1e, 0xd5, 0xa1, 0x05, 0x87, 0xb5, 0x6e, 0x41,
	0x61, 0xed, 0x5a, 0x10, 0x58, 0x7b, 0x57, 0x9f, 0x53, 0x18, 0x7d, 0x76,
	0x0b, 0x1f, 0xb6, 0xa6, 0x1c, 0x16, 0x1e, 0xd5, 0xa1, 0x05, 0x87, 0xb5,
	0x6e, 0x41, 0x61, 0xd3, 0x8a, 0xd0, 0x82, 0xc3, 0xda, 0xb8, 0x2a, 0x63,
	0x0f, 0xad, 0xc1, 0x63, 0xf6, 0xd4, 0xff, 0xd9,
};

/* Stores the demo files under files_dir and records them for Ayşe Yılmaz,
 * shared. */
static int
seed_demo_documents(struct ctl *c, const char *clinic_id)
{
	unsigned char hash[crypto_hash_sha256_BYTES];
	char pdf_sha[65], jpeg_sha[65];
	struct db_document d;
	enum err err;

	crypto_hash_sha256(hash, (const unsigned char *)demo_pdf,
	    sizeof(demo_pdf) - 1);
	str_hex(pdf_sha, hash, sizeof(hash));
	crypto_hash_sha256(hash, demo_jpeg, sizeof(demo_jpeg));
	str_hex(jpeg_sha, hash, sizeof(hash));
	if ((err = filestore_put(c->arena, c->conf->files_dir, clinic_id,
	    pdf_sha, demo_pdf, sizeof(demo_pdf) - 1)) != ERR_OK ||
	    (err = filestore_put(c->arena, c->conf->files_dir, clinic_id,
	    jpeg_sha, demo_jpeg, sizeof(demo_jpeg))) != ERR_OK)
		return report(err, "demo files");
	memset(&d, 0, sizeof(d));
	d.kind = "document";
	d.title = "Kontrol raporu";
	d.file_name = "Kontrol raporu.pdf";
	d.content_type = "application/pdf";
	d.size = (int64_t)sizeof(demo_pdf) - 1;
	d.sha256 = pdf_sha;
	if ((err = db_document_seed_demo(c->db, clinic_id, &d)) != ERR_OK)
		return report(err, "demo documents");
	d.kind = "image";
	d.title = "Ağız içi fotoğraf";
	d.file_name = "Ağız içi fotoğraf.jpg";
	d.content_type = "image/jpeg";
	d.size = (int64_t)sizeof(demo_jpeg);
	d.sha256 = d.thumb_sha256 = jpeg_sha;
	d.width = 48;
	d.height = 32;
	if ((err = db_document_seed_demo(c->db, clinic_id, &d)) != ERR_OK)
		return report(err, "demo images");
	return 0;
}

/* The medical-history starter form copied into the demo clinic and
 * assigned to Ayşe Yılmaz (nothing when sql/0032 has no such starter). */
static int
seed_demo_forms(struct ctl *c, const char *clinic_id)
{
	struct db_form_starter *starters;
	struct json_object *json;
	struct form_def def;
	int n = 0;
	enum err err;

	if ((err = db_form_starters(c->db, c->arena, &starters, &n)) != ERR_OK)
		return report(err, "demo forms");
	for (int i = 0; i < n; i++) {
		if (strcmp(starters[i].key, "medical_history") != 0)
			continue;
		if (json_parse(c->arena, starters[i].definition,
		    strlen(starters[i].definition), 64, &json, NULL) !=
		    JSON_PARSE_OK || json == NULL ||
		    form_def_read(c->arena, json, &def) != ERR_OK)
			return report(ERR_INVALID, "demo forms");
		return report(db_form_seed_demo(c->db, clinic_id,
		    starters[i].key, starters[i].definition, def.title.tr,
		    def.title.en, (int)def.n_items), "demo forms");
	}
	return 0;
}

static int
seed_demo(struct ctl *c, const char *pay_secret_file)
{
	static const char *const roles[] = { "owner", "admin", "staff" };
	static const char *const emails[] = { "owner@simple-dent.test",
	    "admin@simple-dent.test", "staff@simple-dent.test" };
	static const char *const names[] = { "Selin Demir", "Ahmet Kaya",
	    "Zeynep Arslan" };
	char passwords[3][32];
	struct opts o;
	struct db_portal_settings s;
	const char *clinic_id;
	enum err err;
	int rc;

	memset(&o, 0, sizeof(o));
	o.name = "Simple Dent";
	o.code = "simple-dent";
	if ((rc = create_clinic(c, &o, &clinic_id)) != 0)
		return rc;
	o.clinic = clinic_id;
	for (int i = 0; i < 3; i++) {
		o.email = emails[i];
		o.role = roles[i];
		o.name = names[i];
		bool new_person;

		if ((rc = create_staff(c, &o, passwords[i],
		    sizeof(passwords[i]), &new_person)) != 0)
			return rc;
	}
	if ((err = db_module_set(c->db, clinic_id, "patient_portal", true)) != ERR_OK)
		return report(err, "grant-module");
	/* Keep the default templates the new clinic was given. */
	if ((err = db_settings_get(c->db, c->arena, clinic_id, true, &s)) != ERR_OK)
		return report(err, "portal settings");
	s.enabled = true;
	s.code = "simple-dent";
	/* The basic preset with its optional key: the demo shows cancelling. */
	s.permissions = perm_preset_members(&perm_presets[0]);
	/* ... and the shared documents and images of seed_demo_documents(). */
	s.permissions |= PERM_BIT(PERM_VIEW_DOCUMENTS) |
	    PERM_BIT(PERM_DOWNLOAD_DOCUMENTS) | PERM_BIT(PERM_VIEW_IMAGES);
	/* ... and the form of seed_demo_forms(). */
	s.permissions |= PERM_BIT(PERM_VIEW_FORMS) | PERM_BIT(PERM_SUBMIT_FORMS);
	if ((err = db_settings_update(c->db, clinic_id, &s)) != ERR_OK)
		return report(err, "portal settings");
	if ((rc = seed_patients(c, clinic_id)) != 0)
		return rc;
	/* Two practitioners, three types, weekday hours and appointments. */
	if ((err = db_schedule_seed_demo(c->db, clinic_id)) != ERR_OK)
		return report(err, "seed schedule");
	if ((err = db_treatment_seed_demo(c->db, clinic_id)) != ERR_OK)
		return report(err, "seed treatments");
	if ((rc = seed_demo_documents(c, clinic_id)) != 0)
		return rc;
	if ((rc = seed_demo_forms(c, clinic_id)) != 0)
		return rc;
	if (pay_secret_file != NULL &&
	    (rc = seed_demo_payments(c, clinic_id, pay_secret_file)) != 0)
		return rc;
	for (int i = 0; i < 3; i++)
		printf("%s %s %s\n", roles[i], emails[i], passwords[i]);
	return 0;
}

/* The grace of gc-files when --grace is not given: an upload writes its
 * bytes before its row commits, within a request's seconds; an hour is far
 * past that. */
#define GC_GRACE_DEFAULT 3600

static enum err
gc_refs(void *ctx, struct arena *a, const char *clinic_id,
    const char *const **shas, size_t *count)
{
	struct ctl *c = ctx;

	return db_file_refs(c->db, a, clinic_id, shas, count);
}

/* gc-files: the stored files no record refers to, past the grace, go
 * (filestore_gc()); one line per file and a summary on stdout. */
static int
gc_files(struct ctl *c, const struct opts *o)
{
	struct filestore_gc_stats st;
	long grace = GC_GRACE_DEFAULT;
	char *end = NULL;
	enum err err;

	if (o->grace != NULL) {
		grace = strtol(o->grace, &end, 10);
		if (*o->grace == '\0' || *end != '\0' || grace < 0) {
			fprintf(stderr, "portalctl: --grace takes a number of "
			    "seconds\n");
			return 2;
		}
	}
	if (c->conf->files_dir == NULL || *c->conf->files_dir == '\0') {
		fprintf(stderr, "portalctl: files_dir is not set\n");
		return 1;
	}
	if (o->clinic != NULL && !str_is_uuid(o->clinic)) {
		fprintf(stderr, "portalctl: --clinic takes a clinic id\n");
		return 2;
	}
	err = filestore_gc(c->conf->files_dir, o->clinic, grace, o->dry_run,
	    gc_refs, c, stdout, &st);
	printf("gc-files%s: %s %ld file%s (%lld bytes; %ld temporary); kept "
	    "%ld referenced, %ld younger than %ld s, %ld not the store's\n",
	    o->dry_run ? " (dry run)" : "", o->dry_run ? "would remove" :
	    "removed", st.removed, st.removed == 1 ? "" : "s",
	    st.removed_bytes, st.temp_removed, st.referenced, st.young, grace,
	    st.skipped);
	return report(err, "gc-files");
}

int
main(int argc, char **argv)
{
	static const struct option long_opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "code", required_argument, NULL, 'k' },
		{ "clinic", required_argument, NULL, 'C' },
		{ "email", required_argument, NULL, 'e' },
		{ "role", required_argument, NULL, 'r' },
		{ "module", required_argument, NULL, 'm' },
		{ "scopes", required_argument, NULL, 's' },
		{ "url", required_argument, NULL, 'u' },
		{ "older-than", required_argument, NULL, 'o' },
		{ "pay-secret-file", required_argument, NULL, 'P' },
		{ "grace", required_argument, NULL, 'g' },
		{ "dry-run", no_argument, NULL, 'D' },
		{ "login", required_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 },
	};
	const char *explicit_path = NULL, *path, *command;
	struct opts o;
	struct conf conf;
	struct ctl ctl;
	int opt, status = 0;

	while ((opt = getopt(argc, argv, "+c:h")) != -1) {
		switch (opt) {
		case 'c':
			explicit_path = optarg;
			break;
		default:
			usage();
			return 2;
		}
	}
	if (optind >= argc) {
		usage();
		return 2;
	}
	command = argv[optind];
	memset(&o, 0, sizeof(o));
	optind++;
	while ((opt = getopt_long(argc, argv, "", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'n': o.name = optarg; break;
		case 'k': o.code = optarg; break;
		case 'C': o.clinic = optarg; break;
		case 'e': o.email = optarg; break;
		case 'r': o.role = optarg; break;
		case 'm': o.module = optarg; break;
		case 's': o.scopes = optarg; break;
		case 'u': o.url = optarg; break;
		case 'o': o.older_than = optarg; break;
		case 'P': o.pay_secret_file = optarg; break;
		case 'g': o.grace = optarg; break;
		case 'D': o.dry_run = true; break;
		case 'L':
			if (o.n_logins == MAX_LOGINS) {
				fprintf(stderr, "portalctl: at most %d --login\n",
				    MAX_LOGINS);
				return 2;
			}
			o.logins[o.n_logins++] = optarg;
			break;
		default:
			usage();
			return 2;
		}
	}
	if (cli_load_conf("portalctl", explicit_path, &conf, &path) != 0)
		return 1;
	if (strcmp(command, "check-config") == 0) {
		printf("portalctl: configuration OK (%s)\n",
		    path ? path : "defaults and environment");
		conf_free(&conf);
		return 0;
	}
	if (strcmp(command, "migrate") == 0) {
		enum err err = migrate_run(conf.migrate_database_url,
		    conf.db_connect_timeout, conf.sql_dir, stdout);

		if (err != ERR_OK) {
			fprintf(stderr, "portalctl: migrate failed (%s); see the "
			    "log above\n", err_str(err));
			status = 1;
		}
		conf_free(&conf);
		return status;
	}
	if (!crypto_init()) {
		conf_free(&conf);
		return 1;
	}
	ctl.conf = &conf;
	ctl.db = db_open(conf.migrate_database_url, conf.db_connect_timeout,
	    "portalctl");
	ctl.arena = arena_new(4096);
	if (ctl.db == NULL || ctl.arena == NULL || db_ping(ctl.db) != ERR_OK) {
		fprintf(stderr, "portalctl: cannot reach the database\n");
		status = 1;
	} else if (strcmp(command, "create-clinic") == 0) {
		status = create_clinic_all(&ctl, &o);
	} else if (strcmp(command, "create-staff") == 0) {
		char password[32];
		bool new_person = false;

		if ((status = create_staff(&ctl, &o, password, sizeof(password),
		    &new_person)) == 0 && new_person)
			printf("%s\n", password);
		else if (status == 0)
			fprintf(stderr, "portalctl: %s has an account already; "
			    "they sign in to this clinic with their own "
			    "password\n", o.email);
	} else if (strcmp(command, "grant-module") == 0 ||
	    strcmp(command, "revoke-module") == 0) {
		if (need(o.clinic, "clinic") || need(o.module, "module"))
			status = 2;
		else if (!module_known(o.module))
			status = 2;
		else
			status = report(db_module_set(ctl.db, o.clinic, o.module,
			    command[0] == 'g'), command);
	} else if (strcmp(command, "set-public-url") == 0) {
		/* Only here: the API's role may not change it (sql/0020). */
		status = need(o.clinic, "clinic") ? 2 :
		    report(db_clinic_public_url_set(ctl.db, o.clinic,
		    o.url != NULL && *o.url != '\0' ? o.url : NULL), command);
	} else if (strcmp(command, "create-api-key") == 0) {
		char key[CRYPTO_API_KEY_CHARS + 1];

		if ((status = create_api_key(&ctl, &o, key)) == 0)
			printf("%s\n", key);
	} else if (strcmp(command, "seed-demo") == 0) {
		if (db_begin(ctl.db) != ERR_OK)
			status = 1;
		else if ((status = seed_demo(&ctl, o.pay_secret_file)) == 0)
			status = db_commit(ctl.db) == ERR_OK ? 0 : 1;
		else
			db_rollback(ctl.db);
	} else if (strcmp(command, "purge-sessions") == 0) {
		const char *text;
		enum err err = db_purge_sessions(ctl.db, ctl.arena,
		    conf.staff_session_idle, conf.patient_session_idle, &text);

		if ((status = report(err, command)) == 0)
			fputs(text, stdout);
	} else if (strcmp(command, "expire-payments") == 0) {
		long older = conf.payment_pending_timeout, count = 0, purged = 0;
		char *end = NULL;
		enum err err;

		if (o.older_than != NULL) {
			older = strtol(o.older_than, &end, 10);
			if (*o.older_than == '\0' || *end != '\0' || older < 0) {
				fprintf(stderr, "portalctl: --older-than takes "
				    "a number of seconds\n");
				status = 2;
			}
		}
		if (status == 0) {
			err = db_payments_expire_all(ctl.db, ctl.arena, older,
			    &count, &purged);
			if ((status = report(err, command)) == 0)
				printf("expired %ld pending payment%s; forgot %ld "
				    "idempotency key%s past 24 hours\n", count,
				    count == 1 ? "" : "s", purged,
				    purged == 1 ? "" : "s");
		}
	} else if (strcmp(command, "gc-files") == 0) {
		status = gc_files(&ctl, &o);
	} else {
		fprintf(stderr, "portalctl: unknown command '%s'\n", command);
		usage();
		status = 2;
	}
	arena_free(ctl.arena);
	db_close(ctl.db);
	conf_free(&conf);
	return status;
}
