/* test_cli.c — the configuration file (keys derived from a GOptionEntry
 * table of every argument kind, command line winning), the progress line's
 * text and HTML escaping of hostile strings. */
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "progress.h"
#include "sink_report.h"

struct values {
    char *name;
    char *path;
    gint number;
    gint64 big;
    double ratio;
    gboolean flag;
    char **list;
    char **files;
    gboolean version;
    char *config;
    int callback_calls;
    char *callback_value;
};

static struct values v;

static gboolean on_callback(const gchar *option_name, const gchar *value, gpointer data, GError **error)
{
    (void)option_name, (void)data, (void)error;
    v.callback_calls++;
    g_free(v.callback_value);
    v.callback_value = g_strdup(value);
    return TRUE;
}

/* Every argument kind GOption has, as other options may add them. */
static const GOptionEntry entries[] = {
    { "name", 'n', 0, G_OPTION_ARG_STRING, &v.name, "a string", "S" },
    { "path", 0, 0, G_OPTION_ARG_FILENAME, &v.path, "a file", "F" },
    { "number", 0, 0, G_OPTION_ARG_INT, &v.number, "an int", "N" },
    { "big", 0, 0, G_OPTION_ARG_INT64, &v.big, "an int64", "N" },
    { "ratio", 0, 0, G_OPTION_ARG_DOUBLE, &v.ratio, "a double", "X" },
    { "flag", 'f', 0, G_OPTION_ARG_NONE, &v.flag, "a switch", NULL },
    { "list", 'l', 0, G_OPTION_ARG_STRING_ARRAY, &v.list, "repeatable", "S" },
    { "files", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &v.files, "repeatable files", "F" },
    { "hook", 0, 0, G_OPTION_ARG_CALLBACK, (gpointer)on_callback, "a callback", "V" },
    { "version", 0, 0, G_OPTION_ARG_NONE, &v.version, "not in files", NULL },
    { "config", 0, 0, G_OPTION_ARG_FILENAME, &v.config, "not in files", "F" },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
};

static void values_clear(void)
{
    g_free(v.name);
    g_free(v.path);
    g_strfreev(v.list);
    g_strfreev(v.files);
    g_free(v.config);
    g_free(v.callback_value);
    memset(&v, 0, sizeof v);
}

static char *write_conf(const char *text)
{
    GError *err = NULL;
    char *path = NULL;
    int fd = g_file_open_tmp("leakaudit-conf-XXXXXX", &path, &err);
    g_assert_no_error(err);
    close(fd);
    g_assert_true(g_file_set_contents(path, text, -1, &err));
    g_assert_no_error(err);
    return path;
}

/* Applies conf, then parses argv as main() does; returns the config error or NULL. */
static GError *run(const char *conf_text, const char *const *args)
{
    values_clear();
    char *path = conf_text ? write_conf(conf_text) : NULL;
    GError *err = NULL;
    struct config_state *st = config_apply(entries, path, false, &err);
    if (path) {
        g_unlink(path);
        g_free(path);
    }
    if (!st)
        return err;
    GPtrArray *argv = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(argv, g_strdup("leakaudit"));
    for (int i = 0; args && args[i]; i++)
        g_ptr_array_add(argv, g_strdup(args[i]));
    g_ptr_array_add(argv, NULL);
    gchar **strv = (gchar **)g_ptr_array_free(argv, FALSE);
    GOptionContext *ctx = g_option_context_new(NULL);
    g_option_context_add_main_entries(ctx, entries, NULL);
    gboolean ok = g_option_context_parse_strv(ctx, &strv, &err);
    g_option_context_free(ctx);
    g_strfreev(strv);
    config_done(st);
    g_assert_true(ok);
    return NULL;
}

static void test_config_every_kind(void)
{
    GError *err = run("# comment\n[leakaudit]\nname = from file\npath = /tmp/x y\nnumber = 42\nbig = 9000000000\n"
                      "ratio = 0.25\nflag = true\nlist = a;b;c\nfiles = /f1;/f2\nhook = hooked\n",
                      NULL);
    g_assert_no_error(err);
    g_assert_cmpstr(v.name, ==, "from file");
    g_assert_cmpstr(v.path, ==, "/tmp/x y");
    g_assert_cmpint(v.number, ==, 42);
    g_assert_cmpint(v.big, ==, G_GINT64_CONSTANT(9000000000));
    g_assert_cmpfloat(v.ratio, ==, 0.25);
    g_assert_true(v.flag);
    g_assert_cmpuint(g_strv_length(v.list), ==, 3);
    g_assert_cmpstr(v.list[2], ==, "c");
    g_assert_cmpuint(g_strv_length(v.files), ==, 2);
    g_assert_cmpstr(v.files[1], ==, "/f2");
    g_assert_cmpint(v.callback_calls, ==, 1);
    g_assert_cmpstr(v.callback_value, ==, "hooked");
    values_clear();
}

/* The command line wins, option by option; what the file set and the
 * command line replaced is freed (ASan's leak check watches this). */
static void test_config_command_line_wins(void)
{
    const char *args[] = { "--name=cli", "-l", "x", "--number", "7", NULL };
    GError *err = run("[leakaudit]\nname = file\nlist = a;b\nnumber = 42\npath = kept\nflag = true\n", args);
    g_assert_no_error(err);
    g_assert_cmpstr(v.name, ==, "cli");
    g_assert_cmpuint(g_strv_length(v.list), ==, 1);
    g_assert_cmpstr(v.list[0], ==, "x");
    g_assert_cmpint(v.number, ==, 7);
    g_assert_cmpstr(v.path, ==, "kept");
    g_assert_true(v.flag);
    values_clear();
}

/* The file's value can be withdrawn (a file's capture yields to -r); the
 * command line's cannot. */
static void test_config_unset(void)
{
    values_clear();
    char *path = write_conf("[leakaudit]\nname = file\nlist = a;b\n");
    GError *err = NULL;
    struct config_state *st = config_apply(entries, path, false, &err);
    g_assert_no_error(err);
    g_unlink(path);
    g_free(path);
    gchar **strv = g_strdupv((gchar *[]){ "leakaudit", "--name=cli", NULL });
    GOptionContext *ctx = g_option_context_new(NULL);
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_assert_true(g_option_context_parse_strv(ctx, &strv, &err));
    g_option_context_free(ctx);
    g_strfreev(strv);
    g_assert_false(config_unset_if_from_file(st, &v.name));
    g_assert_cmpstr(v.name, ==, "cli");
    g_assert_true(config_unset_if_from_file(st, &v.list));
    g_assert_null(v.list);
    g_assert_false(config_unset_if_from_file(st, &v.list));
    config_done(st);
    values_clear();
}

static void test_config_false_switch(void)
{
    GError *err = run("[leakaudit]\nflag = false\n", NULL);
    g_assert_no_error(err);
    g_assert_false(v.flag);
    values_clear();
}

static void expect_error(const char *conf, const char *want)
{
    GError *err = run(conf, NULL);
    g_assert_nonnull(err);
    if (!strstr(err->message, want))
        g_error("config error '%s' does not say '%s'", err->message, want);
    g_assert_true(strstr(err->message, "leakaudit-conf-") != NULL); /* names the file */
    g_error_free(err);
    values_clear();
}

static void test_config_errors(void)
{
    expect_error("[leakaudit]\nnmae = x\n", "unknown key 'nmae'");
    expect_error("[leakaudit]\nversion = true\n", "unknown key 'version'");
    expect_error("[leakaudit]\nconfig = /etc/other\n", "unknown key 'config'");
    expect_error("[leakaudit]\nflag = yes\n", "true or false");
    expect_error("[leakaudit]\nnumber = many\n", "--number");
    expect_error("[leakaudit]\nbig = 12x\n", "--big");
    expect_error("[elsewhere]\nname = x\n", "unknown group [elsewhere]");
    expect_error("this is not a key file\n", "");
}

static void test_config_missing(void)
{
    GError *err = NULL;
    struct config_state *st = config_apply(entries, "/nonexistent/leakaudit.conf", true, &err);
    g_assert_no_error(err);
    g_assert_nonnull(st);
    config_done(st);
    st = config_apply(entries, "/nonexistent/leakaudit.conf", false, &err);
    g_assert_null(st);
    g_assert_error(err, G_FILE_ERROR, G_FILE_ERROR_NOENT);
    g_assert_true(g_str_has_prefix(err->message, "/nonexistent/leakaudit.conf: "));
    g_clear_error(&err);
    st = config_apply(entries, "none", false, &err);
    g_assert_no_error(err);
    config_done(st);
}

static void test_config_path_from_argv(void)
{
    char *a1[] = { "leakaudit", "-r", "x", "--config", "/a.conf", NULL };
    char *a2[] = { "leakaudit", "--config=/b.conf", NULL };
    char *a3[] = { "leakaudit", "--", "--config=/c.conf", NULL };
    char *a4[] = { "leakaudit", "-q", NULL };
    g_assert_cmpstr(config_path_from_argv(5, a1), ==, "/a.conf");
    g_assert_cmpstr(config_path_from_argv(2, a2), ==, "/b.conf");
    g_assert_null(config_path_from_argv(3, a3));
    g_assert_null(config_path_from_argv(2, a4));
}

static void test_progress_format(void)
{
    char buf[160];
    progress_format(buf, sizeof buf, 50u << 20, 200u << 20, 120000, 2.0, 3);
    g_assert_cmpstr(buf, ==, "leakaudit:  25.0% 120000 packets 60000 pkt/s 3 alerts");
    progress_format(buf, sizeof buf, 300, 200, 1, 0.0, 1);
    g_assert_cmpstr(buf, ==, "leakaudit: 100.0% 1 packets 0 pkt/s 1 alert");
    /* Not a terminal, or too small: no progress object at all. */
    FILE *f = tmpfile();
    g_assert_null(progress_new(f, 1ull << 40));
    fclose(f);
}

static void test_html_escape(void)
{
    GString *s = g_string_new(NULL);
    html_escape_append(s, "<script>alert(\"x\")</script>&'");
    g_assert_cmpstr(s->str, ==, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;");
    g_string_truncate(s, 0);
    html_escape_append(s, "a\x01\x1b[31mb\x7f");
    g_assert_cmpstr(s->str, ==, "a??[31mb?");
    g_string_truncate(s, 0);
    html_escape_append(s, "bad\xff\xfeutf8 ok\xc3\xa9");
    g_assert_true(g_utf8_validate(s->str, -1, NULL));
    g_assert_true(strstr(s->str, "\xef\xbf\xbd") != NULL);   /* U+FFFD */
    g_assert_true(g_str_has_suffix(s->str, "ok\xc3\xa9"));
    g_string_free(s, TRUE);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/config/every-kind", test_config_every_kind);
    g_test_add_func("/config/command-line-wins", test_config_command_line_wins);
    g_test_add_func("/config/false-switch", test_config_false_switch);
    g_test_add_func("/config/unset-if-from-file", test_config_unset);
    g_test_add_func("/config/errors", test_config_errors);
    g_test_add_func("/config/missing", test_config_missing);
    g_test_add_func("/config/path-from-argv", test_config_path_from_argv);
    g_test_add_func("/progress/format", test_progress_format);
    g_test_add_func("/report/html-escape", test_html_escape);
    return g_test_run();
}
