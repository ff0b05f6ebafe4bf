/* testutil.h — small helpers shared by the GTest programs. */
#ifndef LEAKAUDIT_TESTUTIL_H
#define LEAKAUDIT_TESTUTIL_H

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>

/* Path of a file in the third-party corpus (../shared/corpus beside the
 * checkout, or $LEAKAUDIT_CORPUS), or NULL when the corpus is not there.
 * Caller frees. */
static inline char *test_corpus_path(const char *rel)
{
    const char *root = g_getenv("LEAKAUDIT_CORPUS");
    char *base = root ? g_strdup(root) : g_build_filename("..", "shared", "corpus", NULL);
    char *path = g_build_filename(base, rel, NULL);
    g_free(base);
    if (!g_file_test(path, G_FILE_TEST_EXISTS)) {
        g_free(path);
        return NULL;
    }
    return path;
}

/* Skips the current test with a note the runner collects when the corpus is
 * missing (a user's clone has no ../shared). */
#define TEST_NEED_CORPUS(var, rel)                                                  \
    char *var = test_corpus_path(rel);                                              \
    if (!var) {                                                                     \
        printf("# SKIP-NOTE corpus not found (../shared/corpus): corpus tests skipped\n"); \
        g_test_skip("corpus file not found: " rel);                                 \
        return;                                                                     \
    }

/* Path of a file inside the repository (tests run from the repo root). */
static inline char *test_repo_path(const char *rel)
{
    const char *root = g_getenv("LEAKAUDIT_ROOT");
    return g_build_filename(root ? root : ".", rel, NULL);
}

#endif
