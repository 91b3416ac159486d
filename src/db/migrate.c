/*
 * migrate.c - ordered, recorded, locked schema migrations (see migrate.h).
 *
 * Uses libpq's simple query protocol, since a migration file holds many
 * statements. The advisory lock is taken on the session, before anything
 * is read, so a second migrator waits and then finds the work done.
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>
#include <sodium.h>

#include "log.h"
#include "migrate.h"
#include "str.h"

/* Any constant will do, as long as nothing else uses it. */
#define MIGRATE_LOCK_KEY "7462113049"
#define MIGRATION_MAX_BYTES (8 * 1024 * 1024)

int
migrate_parse_name(const char *name, int *version)
{
	size_t len = strlen(name);

	if (len < 10 || strcmp(name + len - 4, ".sql") != 0)
		return 0;
	for (int i = 0; i < 4; i++)
		if (!isdigit((unsigned char)name[i]))
			return 0;
	if (name[4] != '_')
		return 0;
	for (size_t i = 5; i < len - 4; i++)
		if (!islower((unsigned char)name[i]) &&
		    !isdigit((unsigned char)name[i]) && name[i] != '_')
			return 0;
	*version = (name[0] - '0') * 1000 + (name[1] - '0') * 100 +
	    (name[2] - '0') * 10 + (name[3] - '0');
	return 1;
}

static char *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long size;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
	    size > MIGRATION_MAX_BYTES || fseek(f, 0, SEEK_SET) != 0)
		goto out;
	buf = malloc((size_t)size + 1);
	if (buf == NULL)
		goto out;
	if (fread(buf, 1, (size_t)size, f) != (size_t)size) {
		free(buf);
		buf = NULL;
		goto out;
	}
	buf[size] = '\0';
	*len = (size_t)size;
out:
	fclose(f);
	return buf;
}

/* Runs sql; true when it succeeded. Logs the server's message otherwise. */
static int
run(PGconn *conn, const char *sql, const char *what)
{
	PGresult *res = PQexec(conn, sql);
	ExecStatusType st = PQresultStatus(res);
	int ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;

	if (!ok)
		log_error("%s failed: %s", what, PQresultErrorMessage(res));
	PQclear(res);
	return ok;
}

static int
filter_migrations(const struct dirent *d)
{
	int v;

	return migrate_parse_name(d->d_name, &v);
}

/* The checksum recorded for version, or NULL when not applied. */
static const char *
applied_checksum(PGresult *applied, int version)
{
	char key[16];

	snprintf(key, sizeof(key), "%d", version);
	for (int i = 0; i < PQntuples(applied); i++)
		if (strcmp(PQgetvalue(applied, i, 0), key) == 0)
			return PQgetvalue(applied, i, 1);
	return NULL;
}

static enum err
apply_one(PGconn *conn, const char *dir, const char *name, int version,
    PGresult *applied, FILE *out)
{
	char path[4096], checksum[crypto_hash_sha256_BYTES * 2 + 1];
	char version_text[16];
	unsigned char digest[crypto_hash_sha256_BYTES];
	const char *recorded, *params[3];
	size_t len = 0;
	char *sql;
	PGresult *res;
	enum err err = ERR_DB;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	sql = read_file(path, &len);
	if (sql == NULL) {
		log_error("cannot read migration %s: %s", path, strerror(errno));
		return ERR_IO;
	}
	crypto_hash_sha256(digest, (const unsigned char *)sql, len);
	str_hex(checksum, digest, sizeof(digest));
	recorded = applied_checksum(applied, version);
	if (recorded != NULL) {
		err = ERR_OK;
		if (strcmp(recorded, checksum) != 0) {
			log_error("migration %s was changed after it was applied; "
			    "add a new migration instead", name);
			err = ERR_INVALID;
		}
		goto out;
	}
	if (!run(conn, "BEGIN", "BEGIN"))
		goto out;
	if (!run(conn, sql, name)) {
		run(conn, "ROLLBACK", "ROLLBACK");
		goto out;
	}
	snprintf(version_text, sizeof(version_text), "%d", version);
	params[0] = version_text;
	params[1] = name;
	params[2] = checksum;
	res = PQexecParams(conn, "INSERT INTO schema_migrations "
	    "(version, name, checksum) VALUES ($1, $2, $3)", 3, NULL, params,
	    NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		log_error("recording %s failed: %s", name,
		    PQresultErrorMessage(res));
		PQclear(res);
		run(conn, "ROLLBACK", "ROLLBACK");
		goto out;
	}
	PQclear(res);
	if (!run(conn, "COMMIT", "COMMIT"))
		goto out;
	fprintf(out, "applied %s\n", name);
	err = ERR_OK;
out:
	free(sql);
	return err;
}

enum err
migrate_run(const char *conninfo, long connect_timeout, const char *dir,
    FILE *out)
{
	const char *keys[] = { "connect_timeout", "application_name", "dbname",
	    NULL };
	char timeout[16];
	const char *values[] = { timeout, "portalctl-migrate", conninfo, NULL };
	struct dirent **names = NULL;
	PGconn *conn;
	PGresult *applied = NULL;
	int n = -1, previous = -1;
	enum err err = ERR_DB;

	snprintf(timeout, sizeof(timeout), "%ld", connect_timeout);
	conn = PQconnectdbParams(keys, values, 1);
	if (conn == NULL || PQstatus(conn) != CONNECTION_OK) {
		log_error("cannot connect for migrations: %s",
		    conn ? PQerrorMessage(conn) : "out of memory");
		goto out;
	}
	if (!run(conn, "SET client_min_messages = warning", "SET") ||
	    !run(conn, "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")", "lock") ||
	    !run(conn, "CREATE TABLE IF NOT EXISTS schema_migrations ("
	    " version integer PRIMARY KEY,"
	    " name text NOT NULL,"
	    " checksum text NOT NULL,"
	    " applied_at timestamptz NOT NULL DEFAULT now())", "create table"))
		goto out;
	applied = PQexec(conn, "SELECT version, checksum FROM schema_migrations");
	if (PQresultStatus(applied) != PGRES_TUPLES_OK) {
		log_error("reading schema_migrations failed: %s",
		    PQresultErrorMessage(applied));
		goto out;
	}
	n = scandir(dir, &names, filter_migrations, alphasort);
	if (n < 0) {
		log_error("cannot list migrations in %s: %s", dir, strerror(errno));
		err = ERR_IO;
		goto out;
	}
	err = ERR_OK;
	for (int i = 0; i < n && err == ERR_OK; i++) {
		int version;

		migrate_parse_name(names[i]->d_name, &version);
		if (version == previous) {
			log_error("two migrations share number %04d", version);
			err = ERR_INVALID;
			break;
		}
		previous = version;
		err = apply_one(conn, dir, names[i]->d_name, version, applied, out);
	}
	if (err == ERR_OK)
		fprintf(out, "schema is up to date (%d migrations)\n", n);
out:
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	PQclear(applied);
	if (conn != NULL)
		PQfinish(conn);	/* ends the session, and with it the lock */
	return err;
}
