/*
 * Where the shipped data (name tables, ranks, places) are found. Every
 * module that reads data/ asks here, so the rule is stated once.
 */
#include <stdlib.h>
#include <sys/stat.h>

#include <cartel/data.h>

const char *
cartel_data_dir(void)
{
	const char *env = getenv("CARTEL_DATA");
	if (env != NULL && *env != '\0')
		return env;
	/* The source tree's data/ while it is there (a build used in place),
	 * else the installed copy under PREFIX/share/cartel. */
	struct stat sb;
	if (stat(CARTEL_SOURCE_DATA_DIR "/given_names.tsv", &sb) == 0 &&
	    S_ISREG(sb.st_mode))
		return CARTEL_SOURCE_DATA_DIR;
	return CARTEL_DATA_DIR;
}

const char *
cartel_names_dir(void)
{
	return cartel_data_dir();
}
