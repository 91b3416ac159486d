/*
 * portalctl - the operator's command line. Usage: portalctl [-c FILE] COMMAND [OPTIONS]
 *
 *   migrate                                apply the SQL migrations not yet applied
 *   check-config                           load the config and report problems
 *   create-clinic --name N [--code C]      print the new clinic's id
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
#include "db_files.h"
#include "db_patients.h"
#include "db_pay.h"
#include "payprov.h"
#include "db_schedule.h"
#include "db_treatments.h"
#include "db_signin.h"
#include "filestore.h"
#include "migrate.h"
#include "patients.h"
#include "permissions.h"
#include "portal_settings.h"
#include "str.h"

struct opts {
	const char *name, *code, *clinic, *email, *role, *module, *scopes, *url;
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
	    "  create-clinic --name NAME [--code CODE]\n"
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
	if ((err = db_settings_update(c->db, clinic_id, &s)) != ERR_OK)
		return report(err, "portal settings");
	if ((rc = seed_patients(c, clinic_id)) != 0)
		return rc;
	/* Two practitioners, three types, weekday hours and appointments. */
	if ((err = db_schedule_seed_demo(c->db, clinic_id)) != ERR_OK)
		return report(err, "seed schedule");
	if ((err = db_treatment_seed_demo(c->db, clinic_id)) != ERR_OK)
		return report(err, "seed treatments");
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
		const char *id;

		if (db_begin(ctl.db) != ERR_OK)
			status = 1;
		else if ((status = create_clinic(&ctl, &o, &id)) == 0 &&
		    (status = db_commit(ctl.db) == ERR_OK ? 0 : 1) == 0)
			printf("%s\n", id);
		else
			db_rollback(ctl.db);
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
		else if (strcmp(o.module, "patient_portal") != 0) {
			fprintf(stderr, "portalctl: unknown module '%s'\n", o.module);
			status = 2;
		} else
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
