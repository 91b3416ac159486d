/* err.c - names of the error enum, for log lines. */
#include "config.h"

#include "err.h"

static const char *const err_names[ERR__MAX] = {
	[ERR_OK] = "ok",
	[ERR_NOT_FOUND] = "not found",
	[ERR_CONFLICT] = "conflict",
	[ERR_INVALID] = "invalid",
	[ERR_FORBIDDEN] = "forbidden",
	[ERR_DB] = "database error",
	[ERR_UPSTREAM] = "upstream error",
	[ERR_NOMEM] = "out of memory",
	[ERR_IO] = "i/o error",
};

const char *
err_str(enum err e)
{
	return (unsigned)e < ERR__MAX ? err_names[e] : "unknown error";
}
