/* cli.c - config loading shared by the programs' main()s (see cli.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"
#include "conf.h"
#include "log.h"

int
cli_load_conf(const char *prog, const char *explicit_path, struct conf *conf,
    const char **path_out)
{
	const char *path = explicit_path;
	char err[1024];

	if (path == NULL) {
		path = conf_default_path();
		/* Only the built-in default may be absent. */
		if (getenv("PORTAL_CONFIG") == NULL && access(path, F_OK) != 0)
			path = NULL;
	}
	if (conf_load(conf, path, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: configuration: %s\n", prog, err);
		return -1;
	}
	log_init(prog, (enum log_level)log_level_parse(conf->log_level));
	*path_out = path;
	return 0;
}
