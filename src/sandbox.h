/* sandbox.h — after start-up, what the process may no longer ask the kernel.
 *
 * Owns: PR_SET_NO_NEW_PRIVS and a seccomp deny-list (raw classic BPF, no
 * libseccomp) installed on every thread (SECCOMP_FILTER_FLAG_TSYNC). Denied
 * with EPERM: running programs (execve, execveat), tracing or reading other
 * processes (ptrace, process_vm_readv/writev: leakaudit may keep
 * CAP_SYS_PTRACE for /proc/PID/fd and must not be able to use it for more),
 * mounts and namespaces (mount, umount2, pivot_root, chroot, the new mount
 * API, setns, unshare, clone with CLONE_NEW*), file handles
 * (open_by_handle_at: CAP_DAC_READ_SEARCH's known escape), kernel modules,
 * kexec, reboot, swap, keyrings, clock setting, userfaultfd, perf_event_open,
 * the kernel log, iopl/ioperm, and every bpf() command but map reads (no
 * program can be loaded or attached after set-up). clone3 answers ENOSYS so
 * that glibc falls back to clone, whose flags a filter can see. Other ABIs
 * (i386, x32 on x86-64) are refused whole. Everything else is allowed: an
 * allow-list would have to know every call of glib, libpcap, nDPI,
 * libmaxminddb and libbpf.
 * In a sanitizer build ptrace stays allowed: LeakSanitizer stops the
 * process's threads with it at exit.
 */
#ifndef LEAKAUDIT_SANDBOX_H
#define LEAKAUDIT_SANDBOX_H

#include <glib.h>
#include <stdbool.h>

/* Installs no_new_privs and the filter. False and *err when the kernel
 * refused either (the caller stops: hardening that is asked for and not
 * there must not pass silently). A kernel (or valgrind) without seccomp
 * filters at all is not an error: *no_filter says why (else NULL), and the
 * caller tells it. */
bool sandbox_enter(const char **no_filter, GError **err);
/* What sandbox_enter blocks, one line ("no_new_privs, seccomp: execve … denied"). */
const char *sandbox_description(void);
/* Tries each blocked call and writes "leakaudit: sandbox probe: NAME: RESULT"
 * lines to out (hidden test hook, LEAKAUDIT_SANDBOX_PROBE=1). */
void sandbox_probe(FILE *out);

#endif
