/*
 * pdf_fuzz.c - an uploaded document as file_check() reads it before
 * libvips would: pdf_check() (qpdf, and our own bounded flate and
 * predictors, object walk and raw scan) over any bytes, and for bytes
 * that are not a PDF, file_check() up to the decoding (the type from the
 * bytes, the declared type, the markup scan, where an image ends and what
 * may follow it). libvips is not started, so an image that passes those
 * answers FILE_NOMEM where a worker would decode it.
 */
#include "config.h"

#include "filecheck.h"
#include "fuzz.h"
#include "pdfcheck.h"
#include "photo.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy: every reader must stay inside it. */
	unsigned char *buf = malloc(size > 0 ? size : 1);
	const char *reason = "unset";
	struct file_checked out;
	enum file_verdict fv;
	struct arena *a;
	int v;

	FUZZ_CHECK(buf != NULL);
	if (size > 0)
		memcpy(buf, data, size);
	v = pdf_check(buf, size, &reason);
	FUZZ_CHECK(v >= PDF_CLEAN && v <= PDF_NOMEM);
	FUZZ_CHECK((v == PDF_CLEAN) == (reason == NULL));
	if (size < 5 || memcmp(buf, "%PDF-", 5) != 0) {
		a = arena_new(4096);
		FUZZ_CHECK(a != NULL);
		fv = file_check(a, buf, size, size % 2 ? FILE_KIND_IMAGE :
		    FILE_KIND_DOCUMENT, size % 3 ? NULL : "image/png", 4000000,
		    &out);
		FUZZ_CHECK(fv != FILE_OK);
		FUZZ_CHECK(out.reason != NULL && out.data == NULL);
		if (photo_sniff(buf, size) == PHOTO_UNKNOWN)
			FUZZ_CHECK(fv == FILE_UNSUPPORTED);
		arena_free(a);
	}
	free(buf);
	return 0;
}
