/* SPDX-License-Identifier: MIT */
/*
 * A main() for the harnesses without libFuzzer: rerun inputs under gcc,
 * Valgrind or a debugger, and replay corpora in `make check`.
 *
 *   replay_<harness> [-n] [-g group] [-k known] path...
 *
 * Paths are files or directories (every regular file inside, sorted). Each
 * input runs in a child process, so one crash does not hide the others;
 * -n runs them in-process instead (what Valgrind wants). One line per run:
 * "[group] <group>: <p> passed, <f> failed" (tests/run.sh protocol).
 * -k names a file listing inputs (basenames) of known, still-open library
 * bugs: their failure counts as expected; their passing is reported so the
 * entry gets removed once the bug is fixed.
 */
#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define FZ_NO_CONTEXT
#include "fuzz_common.h"

/* In a coverage build, a child must write its profile itself: _exit skips
 * the atexit hook that normally does it. Weak: absent elsewhere. */
extern int __llvm_profile_write_file(void) __attribute__((weak));

static char **known;
static size_t nknown;

static bool is_known(const char *path)
{
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	for (size_t i = 0; i < nknown; i++)
		if (strcmp(known[i], b) == 0)
			return true;
	return false;
}

static void load_known(const char *file)
{
	char line[512];
	FILE *f = fopen(file, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, " \t\r\n#")] = 0;
		if (!line[0])
			continue;
		known = realloc(known, (nknown + 1) * sizeof(*known));
		if (!known || !(known[nknown] = strdup(line)))
			exit(2);
		nknown++;
	}
	fclose(f);
}

static int run_one(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;
	if (!f)
		return -1;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return -1;
	}
	/* Exactly n bytes (at least 1 to keep malloc honest): ASan sees reads
	 * past the input. */
	buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		free(buf);
		return -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, (size_t)n);
	free(buf);
	return 0;
}

static unsigned pass, fail;
static bool nofork;

static void one(const char *path)
{
	bool ok, k = is_known(path);
	if (nofork && k) {
		/* In-process, a known crasher would end the run: skip it. */
		pass++;
		printf("skipped (known open bug): %s\n", path);
		return;
	}
	if (nofork) {
		ok = run_one(path) == 0;
	} else {
		int st;
		pid_t p;
		fflush(NULL);
		p = fork();
		if (p == 0) {
			/* Known failures stay quiet in make check. */
			if (k && !freopen("/dev/null", "w", stderr))
				_exit(3);
			int rc = run_one(path);
			if (__llvm_profile_write_file)
				__llvm_profile_write_file();
			_exit(rc == 0 ? 0 : 3);
		}
		ok = p > 0 && waitpid(p, &st, 0) == p && WIFEXITED(st) && WEXITSTATUS(st) == 0;
	}
	if (k && !ok) {
		pass++;
		printf("xfail (known open bug): %s\n", path);
	} else if (k) {
		fail++;
		printf("XPASS: %s no longer fails: remove it from the known list\n", path);
	} else if (ok) {
		pass++;
	} else {
		fail++;
		printf("FAIL: %s\n", path);
	}
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void walk(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	char **v = NULL;
	size_t n = 0;
	if (stat(path, &st) != 0) {
		printf("FAIL: cannot read %s\n", path);
		fail++;
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		one(path);
		return;
	}
	if (!(d = opendir(path)))
		return;
	while ((e = readdir(d))) {
		char *p;
		if (e->d_name[0] == '.')
			continue;
		size_t len = strlen(path) + strlen(e->d_name) + 2;
		if (!(p = malloc(len)))
			exit(2);
		snprintf(p, len, "%s/%s", path, e->d_name);
		if (stat(p, &st) != 0 || !S_ISREG(st.st_mode)) {
			free(p);
			continue;
		}
		v = realloc(v, (n + 1) * sizeof(*v));
		if (!v)
			exit(2);
		v[n++] = p;
	}
	closedir(d);
	qsort(v, n, sizeof(*v), cmp);
	for (size_t i = 0; i < n; i++) {
		one(v[i]);
		free(v[i]);
	}
	free(v);
}

int main(int argc, char **argv)
{
	const char *group = NULL;
	int c;
	while ((c = getopt(argc, argv, "ng:k:")) != -1) {
		switch (c) {
		case 'n': nofork = true; break;
		case 'g': group = optarg; break;
		case 'k': load_known(optarg); break;
		default:
			fprintf(stderr, "usage: %s [-n] [-g group] [-k known] path...\n", argv[0]);
			return 2;
		}
	}
	for (int i = optind; i < argc; i++)
		walk(argv[i]);
	printf("[group] %s: %u passed, %u failed\n", group ? group : argv[0], pass, fail);
	return fail ? 1 : 0;
}
