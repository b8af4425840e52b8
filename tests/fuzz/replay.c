/*
 * Replays a fuzz target's corpus without libFuzzer: each argument is a file
 * or a folder of files, and each file is handed once to the target's
 * LLVMFuzzerTestOneInput. Linked with every target in the normal builds, so
 * that `make check` runs every seed and every input that once crashed (and
 * `make asan` runs them under ASan and UBSan). A crash is the failure; the
 * target itself aborts when an invariant it checks does not hold.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

/* The largest input replayed; corpus files are small by design. */
#define REPLAY_MAX (16u << 20)

static int
replay_file(const char *path)
{
	FILE *fp = fopen(path, "rb");
	if (fp == NULL) {
		fprintf(stderr, "replay: cannot open %s\n", path);
		return -1;
	}
	size_t cap = 4096, len = 0;
	uint8_t *buf = malloc(cap);
	while (buf != NULL) {
		if (len == cap) {
			if (cap >= REPLAY_MAX) {
				fprintf(stderr, "replay: %s is too large\n",
					path);
				free(buf);
				fclose(fp);
				return -1;
			}
			uint8_t *g = realloc(buf, cap * 2);
			if (g == NULL) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = g;
			cap *= 2;
		}
		size_t got = fread(buf + len, 1, cap - len, fp);
		if (got == 0)
			break;
		len += got;
	}
	int bad = buf == NULL || ferror(fp);
	fclose(fp);
	if (bad) {
		free(buf);
		fprintf(stderr, "replay: cannot read %s\n", path);
		return -1;
	}
	/* An exact-size copy, so that ASan sees a read one past the end. */
	uint8_t *exact = malloc(len > 0 ? len : 1);
	if (exact == NULL) {
		free(buf);
		return -1;
	}
	memcpy(exact, buf, len);
	free(buf);
	LLVMFuzzerTestOneInput(exact, len);
	free(exact);
	return 0;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Replays every regular file of dir in name order; returns the count, or
 * -1 on an error. */
static int
replay_dir(const char *dir)
{
	DIR *d = opendir(dir);
	if (d == NULL) {
		fprintf(stderr, "replay: cannot open folder %s\n", dir);
		return -1;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			char **g = realloc(names, cap * sizeof *g);
			if (g == NULL) {
				rc = -1;
				break;
			}
			names = g;
		}
		size_t len = strlen(dir) + strlen(e->d_name) + 2;
		if ((names[n] = malloc(len)) == NULL) {
			rc = -1;
			break;
		}
		snprintf(names[n++], len, "%s/%s", dir, e->d_name);
	}
	closedir(d);
	if (rc == 0 && n > 0)
		qsort(names, n, sizeof *names, cmp_names);
	int count = 0;
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		if (rc == 0 && stat(names[i], &st) == 0 &&
		    S_ISREG(st.st_mode)) {
			if (replay_file(names[i]) != 0)
				rc = -1;
			else
				count++;
		}
		free(names[i]);
	}
	free(names);
	return rc != 0 ? -1 : count;
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|FOLDER...\n", argv[0]);
		return 2;
	}
	if (LLVMFuzzerInitialize != NULL)
		LLVMFuzzerInitialize(&argc, &argv);
	int total = 0;
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "replay: no such file %s\n", argv[i]);
			return 1;
		}
		int n = S_ISDIR(st.st_mode) ? replay_dir(argv[i])
					    : (replay_file(argv[i]) == 0 ? 1
									 : -1);
		if (n < 0)
			return 1;
		total += n;
	}
	if (total == 0) {
		fprintf(stderr, "replay: no inputs found\n");
		return 1;
	}
	printf("replayed %d inputs\n", total);
	return 0;
}
