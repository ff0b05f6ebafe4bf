/* replay_main.c — runs one fuzz entry (tests/fuzz/fuzz_*.c) over files
 * without libFuzzer, so `make check` replays every crash regression under
 * tests/data/regress/<entry>/ in the plain and the ASan+UBSan builds.
 *
 *   replay_<entry> DIR|FILE...     one TAP line per file; exit 1 if any failed
 *
 * An entry signals a broken invariant with __builtin_trap() and a sanitizer
 * aborts the process, so "passed" here means the file ran to completion.
 * Each file runs in a child process: one crash names its file and the others
 * still run. An exact-size heap copy lets ASan see reads past the input.
 */
#include <glib.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_in_child(const char *path)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        gchar *data = NULL;
        gsize len = 0;
        GError *err = NULL;
        if (!g_file_get_contents(path, &data, &len, &err)) {
            fprintf(stderr, "replay: %s\n", err->message);
            _exit(3);
        }
        uint8_t *copy = g_malloc(len ? len : 1);
        memcpy(copy, data, len);
        g_free(data);
        LLVMFuzzerTestOneInput(copy, len);
        g_free(copy);
        exit(0); /* exit, not _exit: LeakSanitizer checks at exit */
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        ;
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    return 128 + WTERMSIG(status);
}

static gint compare_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void add_path(GPtrArray *files, const char *path)
{
    if (!g_file_test(path, G_FILE_TEST_IS_DIR)) {
        g_ptr_array_add(files, g_strdup(path));
        return;
    }
    GDir *dir = g_dir_open(path, 0, NULL);
    if (!dir)
        return;
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    for (const char *n; (n = g_dir_read_name(dir));)
        if (n[0] != '.')
            g_ptr_array_add(names, g_strdup(n));
    g_dir_close(dir);
    g_ptr_array_sort(names, compare_names);
    for (guint i = 0; i < names->len; i++)
        g_ptr_array_add(files, g_build_filename(path, g_ptr_array_index(names, i), NULL));
    g_ptr_array_free(names, TRUE);
}

int main(int argc, char **argv)
{
    GPtrArray *files = g_ptr_array_new_with_free_func(g_free);
    for (int i = 1; i < argc; i++)
        add_path(files, argv[i]);
    int failed = 0;
    for (guint i = 0; i < files->len; i++) {
        const char *path = g_ptr_array_index(files, i);
        int rc = run_in_child(path);
        if (rc == 0) {
            printf("ok %u %s\n", i + 1, path);
        } else {
            failed++;
            printf("not ok %u %s\n# exit status %d (trap, sanitizer report or unreadable)\n", i + 1, path, rc);
        }
    }
    printf("1..%u\n", files->len);
    g_ptr_array_free(files, TRUE);
    return failed ? 1 : 0;
}
