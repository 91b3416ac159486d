/*
 * conf.h - the configuration shared by portal-api, portal-notifier and
 * portalctl.
 *
 * Read from a `key = value` file, then every key may be overridden by an
 * environment variable PORTAL_<KEY> (upper case). Unknown keys and bad
 * values stop startup with a message naming the key. The whole list of
 * keys, with types, ranges and defaults, is the table in conf.c and the
 * README.
 */
#ifndef PORTAL_CONF_H
#define PORTAL_CONF_H

#include <stdbool.h>
#include <stddef.h>

struct conf {
	/* portal-api */
	char *socket;			/* unix socket path (unless systemd passes one) */
	long socket_mode;		/* permissions of that socket */
	long workers;
	long listen_backlog;
	long shutdown_timeout;		/* seconds a drain may take */
	long max_body_bytes;		/* JSON bodies */
	long max_upload_bytes;		/* file uploads */
	long photo_max_bytes;		/* a profile photo, as uploaded */
	long photo_max_pixels;		/* its width * height, read from the header */
	char *files_dir;		/* stored files (nginx /_files/ serves it) */
	long upload_quota_count;	/* a patient's pending and accepted uploads */
	long upload_quota_bytes;	/* ... and their bytes together */
	long message_rate_per_hour;	/* a patient's own messages per hour, at most */
	long json_max_depth;
	char *log_level;
	char *public_url;		/* base of the portal address */

	/* online payments (DESIGN.md section 12) */
	char *devgateway_url;		/* the devgateway provider (the stack's sink) */
	char *paytr_api_url;		/* PayTR's API, https://www.paytr.com in production */
	long paytr_test_mode;		/* 1: PayTR checkouts are test ones */
	char *payment_key;		/* 64 hex digits: the key sealing the clinics'
					 * provider credentials; empty: none can be saved */
	long payment_pending_timeout;	/* seconds before a pending payment expires */
	long payment_http_timeout_ms;	/* a call to a provider, in all */

	/* PostgreSQL */
	char *database_url;		/* the application's role */
	char *migrate_database_url;	/* the owner role, for portalctl migrate */
	char *notifier_database_url;	/* the notifier's role */
	long db_connect_timeout;	/* seconds */
	char *sql_dir;			/* migrations */

	/* staff sign-in */
	long argon2_opslimit;		/* crypto_pwhash ops limit */
	long argon2_memlimit;		/* bytes */
	long staff_session_idle;	/* seconds without a request */
	long staff_session_absolute;	/* seconds after sign-in */
	/* Failed sign-ins within staff_login_window seconds, then 429: per
	 * (account, client address), per client address, per account. */
	long staff_login_max_failures;
	long staff_login_max_failures_per_address;
	long staff_login_max_failures_per_account;
	long staff_login_window;	/* seconds */
	long staff_login_hash_slots;	/* password hashes at once, all workers */
	long staff_login_hash_wait_ms;	/* wait for a slot, then 503 */
	long cookie_secure;		/* 1: cookies carry Secure */
	long server_timing;		/* 1: answers say their database round
					 * trips and time (Server-Timing) */

	/* patient sign-in */
	char *signin_secret;		/* key of the one-time code hashes (>= 32 chars) */
	long patient_session_idle;	/* seconds without a request */
	long patient_session_absolute;	/* seconds after sign-in */
	long patient_login_max_per_contact; /* starts per contact per window */
	long patient_login_max_per_address; /* starts per client address per window */
	long patient_login_window;	/* seconds */
	long otp_lifetime;		/* seconds a one-time code is valid */
	long otp_max_attempts;		/* tries per code */
	long otp_failure_budget;	/* a clinic's failed code verifications per
					 * window before each wrong try waits */
	long otp_failure_window;	/* seconds */
	/* portal-notifier */
	long notifier_poll_interval;	/* seconds between polls without NOTIFY */
	long notifier_batch_size;	/* messages claimed at once */
	long notifier_lease;		/* seconds a claim holds before others retake it */
	long notifier_max_attempts;	/* tries before a message is dead */
	long notifier_backoff_base;	/* seconds before the first retry, doubling */
	long notifier_backoff_max;	/* ceiling of that wait */
	char *smtp_host;
	long smtp_port;
	char *smtp_starttls;		/* no, if-available, required */
	char *smtp_user;		/* empty: no AUTH */
	char *smtp_password;
	char *smtp_from;		/* envelope and From address */
	long smtp_timeout;		/* seconds */
	char *sms_gateway_url;
	char *sms_gateway_token;	/* Bearer token; empty: none sent */
	char *sms_sender;
	long sms_timeout;		/* seconds */
};

/* Fills c with defaults, then the file at path (NULL: no file; a path given
 * but unreadable is an error), then the environment. On failure returns
 * -1 with a message naming the key in err and leaves c freed. Free with
 * conf_free(). */
int conf_load(struct conf *c, const char *path, char *err, size_t errlen);

/* Parses text as the contents of a file named `name` (for tests). */
int conf_load_text(struct conf *c, const char *text, const char *name,
    char *err, size_t errlen);

/* Frees the strings of c. Accepts a zeroed struct. */
void conf_free(struct conf *c);

/* The default config path: $PORTAL_CONFIG, else /etc/portal/portal.conf. */
const char *conf_default_path(void);

#endif
