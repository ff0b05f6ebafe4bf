/* privdrop.c — see privdrop.h. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "privdrop.h"

static struct passwd *lookup(const char *user)
{
    struct passwd *pw = getpwnam(user);
    if (!pw) {
        char *end = NULL;
        errno = 0;
        unsigned long uid = strtoul(user, &end, 10);
        if (*user && end && !*end && errno == 0)
            pw = getpwuid((uid_t)uid);
    }
    return pw;
}

bool privdrop_check_user(const char *user, GError **err)
{
    if (!lookup(user)) {
        g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "-Z: no such user '%s'", user);
        return false;
    }
    return true;
}

bool privdrop_to_user(const char *user, GError **err)
{
    struct passwd *pw = lookup(user);
    if (!pw) {
        g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "-Z: no such user '%s'", user);
        return false;
    }
    uid_t uid = pw->pw_uid;
    gid_t gid = pw->pw_gid;
    if (getuid() == uid && geteuid() == uid)
        return true; /* already that user: nothing to give up */
    if (initgroups(pw->pw_name, gid) != 0 || setgid(gid) != 0 || setuid(uid) != 0) {
        int e = errno;
        g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(e), "-Z %s: cannot switch user: %s", user,
                    g_strerror(e));
        return false;
    }
    /* Paranoia, as tcpdump: if root can be taken back, the drop did not happen. */
    if (uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
        g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_PERM, "-Z %s: could regain root after dropping it", user);
        return false;
    }
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    return true;
}
