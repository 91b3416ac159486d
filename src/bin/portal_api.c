/*
 * portal-api - the FastCGI server. Usage: portal-api [-c FILE] [-t | -r]
 *   -c FILE  config file (default $PORTAL_CONFIG or /etc/portal/portal.conf)
 *   -t       check the config and exit
 *   -r       print the route table ("METHOD PATTERN" lines) and exit; the
 *            tests compare it with the OpenAPI document
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "conf.h"
#include "routes.h"
#include "server.h"

int
main(int argc, char **argv)
{
	const char *explicit_path = NULL, *path;
	struct conf conf;
	int opt, check_only = 0;

	while ((opt = getopt(argc, argv, "c:tr")) != -1) {
		switch (opt) {
		case 'c':
			explicit_path = optarg;
			break;
		case 't':
			check_only = 1;
			break;
		case 'r':
			for (size_t i = 0; i < routes_count; i++)
				printf("%s %s\n", routes[i].method,
				    routes[i].pattern);
			return 0;
		default:
			fprintf(stderr, "usage: portal-api [-c FILE] [-t | -r]\n");
			return 2;
		}
	}
	if (cli_load_conf("portal-api", explicit_path, &conf, &path) != 0)
		return 1;
	/* Sign-in code hashes are keyed with it; every host must share it. */
	if (strlen(conf.signin_secret) < 32) {
		fprintf(stderr, "portal-api: %s: key 'signin_secret' must be set "
		    "to at least 32 random characters (e.g. the output of "
		    "'head -c 32 /dev/urandom | od -An -tx1 | tr -d \" \\n\"')\n",
		    path ? path : "configuration");
		conf_free(&conf);
		return 1;
	}
	if (check_only) {
		printf("portal-api: configuration OK\n");
		conf_free(&conf);
		return 0;
	}
	return server_run(&conf, path);
}
