/* config.c — the key file, turned into "--long-name=value" arguments and
 * parsed by GOption with the very table the command line uses, so each key
 * is checked exactly like its option. See config.h. */
#include <errno.h>
#include <string.h>

#include "config.h"

struct remembered_value {
    void *arg_data;
    GOptionArg type;
    void *value;     /* what the file put there */
};

struct config_state {
    GArray *values;  /* struct remembered_value */
};

bool config_key_allowed(const GOptionEntry *e)
{
    return e->long_name && strcmp(e->long_name, "config") != 0 && strcmp(e->long_name, "version") != 0;
}

const char *config_default_path(void)
{
    const char *env = g_getenv("LEAKAUDIT_CONFIG");
    return env && *env ? env : LEAKAUDIT_CONFIG_DEFAULT;
}

const char *config_path_from_argv(int argc, char **argv)
{
    const char *found = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
            found = argv[++i];
        else if (strncmp(argv[i], "--config=", 9) == 0)
            found = argv[i] + 9;
    }
    return found;
}

static bool holds_pointer(GOptionArg t)
{
    return t == G_OPTION_ARG_STRING || t == G_OPTION_ARG_FILENAME || t == G_OPTION_ARG_STRING_ARRAY ||
           t == G_OPTION_ARG_FILENAME_ARRAY;
}

static bool takes_no_value(const GOptionEntry *e)
{
    return e->arg == G_OPTION_ARG_NONE || (e->arg == G_OPTION_ARG_CALLBACK && (e->flags & G_OPTION_FLAG_NO_ARG));
}

static const GOptionEntry *find_entry(const GOptionEntry *entries, const char *key)
{
    for (const GOptionEntry *e = entries; e->long_name; e++)
        if (config_key_allowed(e) && strcmp(e->long_name, key) == 0)
            return e;
    return NULL;
}

/* One key → its arguments on args; false and *err when the value is not of the key's kind. */
static bool key_to_args(GKeyFile *kf, const GOptionEntry *e, const char *key, GPtrArray *args, GError **err)
{
    GError *e2 = NULL;
    if (takes_no_value(e)) {
        gboolean on = g_key_file_get_boolean(kf, LEAKAUDIT_CONFIG_GROUP, key, &e2);
        if (e2) {
            g_set_error(err, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                        "key '%s' takes true or false", key);
            g_error_free(e2);
            return false;
        }
        if (on)
            g_ptr_array_add(args, g_strdup_printf("--%s", key));
        return true;
    }
    if (e->arg == G_OPTION_ARG_STRING_ARRAY || e->arg == G_OPTION_ARG_FILENAME_ARRAY) {
        gsize n = 0;
        gchar **list = g_key_file_get_string_list(kf, LEAKAUDIT_CONFIG_GROUP, key, &n, &e2);
        if (!list) {
            g_propagate_error(err, e2);
            return false;
        }
        for (gsize i = 0; i < n; i++)
            g_ptr_array_add(args, g_strdup_printf("--%s=%s", key, list[i]));
        g_strfreev(list);
        return true;
    }
    gchar *v = g_key_file_get_string(kf, LEAKAUDIT_CONFIG_GROUP, key, &e2);
    if (!v) {
        g_propagate_error(err, e2);
        return false;
    }
    g_ptr_array_add(args, g_strdup_printf("--%s=%s", key, v));
    g_free(v);
    return true;
}

static bool check_groups(GKeyFile *kf, GError **err)
{
    gchar **groups = g_key_file_get_groups(kf, NULL);
    bool ok = true;
    for (gchar **g = groups; *g && ok; g++)
        if (strcmp(*g, LEAKAUDIT_CONFIG_GROUP) != 0) {
            g_set_error(err, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND,
                        "unknown group [%s] (options go in [%s])", *g, LEAKAUDIT_CONFIG_GROUP);
            ok = false;
        }
    g_strfreev(groups);
    return ok;
}

static GPtrArray *file_to_args(GKeyFile *kf, const GOptionEntry *entries, GError **err)
{
    if (!check_groups(kf, err))
        return NULL;
    GPtrArray *args = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(args, g_strdup("leakaudit"));
    gchar **keys = g_key_file_get_keys(kf, LEAKAUDIT_CONFIG_GROUP, NULL, NULL);
    for (gchar **k = keys; k && *k; k++) {
        const GOptionEntry *e = find_entry(entries, *k);
        if (!e) {
            g_set_error(err, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND,
                        "unknown key '%s' (keys are long option names without '--'; see --help)", *k);
            goto fail;
        }
        if (!key_to_args(kf, e, *k, args, err))
            goto fail;
    }
    g_strfreev(keys);
    return args;
fail:
    g_strfreev(keys);
    g_ptr_array_free(args, TRUE);
    return NULL;
}

static void prefix_error(GError **err, const char *path)
{
    if (err && *err)
        g_prefix_error(err, "%s: ", path);
}

struct config_state *config_apply(const GOptionEntry *entries, const char *path, bool missing_ok, GError **err)
{
    struct config_state *st = g_new0(struct config_state, 1);
    st->values = g_array_new(FALSE, TRUE, sizeof(struct remembered_value));
    if (!path || strcmp(path, "none") == 0)
        return st;

    GKeyFile *kf = g_key_file_new();
    GError *lerr = NULL;
    if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, &lerr)) {
        bool missing = g_error_matches(lerr, G_FILE_ERROR, G_FILE_ERROR_NOENT);
        g_key_file_free(kf);
        if (missing && missing_ok) {
            g_error_free(lerr);
            return st;
        }
        g_propagate_error(err, lerr);
        prefix_error(err, path);
        config_done(st);
        return NULL;
    }
    GPtrArray *args = file_to_args(kf, entries, err);
    g_key_file_free(kf);
    if (!args) {
        prefix_error(err, path);
        config_done(st);
        return NULL;
    }

    /* The same table, minus the keys a file may not set. */
    GArray *table = g_array_new(TRUE, TRUE, sizeof(GOptionEntry));
    for (const GOptionEntry *e = entries; e->long_name; e++)
        if (config_key_allowed(e))
            g_array_append_val(table, *e);
    g_ptr_array_add(args, NULL);
    gchar **argv = (gchar **)g_ptr_array_free(args, FALSE);
    GPtrArray *before = g_ptr_array_new();
    for (const GOptionEntry *e = entries; e->long_name; e++)
        g_ptr_array_add(before, holds_pointer(e->arg) && e->arg_data ? *(void **)e->arg_data : NULL);
    GOptionContext *ctx = g_option_context_new(NULL);
    g_option_context_set_help_enabled(ctx, FALSE);
    g_option_context_add_main_entries(ctx, (const GOptionEntry *)(void *)table->data, NULL);
    bool ok = g_option_context_parse_strv(ctx, &argv, err);
    g_option_context_free(ctx);
    g_strfreev(argv);
    g_array_free(table, TRUE);
    if (!ok) {
        g_ptr_array_free(before, TRUE);
        prefix_error(err, path);
        config_done(st);
        return NULL;
    }
    /* Remember only what the file set: the command line may replace it. */
    guint i = 0;
    for (const GOptionEntry *e = entries; e->long_name; e++, i++) {
        if (!holds_pointer(e->arg) || !e->arg_data)
            continue;
        struct remembered_value rv = { e->arg_data, e->arg, *(void **)e->arg_data };
        if (rv.value && rv.value != g_ptr_array_index(before, i))
            g_array_append_val(st->values, rv);
    }
    g_ptr_array_free(before, TRUE);
    return st;
}

static void free_value(GOptionArg type, void *value)
{
    if (type == G_OPTION_ARG_STRING_ARRAY || type == G_OPTION_ARG_FILENAME_ARRAY)
        g_strfreev(value);
    else
        g_free(value);
}

bool config_unset_if_from_file(struct config_state *st, void *arg_data)
{
    for (guint i = 0; st && i < st->values->len; i++) {
        struct remembered_value *rv = &g_array_index(st->values, struct remembered_value, i);
        if (rv->arg_data != arg_data || *(void **)arg_data != rv->value)
            continue;
        free_value(rv->type, rv->value);
        *(void **)arg_data = NULL;
        g_array_remove_index_fast(st->values, i);
        return true;
    }
    return false;
}

void config_done(struct config_state *st)
{
    if (!st)
        return;
    for (guint i = 0; i < st->values->len; i++) {
        struct remembered_value *rv = &g_array_index(st->values, struct remembered_value, i);
        if (*(void **)rv->arg_data == rv->value)
            continue; /* still in use: the owner frees it */
        free_value(rv->type, rv->value);
    }
    g_array_free(st->values, TRUE);
    g_free(st);
}
