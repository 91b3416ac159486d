/*
 * portalctl - the operator's command line. Usage: portalctl [-c FILE] COMMAND
 *
 * Commands:
 *   migrate        apply the SQL migrations not yet applied
 *   check-config   load the config and report problems
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "conf.h"
#include "migrate.h"

static void
usage(void)
{
	fprintf(stderr,
	    "usage: portalctl [-c FILE] COMMAND\n"
	    "commands:\n"
	    "  migrate        apply the SQL migrations not yet applied\n"
	    "  check-config   load the config and report problems\n");
}

int
main(int argc, char **argv)
{
	const char *explicit_path = NULL, *path, *command;
	struct conf conf;
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
	if (strcmp(command, "migrate") != 0 &&
	    strcmp(command, "check-config") != 0) {
		fprintf(stderr, "portalctl: unknown command '%s'\n", command);
		usage();
		return 2;
	}
	if (cli_load_conf("portalctl", explicit_path, &conf, &path) != 0)
		return 1;
	if (strcmp(command, "migrate") == 0) {
		enum err err = migrate_run(conf.migrate_database_url,
		    conf.db_connect_timeout, conf.sql_dir, stdout);

		if (err != ERR_OK) {
			fprintf(stderr, "portalctl: migrate failed (%s); see the "
			    "log above\n", err_str(err));
			status = 1;
		}
	} else {
		printf("portalctl: configuration OK (%s)\n",
		    path ? path : "defaults and environment");
	}
	conf_free(&conf);
	return status;
}
