/* privdrop.c — see privdrop.h. */
#include "privdrop.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <unistd.h>

bool privdrop_check_user(const char *user, GError **err)
{
    errno = 0;
    if (!getpwnam(user)) {
        g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "-Z '%s': no such user%s%s", user,
                    errno ? ": " : "", errno ? g_strerror(errno) : "");
        return false;
    }
    return true;
}

bool privdrop_to_user(const char *user, GError **err)
{
    struct passwd *pw = getpwnam(user);
    if (!pw) {
        g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "-Z '%s': no such user", user);
        return false;
    }
    uid_t uid = pw->pw_uid;
    gid_t gid = pw->pw_gid;
    /* Groups first, uid last: after setuid there is no permission left for the rest. */
    if (initgroups(user, gid) != 0 || setgid(gid) != 0 || setuid(uid) != 0) {
        g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno), "-Z '%s': cannot switch user: %s%s", user,
                    g_strerror(errno), errno == EPERM ? " (needs root or CAP_SETUID and CAP_SETGID)" : "");
        return false;
    }
    if (uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
        g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_PERM, "-Z '%s': root could be regained; refusing to go on", user);
        return false;
    }
    (void)prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    return true;
}
