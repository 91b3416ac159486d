/*
 * photo_fuzz.c - what photo.h reads of an upload before libvips sees it:
 * photo_sniff(), the markup scan photo_has_markup() (JPEG segments, PNG
 * chunks, RIFF chunks) and photo_jpeg_scans(), over any bytes.
 */
#include "config.h"

#include "fuzz.h"
#include "photo.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy: the walkers must stay inside it. */
	unsigned char *buf = malloc(size > 0 ? size : 1);
	enum photo_kind kind;
	unsigned scans;

	FUZZ_CHECK(buf != NULL);
	if (size > 0)
		memcpy(buf, data, size);
	kind = photo_sniff(buf, size);
	FUZZ_CHECK(kind == PHOTO_UNKNOWN || size >= 3);
	(void)photo_has_markup(buf, size);
	scans = photo_jpeg_scans(buf, size);
	/* A scan is a 0xFF 0xDA and a two-byte length at least. */
	FUZZ_CHECK(kind == PHOTO_JPEG || scans == 0);
	FUZZ_CHECK(scans <= size / 4);
	free(buf);
	return 0;
}
