/* filestore_test.c - unit tests of filestore.h on a scratch directory:
 * paths that cannot climb out, the atomic writer (bytes, modes, no
 * temporary file left, the same bytes left as they are and touched, a
 * wrong hash refused), and the collection of files no record refers to
 * (referenced kept, orphans past the grace removed, young files and
 * temporary files in flight kept, odd names and links left, a dry run
 * removing nothing). Serving is tested through nginx
 * (tests/api/files_serving). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "arena.h"
#include "filestore.h"
#include "str.h"

#define CLINIC "0b6f3c1e-2a4d-4c1b-9e8f-1234567890ab"
#define OTHER "7d0a1f2e-3b4c-4d5e-8f60-abcdefabcdef"

struct fixture {
	char dir[64];
	struct arena *a;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/filestore-test-XXXXXX");
	if (mkdtemp(f->dir) == NULL || (f->a = arena_new(4096)) == NULL)
		return -1;
	*state = f;
	return 0;
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	arena_free(f->a);
	free(f);
	return 0;
}

static void
sha_of(const char *data, size_t len, char *hex)
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)data, len);
	str_hex(hex, h, sizeof(h));
}

/* Writes a file at dir/rel (directories made) with an mtime age seconds
 * ago. */
static void
plant(const char *dir, const char *rel, const char *content, long age)
{
	char path[512], *slash;
	struct timespec ts[2];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	for (slash = strchr(path + strlen(dir) + 1, '/'); slash != NULL;
	    slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0750);
		*slash = '/';
	}
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(content, fp);
	fclose(fp);
	ts[0].tv_sec = ts[1].tv_sec = time(NULL) - age;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
}

static bool
there(const char *dir, const char *rel)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	return lstat(path, &st) == 0;
}

/* How many entries of dir end in ".tmp". */
static int
temps_in(const char *dir)
{
	char cmd[600];
	FILE *p;
	int n = -1;

	snprintf(cmd, sizeof(cmd), "find '%s' -name '*.tmp' | wc -l", dir);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_int_equal(fscanf(p, "%d", &n), 1);
	pclose(p);
	return n;
}

static void
test_path(void **state)
{
	struct fixture *f = *state;
	const char *sha = "ab34567890abcdef1234567890abcdef1234567890abcdef1234567890abcdef";

	assert_string_equal(filestore_path(f->a, CLINIC, sha),
	    "files/" CLINIC "/ab/" "ab34567890abcdef1234567890abcdef1234567890abcdef1234567890abcdef");
	/* Nothing that could climb out of the files directory. */
	assert_null(filestore_path(f->a, "../../etc", sha));
	assert_null(filestore_path(f->a, CLINIC, "../passwd"));
	assert_null(filestore_path(f->a, CLINIC, NULL));
	assert_null(filestore_path(f->a, NULL, sha));
	/* Upper-case or short hashes are not names the store writes. */
	assert_null(filestore_path(f->a, CLINIC,
	    "AB34567890abcdef1234567890abcdef1234567890abcdef1234567890abcdef"));
	assert_null(filestore_path(f->a, CLINIC, "ab34"));
	assert_false(filestore_is_sha256(NULL));
	assert_true(filestore_is_sha256(sha));
}

static void
test_put_writes_atomically_with_modes(void **state)
{
	struct fixture *f = *state;
	const char data[] = "%PDF-1.7 Kontrol raporu";
	char sha[FILESTORE_SHA256_HEX], path[512], buf[64];
	struct stat st;
	mode_t old = umask(0);
	FILE *fp;
	size_t n;

	sha_of(data, sizeof(data) - 1, sha);
	assert_false(filestore_exists(f->a, f->dir, CLINIC, sha));
	assert_int_equal(filestore_put(f->a, f->dir, CLINIC, sha, data,
	    sizeof(data) - 1), ERR_OK);
	umask(old);
	assert_true(filestore_exists(f->a, f->dir, CLINIC, sha));
	snprintf(path, sizeof(path), "%s/%s", f->dir,
	    filestore_path(f->a, CLINIC, sha));
	fp = fopen(path, "rb");
	assert_non_null(fp);
	n = fread(buf, 1, sizeof(buf), fp);
	fclose(fp);
	assert_int_equal(n, sizeof(data) - 1);
	assert_memory_equal(buf, data, n);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	snprintf(path, sizeof(path), "%s/files/%s/%.2s", f->dir, CLINIC, sha);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0750);
	snprintf(path, sizeof(path), "%s/files/%s", f->dir, CLINIC);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0750);
	assert_int_equal(temps_in(f->dir), 0);
}

static void
test_same_bytes_left_and_touched(void **state)
{
	struct fixture *f = *state;
	const char data[] = "the same bytes twice";
	char sha[FILESTORE_SHA256_HEX], rel[256], path[512];
	struct stat before, after;

	sha_of(data, sizeof(data) - 1, sha);
	snprintf(rel, sizeof(rel), "files/%s/%.2s/%s", CLINIC, sha, sha);
	/* Stored a day ago. */
	plant(f->dir, rel, data, 86400);
	snprintf(path, sizeof(path), "%s/%s", f->dir, rel);
	assert_int_equal(stat(path, &before), 0);
	assert_int_equal(filestore_put(f->a, f->dir, CLINIC, sha, data,
	    sizeof(data) - 1), ERR_OK);
	assert_int_equal(stat(path, &after), 0);
	/* The same file (not written again), its time now. */
	assert_int_equal(after.st_ino, before.st_ino);
	assert_true(after.st_mtime >= time(NULL) - 5);
	assert_int_equal(temps_in(f->dir), 0);
}

static void
test_put_refuses_a_wrong_hash(void **state)
{
	struct fixture *f = *state;
	const char data[] = "these bytes";
	const char *wrong = "00000000000000000000000000000000"
	    "00000000000000000000000000000000";

	assert_int_equal(filestore_put(f->a, f->dir, CLINIC, wrong, data,
	    sizeof(data) - 1), ERR_INVALID);
	assert_false(filestore_exists(f->a, f->dir, CLINIC, wrong));
	assert_false(there(f->dir, "files"));
	assert_int_equal(filestore_put(f->a, f->dir, "not-a-uuid", wrong,
	    data, sizeof(data) - 1), ERR_INVALID);
}

static void
test_write_refuses_paths_out(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(filestore_write(f->a, f->dir, "../x", "a", 1),
	    ERR_INVALID);
	assert_int_equal(filestore_write(f->a, f->dir, "/etc/x", "a", 1),
	    ERR_INVALID);
	assert_int_equal(filestore_write(f->a, f->dir, "a/../../x", "a", 1),
	    ERR_INVALID);
	assert_int_equal(filestore_write(f->a, f->dir, "a//x", "a", 1),
	    ERR_INVALID);
	assert_int_equal(filestore_write(f->a, f->dir, "a/./x", "a", 1),
	    ERR_INVALID);
	assert_int_equal(filestore_write(f->a, f->dir, "a/", "a", 1),
	    ERR_INVALID);
	assert_int_equal(filestore_write(f->a, f->dir, "a/x\n", "a", 1),
	    ERR_INVALID);
	assert_int_equal(filestore_write(f->a, f->dir, "", "a", 1),
	    ERR_INVALID);
	assert_int_equal(filestore_remove(f->a, f->dir, "../x"), ERR_INVALID);
	assert_false(filestore_rel_exists(f->a, f->dir, "../x"));
	/* A plain relative path is fine, and removable; twice too. */
	assert_int_equal(filestore_write(f->a, f->dir, "photos/x/y.jpg", "a", 1),
	    ERR_OK);
	assert_true(filestore_rel_exists(f->a, f->dir, "photos/x/y.jpg"));
	assert_int_equal(filestore_remove(f->a, f->dir, "photos/x/y.jpg"), ERR_OK);
	assert_false(filestore_rel_exists(f->a, f->dir, "photos/x/y.jpg"));
	assert_int_equal(filestore_remove(f->a, f->dir, "photos/x/y.jpg"), ERR_OK);
}

/* ---- the collection ---- */

struct fake_refs {
	const char *clinic;
	const char *const *shas;
	size_t n;
	int calls;
	enum err fail;
};

static enum err
fake_refs(void *ctx, struct arena *a, const char *clinic_id,
    const char *const **shas, size_t *count)
{
	struct fake_refs *r = ctx;

	(void)a;
	r->calls++;
	if (r->fail != ERR_OK)
		return r->fail;
	if (strcmp(clinic_id, r->clinic) == 0) {
		*shas = r->shas;
		*count = r->n;
	} else {
		*shas = NULL;
		*count = 0;
	}
	return ERR_OK;
}

#define H(c) c c c c c c c c c c c c c c c c	/* 4 hex digits x 16 */
#define SHA_REF H("aaaa")		/* referenced by CLINIC */
#define SHA_ORPHAN H("bbbb")		/* referenced by nobody */
#define SHA_YOUNG H("cccc")		/* nobody's, but just stored */
#define SHA_PHOTO H("dddd")		/* a referenced photo */
#define SHA_OLD_PHOTO H("eeee")		/* a photo nobody uses */


static char rel_ref[160], rel_orphan[160], rel_young[160], rel_other[160],
    rel_photo[160], rel_old_photo[160], rel_tmp_old[200], rel_tmp_new[200],
    rel_odd[160], rel_link[160];

static void
plant_tree(const char *dir)
{
	char target[512], link[512];

	snprintf(rel_ref, sizeof(rel_ref), "files/%s/aa/%s", CLINIC, SHA_REF);
	snprintf(rel_orphan, sizeof(rel_orphan), "files/%s/bb/%s", CLINIC,
	    SHA_ORPHAN);
	snprintf(rel_young, sizeof(rel_young), "files/%s/cc/%s", CLINIC,
	    SHA_YOUNG);
	/* The same hash as CLINIC's referenced file, but in another clinic,
	 * where nobody refers to it: it goes. */
	snprintf(rel_other, sizeof(rel_other), "files/%s/aa/%s", OTHER, SHA_REF);
	snprintf(rel_photo, sizeof(rel_photo), "photos/%s/dd/%s.jpg", CLINIC,
	    SHA_PHOTO);
	snprintf(rel_old_photo, sizeof(rel_old_photo), "photos/%s/ee/%s.jpg",
	    CLINIC, SHA_OLD_PHOTO);
	snprintf(rel_tmp_old, sizeof(rel_tmp_old),
	    "files/%s/bb/%s.0123456789abcdef.tmp", CLINIC, SHA_ORPHAN);
	snprintf(rel_tmp_new, sizeof(rel_tmp_new),
	    "photos/%s/dd/%s.jpg.0123456789abcdef.tmp", CLINIC, SHA_PHOTO);
	/* Not a name the store writes (the hash is not its directory's). */
	snprintf(rel_odd, sizeof(rel_odd), "files/%s/aa/%s", CLINIC, SHA_ORPHAN);
	snprintf(rel_link, sizeof(rel_link), "files/%s/cc/%s", CLINIC,
	    H("cccd"));
	plant(dir, rel_ref, "referenced", 7200);
	plant(dir, rel_orphan, "orphan", 7200);
	plant(dir, rel_young, "young", 60);
	plant(dir, rel_other, "other clinic", 7200);
	plant(dir, rel_photo, "photo", 7200);
	plant(dir, rel_old_photo, "old photo", 7200);
	plant(dir, rel_tmp_old, "crashed", 7200);
	plant(dir, rel_tmp_new, "in flight", 10);
	plant(dir, rel_odd, "odd", 7200);
	plant(dir, "files/not-a-clinic/aa/x", "odd", 7200);
	/* A link to a file outside, under a name the store writes. */
	plant(dir, "outside", "keep me", 7200);
	snprintf(target, sizeof(target), "%s/outside", dir);
	snprintf(link, sizeof(link), "%s/%s", dir, rel_link);
	assert_int_equal(symlink(target, link), 0);
}

static void
test_gc_removes_orphans_past_the_grace(void **state)
{
	struct fixture *f = *state;
	static const char *const refs[] = { SHA_PHOTO, SHA_REF };
	struct fake_refs r = { CLINIC, refs, 2, 0, ERR_OK };
	struct filestore_gc_stats st;
	char *out = NULL;
	size_t out_len = 0;
	FILE *mem;

	plant_tree(f->dir);
	mem = open_memstream(&out, &out_len);
	assert_non_null(mem);
	assert_int_equal(filestore_gc(f->dir, NULL, 3600, false, fake_refs, &r, mem,
	    &st), ERR_OK);
	fclose(mem);
	assert_true(there(f->dir, rel_ref));
	assert_true(there(f->dir, rel_photo));
	assert_true(there(f->dir, rel_young));
	assert_true(there(f->dir, rel_tmp_new));
	assert_true(there(f->dir, rel_odd));
	assert_true(there(f->dir, rel_link));
	assert_true(there(f->dir, "outside"));
	assert_true(there(f->dir, "files/not-a-clinic/aa/x"));
	assert_false(there(f->dir, rel_orphan));
	assert_false(there(f->dir, rel_other));
	assert_false(there(f->dir, rel_old_photo));
	assert_false(there(f->dir, rel_tmp_old));
	assert_int_equal(st.removed, 4);
	assert_int_equal(st.temp_removed, 1);
	assert_int_equal(st.removed_bytes, strlen("orphan") +
	    strlen("other clinic") + strlen("old photo") + strlen("crashed"));
	assert_int_equal(st.referenced, 2);
	assert_int_equal(st.young, 2);
	/* The odd name, the link, the directory that is not a clinic. */
	assert_int_equal(st.skipped, 3);
	/* Asked once per clinic that had candidates. */
	assert_int_equal(r.calls, 2);
	assert_non_null(strstr(out, "removed files/" CLINIC "/bb/" SHA_ORPHAN
	    " (6 bytes)\n"));
	assert_non_null(strstr(out, "removed photos/" CLINIC "/ee/"));
	free(out);
}

static void
test_gc_dry_run_removes_nothing(void **state)
{
	struct fixture *f = *state;
	static const char *const refs[] = { SHA_REF };
	struct fake_refs r = { CLINIC, refs, 1, 0, ERR_OK };
	struct filestore_gc_stats st;
	char *out = NULL;
	size_t out_len = 0;
	FILE *mem;

	plant_tree(f->dir);
	mem = open_memstream(&out, &out_len);
	assert_int_equal(filestore_gc(f->dir, NULL, 3600, true, fake_refs, &r, mem,
	    &st), ERR_OK);
	fclose(mem);
	assert_true(there(f->dir, rel_orphan));
	assert_true(there(f->dir, rel_photo));
	assert_true(there(f->dir, rel_tmp_old));
	/* This time the photo is nobody's: it would go too. */
	assert_int_equal(st.removed, 5);
	assert_non_null(strstr(out, "would remove files/" CLINIC "/bb/"));
	free(out);
}

static void
test_gc_one_clinic_a_shorter_grace_and_a_failing_reader(void **state)
{
	struct fixture *f = *state;
	struct fake_refs r = { CLINIC, NULL, 0, 0, ERR_DB };
	struct filestore_gc_stats st;

	plant_tree(f->dir);
	/* One clinic alone: the other's orphan goes, CLINIC's stay. */
	assert_int_equal(filestore_gc(f->dir, OTHER, 3600, false, fake_refs, &r,
	    NULL, &st), ERR_DB);
	r.fail = ERR_OK;
	assert_int_equal(filestore_gc(f->dir, OTHER, 3600, false, fake_refs, &r,
	    NULL, &st), ERR_OK);
	assert_int_equal(st.removed, 1);
	assert_false(there(f->dir, rel_other));
	assert_true(there(f->dir, rel_orphan));
	assert_int_equal(filestore_gc(f->dir, "../x", 3600, false, fake_refs,
	    &r, NULL, &st), ERR_INVALID);
	r.fail = ERR_DB;
	/* The references cannot be read: nothing goes. */
	assert_int_equal(filestore_gc(f->dir, NULL, 3600, false, fake_refs, &r, NULL,
	    &st), ERR_DB);
	assert_int_equal(st.removed, 0);
	assert_true(there(f->dir, rel_orphan));
	assert_true(there(f->dir, rel_tmp_old));
	/* A grace of 5 s: the young file (60 s) goes too, the temporary file
	 * in flight (10 s) as well; the referenced ones stay. */
	r.fail = ERR_OK;
	assert_int_equal(filestore_gc(f->dir, NULL, 5, false, fake_refs, &r, NULL,
	    &st), ERR_OK);
	assert_false(there(f->dir, rel_young));
	assert_false(there(f->dir, rel_tmp_new));
	assert_true(there(f->dir, "outside"));
	/* Nothing to collect in an empty or missing store. */
	assert_int_equal(filestore_gc("/nonexistent/filestore-test", NULL, 3600, false,
	    fake_refs, &r, NULL, &st), ERR_OK);
	assert_int_equal(st.removed, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_path, setup, teardown),
		cmocka_unit_test_setup_teardown(test_put_writes_atomically_with_modes,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_same_bytes_left_and_touched,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_put_refuses_a_wrong_hash,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_refuses_paths_out,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_gc_removes_orphans_past_the_grace,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_gc_dry_run_removes_nothing,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_gc_one_clinic_a_shorter_grace_and_a_failing_reader, setup,
		    teardown),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests_name("filestore", tests, NULL, NULL);
}
