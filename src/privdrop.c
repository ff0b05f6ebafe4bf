/* privdrop.c — see privdrop.h.
 *
 * Capabilities, KEEPCAPS, the bounding and ambient sets are per thread in
 * Linux, and the syslog sender and the proc-connector watcher run in threads
 * started before the drop. So each step runs in every thread: here in the
 * caller, in the others from a real-time signal handler (raw syscalls only,
 * async-signal-safe), as libcap's psx does. setgid/setuid go through glibc,
 * which already applies them to every thread. */
#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "privdrop.h"

#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif

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

const char *privdrop_default_user(void)
{
    static const char *const candidates[] = { "leakaudit", "nobody" };
    for (size_t i = 0; i < G_N_ELEMENTS(candidates); i++)
        if (getpwnam(candidates[i]))
            return candidates[i];
    return NULL;
}

static bool caps_get(struct __user_cap_data_struct data[2])
{
    struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
    memset(data, 0, 2 * sizeof data[0]);
    return syscall(SYS_capget, &hdr, data) == 0;
}

static privdrop_caps caps_join(uint32_t lo, uint32_t hi)
{
    return (privdrop_caps)lo | (privdrop_caps)hi << 32;
}

privdrop_caps privdrop_effective(void)
{
    struct __user_cap_data_struct d[2];
    return caps_get(d) ? caps_join(d[0].effective, d[1].effective) : 0;
}

/* ---- one step, run in every thread ---- */

enum step { STEP_PREPARE, STEP_NARROW };

static struct {
    enum step step;
    privdrop_caps keep;
    bool cut_bounding;
    atomic_int done;
    atomic_int failed_errno; /* first failure in another thread, 0 when none */
} job;

/* PREPARE: keep the permitted set across setuid, cut the bounding set, empty
 * the ambient set. NARROW: effective = permitted = keep, inheritable empty.
 * Returns 0 or an errno. Raw syscalls only: this runs in signal handlers. */
static int run_step(void)
{
    if (job.step == STEP_PREPARE) {
        if (syscall(SYS_prctl, PR_SET_KEEPCAPS, 1L, 0L, 0L, 0L) != 0)
            return errno;
        if (syscall(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0L, 0L, 0L) != 0 && errno != EINVAL)
            return errno;
        if (job.cut_bounding)
            for (long cap = 0; cap < 64; cap++)
                if (!(job.keep & PRIVDROP_CAP(cap)) &&
                    syscall(SYS_prctl, PR_CAPBSET_DROP, cap, 0L, 0L, 0L) != 0 && errno != EINVAL)
                    return errno; /* EINVAL: beyond the kernel's last capability */
        return 0;
    }
    struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
    struct __user_cap_data_struct d[2];
    memset(d, 0, sizeof d);
    d[0].effective = d[0].permitted = (uint32_t)job.keep;
    d[1].effective = d[1].permitted = (uint32_t)(job.keep >> 32);
    if (syscall(SYS_capset, &hdr, d) != 0)
        return errno;
    if (syscall(SYS_prctl, PR_SET_KEEPCAPS, 0L, 0L, 0L, 0L) != 0)
        return errno;
    return 0;
}

static void on_step_signal(int sig)
{
    (void)sig;
    int saved = errno;
    int e = run_step();
    if (e) {
        int zero = 0;
        atomic_compare_exchange_strong(&job.failed_errno, &zero, e);
    }
    atomic_fetch_add(&job.done, 1);
    errno = saved;
}

/* Runs job.step here and in every other thread of the process; 0 or an errno. */
static int step_all_threads(void)
{
    int e = run_step();
    if (e)
        return e;
    pid_t self = (pid_t)syscall(SYS_gettid), pid = getpid();
    DIR *tasks = opendir("/proc/self/task");
    if (!tasks)
        return errno;
    int sig = SIGRTMIN + 4;
    struct sigaction sa = { 0 }, old;
    sa.sa_handler = on_step_signal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, &old);
    atomic_store(&job.done, 0);
    atomic_store(&job.failed_errno, 0);
    int sent = 0;
    struct dirent *de;
    while ((de = readdir(tasks))) {
        pid_t tid = (pid_t)atoi(de->d_name);
        if (tid <= 0 || tid == self)
            continue;
        if (syscall(SYS_tgkill, pid, tid, sig) == 0)
            sent++;
    }
    closedir(tasks);
    /* A thread can only be slow to run its handler, not skip it; 5 s is generous. */
    struct timespec pause = { 0, 1000000 };
    for (int waited = 0; atomic_load(&job.done) < sent && waited < 5000; waited++)
        nanosleep(&pause, NULL);
    sigaction(sig, &old, NULL);
    if (atomic_load(&job.done) < sent)
        return ETIMEDOUT;
    return atomic_load(&job.failed_errno);
}

static bool fail(GError **err, const char *user, const char *what, int e)
{
    g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(e), "-Z %s: %s: %s", user ? user : "(same user)", what,
                g_strerror(e));
    return false;
}

bool privdrop_apply(const char *user, privdrop_caps keep, GError **err)
{
    struct passwd *pw = NULL;
    if (user && !(pw = lookup(user))) {
        g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "-Z: no such user '%s'", user);
        return false;
    }
    bool switch_user = pw && (getuid() != pw->pw_uid || geteuid() != pw->pw_uid || getgid() != pw->pw_gid);
    struct __user_cap_data_struct d[2];
    if (!caps_get(d))
        return fail(err, user, "cannot read capabilities", errno);
    keep &= caps_join(d[0].permitted, d[1].permitted); /* nothing can be added, only kept */
    job.keep = keep;
    job.cut_bounding = (caps_join(d[0].effective, d[1].effective) & PRIVDROP_CAP(CAP_SETPCAP)) != 0;
    job.step = STEP_PREPARE;
    int e = step_all_threads();
    if (e)
        return fail(err, user, "cannot prepare to drop capabilities", e);
    if (switch_user) {
        uid_t uid = pw->pw_uid;
        gid_t gid = pw->pw_gid;
        char *name = g_strdup(pw->pw_name);
        if (initgroups(name, gid) != 0 || setgid(gid) != 0 || setuid(uid) != 0) {
            e = errno;
            g_free(name);
            return fail(err, user, "cannot switch user", e);
        }
        g_free(name);
    }
    job.step = STEP_NARROW;
    if ((e = step_all_threads()))
        return fail(err, user, "cannot drop capabilities", e);
    /* Paranoia, as tcpdump: if root can be taken back, the drop did not happen. */
    if (switch_user && pw->pw_uid != 0 && (setuid(0) == 0 || seteuid(0) == 0))
        return fail(err, user, "could regain root after dropping it", EPERM);
    if (!caps_get(d) || caps_join(d[0].effective, d[1].effective) != keep ||
        caps_join(d[0].permitted, d[1].permitted) != keep)
        return fail(err, user, "capabilities not as asked after the drop", EPERM);
    if (switch_user)
        prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    return true;
}

static const char *cap_name(int cap)
{
    switch (cap) {
    case CAP_DAC_OVERRIDE: return "cap_dac_override";
    case CAP_DAC_READ_SEARCH: return "cap_dac_read_search";
    case CAP_NET_ADMIN: return "cap_net_admin";
    case CAP_NET_RAW: return "cap_net_raw";
    case CAP_SYS_ADMIN: return "cap_sys_admin";
    case CAP_SYS_PTRACE: return "cap_sys_ptrace";
    case CAP_SETUID: return "cap_setuid";
    case CAP_SETGID: return "cap_setgid";
#ifdef CAP_PERFMON
    case CAP_PERFMON: return "cap_perfmon";
#endif
#ifdef CAP_BPF
    case CAP_BPF: return "cap_bpf";
#endif
    default: return NULL;
    }
}

const char *privdrop_caps_format(privdrop_caps caps, char *buf, size_t len)
{
    GString *s = g_string_new(NULL);
    for (int cap = 0; cap < 64; cap++) {
        if (!(caps & PRIVDROP_CAP(cap)))
            continue;
        const char *n = cap_name(cap);
        if (s->len)
            g_string_append_c(s, ',');
        if (n)
            g_string_append(s, n);
        else
            g_string_append_printf(s, "cap_%d", cap);
    }
    g_strlcpy(buf, s->len ? s->str : "none", len);
    g_string_free(s, TRUE);
    return buf;
}
