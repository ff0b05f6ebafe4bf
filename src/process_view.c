/* process_view.c — see process_view.h. */
#include "process_view.h"

#include <stdio.h>
#include <string.h>

/* Set once before the capture starts, read-only afterwards. */
static process_view_fn registered_reader;

void process_view_register(process_view_fn fn)
{
    registered_reader = fn;
}

bool process_view_get(const struct event *ev, struct process_view *out)
{
    memset(out, 0, sizeof *out);
    if (!ev->process || !registered_reader)
        return false;
    if (!registered_reader(ev->process, out)) {
        memset(out, 0, sizeof *out);
        return false;
    }
    out->name[PROCESS_NAME_MAX - 1] = '\0';
    return out->pid != 0 || out->name[0] != '\0';
}

const char *process_view_label(const struct process_view *pv, char *buf, size_t len)
{
    if (pv->name[0] && pv->pid)
        snprintf(buf, len, "%s(%u)", pv->name, pv->pid);
    else if (pv->name[0])
        snprintf(buf, len, "%s", pv->name);
    else if (pv->pid)
        snprintf(buf, len, "pid %u", pv->pid);
    else
        snprintf(buf, len, "unknown");
    return buf;
}
