/* sandbox.c — see sandbox.h. */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sandbox.h"

#if defined(__x86_64__)
#define SANDBOX_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define SANDBOX_ARCH AUDIT_ARCH_AARCH64
#endif

#if defined(__SANITIZE_ADDRESS__)
#define SANDBOX_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(leak_sanitizer)
#define SANDBOX_SANITIZER 1
#endif
#endif

#ifndef SANDBOX_SANITIZER
#define SANDBOX_SANITIZER 0
#endif

/* bpf() commands still allowed: reading maps (the eBPF loss counter). */
enum { BPF_CMD_MAP_LOOKUP_ELEM = 1, BPF_CMD_MAP_GET_NEXT_KEY = 4, BPF_CMD_OBJ_GET_INFO_BY_FD = 15 };

static const int denied_syscalls[] = {
    __NR_execve, __NR_execveat, __NR_process_vm_readv, __NR_process_vm_writev,
    __NR_mount, __NR_umount2, __NR_pivot_root, __NR_chroot, __NR_setns, __NR_unshare,
    __NR_open_by_handle_at, __NR_name_to_handle_at,
    __NR_init_module, __NR_finit_module, __NR_delete_module, __NR_kexec_load,
    __NR_reboot, __NR_swapon, __NR_swapoff, __NR_acct, __NR_quotactl,
    __NR_keyctl, __NR_add_key, __NR_request_key, __NR_userfaultfd, __NR_perf_event_open,
    __NR_settimeofday, __NR_clock_settime, __NR_clock_adjtime, __NR_adjtimex,
    __NR_sethostname, __NR_setdomainname, __NR_syslog, __NR_vhangup,
#ifdef __NR_kexec_file_load
    __NR_kexec_file_load,
#endif
#ifdef __NR_open_tree
    __NR_open_tree, __NR_move_mount, __NR_fsopen, __NR_fsconfig, __NR_fsmount, __NR_fspick,
#endif
#ifdef __NR_mount_setattr
    __NR_mount_setattr,
#endif
#ifdef __NR_iopl
    __NR_iopl, __NR_ioperm,
#endif
#ifdef __NR_uselib
    __NR_uselib,
#endif
};

#define NS_CLONE_FLAGS                                                                                      \
    (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP)

#define ARG0_LO offsetof(struct seccomp_data, args[0]) /* little-endian: the low word first */

static void add(GArray *p, struct sock_filter f)
{
    g_array_append_val(p, f);
}

static void deny_nr(GArray *p, int nr, unsigned err)
{
    add(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)nr, 0, 1));
    add(p, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | err));
}

static GArray *build_filter(void)
{
    GArray *p = g_array_new(FALSE, FALSE, sizeof(struct sock_filter));
#ifdef SANDBOX_ARCH
    add(p, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)));
    add(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SANDBOX_ARCH, 1, 0));
    add(p, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM)); /* another ABI */
    add(p, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)));
#if defined(__x86_64__)
    add(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000u /* __X32_SYSCALL_BIT */, 0, 1));
    add(p, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM));
#endif
    for (size_t i = 0; i < G_N_ELEMENTS(denied_syscalls); i++)
        deny_nr(p, denied_syscalls[i], EPERM);
    if (!SANDBOX_SANITIZER)
        deny_nr(p, __NR_ptrace, EPERM);
#ifdef __NR_clone3
    deny_nr(p, __NR_clone3, ENOSYS); /* glibc then uses clone, whose flags are visible below */
#endif
    /* clone: threads and fork yes, new namespaces no. */
    add(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone, 0, 4));
    add(p, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG0_LO));
    add(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, NS_CLONE_FLAGS, 0, 1));
    add(p, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM));
    add(p, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
    /* bpf: map reads only. */
    add(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_bpf, 0, 6));
    add(p, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG0_LO));
    add(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, BPF_CMD_MAP_LOOKUP_ELEM, 3, 0));
    add(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, BPF_CMD_MAP_GET_NEXT_KEY, 2, 0));
    add(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, BPF_CMD_OBJ_GET_INFO_BY_FD, 1, 0));
    add(p, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM));
    add(p, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
#endif
    add(p, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
    return p;
}

bool sandbox_enter(const char **no_filter, GError **err)
{
    *no_filter = NULL;
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno), "sandbox: no_new_privs: %s (--no-sandbox to run without)",
                    g_strerror(errno));
        return false;
    }
#ifdef SANDBOX_ARCH
    GArray *f = build_filter();
    struct sock_fprog prog = { .len = (unsigned short)f->len, .filter = (struct sock_filter *)(void *)f->data };
    long r = syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &prog);
    int e = errno;
    g_array_free(f, TRUE);
    if (r != 0 && e == ENOSYS) {
        *no_filter = "this kernel (or valgrind) has no seccomp filters; running with no_new_privs only";
        return true;
    }
    if (r != 0) {
        if (r > 0)
            g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                        "sandbox: seccomp: thread %ld could not take the filter (--no-sandbox to run without)", r);
        else
            g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(e),
                        "sandbox: seccomp: %s (--no-sandbox to run without)", g_strerror(e));
        return false;
    }
#else
    *no_filter = "no seccomp filter for this architecture; running with no_new_privs only";
#endif
    return true;
}

const char *sandbox_description(void)
{
#ifdef SANDBOX_ARCH
    return SANDBOX_SANITIZER
               ? "no_new_privs; seccomp denies exec, mounts, namespaces, modules, kexec, file handles, bpf loads "
                 "(ptrace allowed: sanitizer build)"
               : "no_new_privs; seccomp denies exec, ptrace, mounts, namespaces, modules, kexec, file handles, bpf "
                 "loads";
#else
    return "no_new_privs (no seccomp filter for this architecture)";
#endif
}

static void probe_line(FILE *out, const char *name, long r)
{
    int e = errno;
    if (r < 0)
        fprintf(out, "leakaudit: sandbox probe: %s: %s\n", name, e == EPERM ? "EPERM" : e == ENOSYS ? "ENOSYS"
                                                                       : e == ENOENT ? "ENOENT"
                                                                       : e == ESRCH  ? "ESRCH"
                                                                       : e == EBADF  ? "EBADF"
                                                                       : e == EFAULT ? "EFAULT"
                                                                       : e == EINVAL ? "EINVAL"
                                                                                     : g_strerror(e));
    else
        fprintf(out, "leakaudit: sandbox probe: %s: allowed\n", name);
}

static gpointer probe_thread(gpointer data)
{
    return data;
}

/* Every call is made so that, unfiltered, the kernel fails it for another
 * reason (a missing path, pid −1, fd −1): the probe never execs, traces or
 * mounts anything, and EPERM/ENOSYS can only come from the filter (or, for a
 * few, from a missing capability; tests compare with --no-sandbox). */
void sandbox_probe(FILE *out)
{
    char *argv[] = { (char *)"leakaudit-probe", NULL };
    probe_line(out, "execve", syscall(__NR_execve, "/nonexistent/leakaudit-probe", argv, argv + 1));
    probe_line(out, "ptrace", syscall(__NR_ptrace, 16 /* PTRACE_ATTACH */, -1, 0, 0));
    probe_line(out, "process_vm_readv", syscall(__NR_process_vm_readv, -1, NULL, 0, NULL, 0, 0));
    probe_line(out, "setns", syscall(__NR_setns, -1, 0));
    probe_line(out, "umount2", syscall(__NR_umount2, "/nonexistent/leakaudit-probe", 0));
    probe_line(out, "open_by_handle_at", syscall(__NR_open_by_handle_at, -1, NULL, 0));
    probe_line(out, "bpf-prog-load", syscall(__NR_bpf, 5 /* BPF_PROG_LOAD */, NULL, 0));
    probe_line(out, "bpf-map-lookup", syscall(__NR_bpf, BPF_CMD_MAP_LOOKUP_ELEM, NULL, 0));
#ifdef __NR_clone3
    probe_line(out, "clone3", syscall(__NR_clone3, NULL, 0));
#endif
    GThread *t = g_thread_try_new("leakaudit-probe", probe_thread, out, NULL);
    fprintf(out, "leakaudit: sandbox probe: thread: %s\n", t && g_thread_join(t) == out ? "started" : "failed");
}
