/* utc.h - for unit tests: a UTC wall-clock time as microseconds since
 * 1970, the unit of slots.h and tztime.h. */
#ifndef PORTAL_TEST_UTC_H
#define PORTAL_TEST_UTC_H

#include <stdint.h>
#include <time.h>

static inline int64_t
utc(int y, int mo, int d, int h, int mi)
{
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
	    .tm_hour = h, .tm_min = mi };

	return (int64_t)timegm(&tm) * 1000000;
}

#endif
