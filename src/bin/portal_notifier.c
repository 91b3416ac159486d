/*
 * portal-notifier - delivers the outbox. Usage: portal-notifier [-c FILE]
 *
 * This first version holds the process shape the delivery work builds on:
 * config, its own database role, LISTEN outbox, a poll interval, and a
 * clean stop on SIGTERM. Claiming and sending messages arrive with the
 * outbox itself (see src/notifier/README.md).
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
