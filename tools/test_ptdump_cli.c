/* SPDX-License-Identifier: MIT */
/*
 * ptdump tests: the command line, through ptd_main in-process with memory
 * streams and through the built binary once per exit code.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_ptdump.h"

#ifndef PTDUMP_BIN
#define PTDUMP_BIN "build/ptdump"
#endif

/* ---- Command line and the binary ----------------------------------------- */

/* Run ptd_main; the output without '#' lines is returned in *out. */
bool g_raw_header; /* run_main keeps the '#' lines */

int run_main(char **argv, char **out, char **errout)
{
	char *buf = NULL, *ebuf = NULL, *body;
	size_t len = 0, elen = 0;
	int argc = 0, rc;
	FILE *f = open_memstream(&buf, &len), *e = open_memstream(&ebuf, &elen);
	while (argv[argc])
		argc++;
	rc = ptd_main(argc, argv, f, e);
	fclose(f);
	fclose(e);
	body = calloc(1, len + 1);
	for (char *line = buf, *nl, *w = body; line && *line; line = nl + 1) {
		size_t n;
		nl = strchr(line, '\n');
		n = nl ? (size_t)(nl - line + 1) : strlen(line);
		if (*line != '#' || g_raw_header) {
			memcpy(w, line, n);
			w += n;
		}
		if (!nl)
			break;
	}
	*out = body;
	if (errout)
		*errout = ebuf;
	else
		free(ebuf);
	free(buf);
	return rc;
}

char *write_image(const void *p, size_t n)
{
	char *path = strdup("/tmp/ptdump_test_XXXXXX");
	int fd = mkstemp(path);
	if (fd < 0 || write(fd, p, n) != (ssize_t)n) {
		perror("ptdump test image");
		exit(2);
	}
	close(fd);
	return path;
}

static int sh(const char *cmd)
{
	int st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

void cli(void)
{
	unsigned char *img = calloc(1, 8 * 4096);
	char *path, *out, *err, cmd[512];
	g_ctx = "cli";
	put_pte(img, 0, pt_pte_table(PT_RISCV_SV39, 0, 0x81000), 8);
	for (int i = 0; i < 3; i++)
		put_pte(img, 4096 + 8 * (uint64_t)i,
			pt_pte_page(PT_RISCV_SV39, 0, 1, 0x80200000 + (uint64_t)i * PT_SIZE_2M,
				    PT_READ | PT_WRITE),
			8);
	put_pte(img, 4096 + 8 * 9, 0x4 | 1, 8); /* W without R: reserved */
	path = write_image(img, 8 * 4096);
	{
		char *ok[] = { "ptdump", "--arch", "sv39", "--root=0x80000", "--base", "0x80000",
			       "--stats", path, NULL };
		g_raw_header = true;
		CHECK(run_main(ok, &out, &err) == 1, "corrupt image exits 1");
		g_raw_header = false;
		CHECK(strstr(out, "0x0000000000000000-0x0000000000600000 -> "
				  "0x0000000080200000-0x0000000080800000     6M   2M rw-- normal   A D\n") &&
			      strstr(out, "!! level 1 index 9 of table 0x81000 (va 0x0000000001200000, "
					  "pte 0x5): reserved encoding\n"),
		      "text output:\n%s", out);
		CHECK(strstr(out, "# leaves: 2M=3") && strstr(out, "# corrupt entries: 1") &&
			      strstr(out, "# tables: L0=1 L1=1 L2=0"),
		      "stats:\n%s", out);
		free(out);
		free(err);
	}
	{
		char *tr[] = { "ptdump", "--arch", "riscv_sv39", "--root", "0x80000", "--base", "0x80000",
			       "--translate", "0x200123", "--translate", "0x40000000", "--json", path, NULL };
		CHECK(run_main(tr, &out, NULL) == 0, "translate exits 0");
		CHECK(strstr(out, "\"va\":\"0x0000000000200123\",\"pa\":\"0x0000000080400123\",\"leaf\":\"2M\"") &&
			      strstr(out, "\"error\":\"not mapped\""),
		      "translate json:\n%s", out);
		free(out);
		char *bad[] = { "ptdump", "--arch", "sv39", "--root", "0x80000", "--base", "0x80000",
				"--translate", "0x8000000000", path, NULL };
		CHECK(run_main(bad, &out, NULL) == 2, "non-canonical VA exits 2");
		free(out);
	}
	{
		char *h[] = { "ptdump", "--help", NULL };
		char *u1[] = { "ptdump", "--arch", "vax", "--root", "0", path, NULL };
		char *u2[] = { "ptdump", "--arch", "x86_64", path, NULL };
		char *u3[] = { "ptdump", "--arch", "x86_64", "--root", "0", "/nonexistent/img", NULL };
		char *u4[] = { "ptdump", "--arch", "x86_64", "--root", "0x1000", "--base", "0x80000", path, NULL };
		char *u5[] = { "ptdump", "--arch", "x86_64", "--root", "12junk", path, NULL };
		char *u6[] = { "ptdump", "--arch", "aarch64", "--features", "el2,sv", "--root", "0", path, NULL };
		char *u7[] = { "ptdump", "--arch", "x86_64", "--root", "0", "--va-range", "0x2000-0x1000", path, NULL };
		CHECK(run_main(h, &out, NULL) == 0 && strstr(out, "usage: ptdump"), "--help");
		free(out);
		char **u[] = { u1, u2, u3, u4, u5, u6, u7 };
		for (int i = 0; i < 7; i++) {
			int rc = run_main(u[i], &out, &err);
			CHECK(rc == 2 && strstr(err, "ptdump: "), "usage case %d rc %d err %s", i + 1, rc, err);
			free(out);
			free(err);
		}
	}
	/* The binary itself, one run per exit code. */
	snprintf(cmd, sizeof(cmd), "%s --arch sv39 --root 0x80000 --base 0x80000 %s >/dev/null 2>&1",
		 PTDUMP_BIN, path);
	CHECK(sh(cmd) == 1, "binary on a corrupt image: %s", cmd);
	snprintf(cmd, sizeof(cmd),
		 "%s --arch sv39 --root 0x80000 --base 0x80000 --va-range 0-0x600000 %s >/dev/null 2>&1",
		 PTDUMP_BIN, path);
	CHECK(sh(cmd) == 0, "binary on a clean window: %s", cmd);
	snprintf(cmd, sizeof(cmd), "%s --root 0 %s >/dev/null 2>&1", PTDUMP_BIN, path);
	CHECK(sh(cmd) == 2, "binary usage error: %s", cmd);
	unlink(path);
	free(path);
	free(img);
	group_end("cli");
}
