/* SPDX-License-Identifier: MIT */
/*
 * Runs the README example (its main renamed readme_example_main) and reports
 * it in the tests/run.sh protocol, so the example only has to return 0.
 */
#include <stdio.h>

int readme_example_main(void);

int main(void)
{
	int r = readme_example_main();
	if (r != 0)
		printf("FAIL README.md example returned %d\n", r);
	printf("[group] readme example: %d passed, %d failed\n", r == 0, r != 0);
	return r != 0;
}
