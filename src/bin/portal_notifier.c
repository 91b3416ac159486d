/*
 * portal-notifier - delivers the outbox. Usage: portal-notifier [-c FILE]
 *
 * Claims due outbox rows in batches (FOR UPDATE SKIP LOCKED, with a
 * lease), sends SMS over the HTTP gateway and email over SMTP, and records
 * each outcome with retries and backoff; several may run at once. Its own
 * database role, LISTEN outbox plus a poll interval, a clean stop on
 * SIGTERM. See src/notifier/README.md.
 */
#include "config.h"

#include <stdio.h>
#include <unistd.h>

#include "cli.h"
#include "conf.h"
#include "notifier.h"

int
main(int argc, char **argv)
{
	const char *explicit_path = NULL, *path;
	struct conf conf;
	int opt, status;

	while ((opt = getopt(argc, argv, "c:")) != -1) {
		switch (opt) {
		case 'c':
			explicit_path = optarg;
			break;
		default:
			fprintf(stderr, "usage: portal-notifier [-c FILE]\n");
			return 2;
		}
	}
	if (cli_load_conf("portal-notifier", explicit_path, &conf, &path) != 0)
		return 1;
	status = notifier_run(&conf);
	conf_free(&conf);
	return status;
}
