/*
 * cli.h - what the three programs' main()s share: finding and loading the
 * config from `-c FILE`, PORTAL_CONFIG or /etc/portal/portal.conf.
 */
#ifndef PORTAL_CLI_H
#define PORTAL_CLI_H

struct conf;

/*
 * Loads the config for program prog. explicit_path is the -c argument or
 * NULL. Without one, $PORTAL_CONFIG or /etc/portal/portal.conf is read;
 * only the latter may be missing (defaults and environment then apply).
 * Sets up logging at the configured level. On failure prints the reason on
 * stderr and returns -1. *path_out receives the path used (or NULL).
 */
int cli_load_conf(const char *prog, const char *explicit_path,
    struct conf *conf, const char **path_out);

#endif
