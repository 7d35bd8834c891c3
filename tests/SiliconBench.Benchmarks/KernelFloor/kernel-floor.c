// The kernel's own cost per streamed chunk, with no .NET and no HTTP: a sender pinned to core 1 writes 160-byte
// messages round-robin over N stream sockets at a paced total rate; a receiver pinned to core 0 reads them with
// epoll. Each side reports messages/s and user/system CPU per message (getrusage), over loopback TCP or a Unix
// socket pair. It bounds what any load generator can do on the machine with the server beside it.
//
//   gcc -O2 -o /tmp/kernel-floor tests/SiliconBench.Benchmarks/KernelFloor/kernel-floor.c
//   /tmp/kernel-floor 5000 100000 tcp     # streams, messages/s, tcp | unix
#define _GNU_SOURCE
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { MessageBytes = 160 };
static const double Seconds = 5;

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }

static void pin(int cpu) { cpu_set_t set; CPU_ZERO(&set); CPU_SET(cpu, &set); sched_setaffinity(0, sizeof set, &set); }

static void cpu_seconds(const struct rusage *a, const struct rusage *b, double *user, double *sys)
{
    *user = (b->ru_utime.tv_sec - a->ru_utime.tv_sec) + (b->ru_utime.tv_usec - a->ru_utime.tv_usec) * 1e-6;
    *sys = (b->ru_stime.tv_sec - a->ru_stime.tv_sec) + (b->ru_stime.tv_usec - a->ru_stime.tv_usec) * 1e-6;
}

int main(int argc, char **argv)
{
    if (argc != 4) { fprintf(stderr, "usage: %s STREAMS MESSAGES_PER_S tcp|unix\n", argv[0]); return 2; }
    int n = atoi(argv[1]);
    double rate = atof(argv[2]);
    int unix_socket = strcmp(argv[3], "unix") == 0;
    int *out = malloc(n * sizeof(int)), *in = malloc(n * sizeof(int));
    if (unix_socket) {
        for (int i = 0; i < n; i++) { int pair[2]; if (socketpair(AF_UNIX, SOCK_STREAM, 0, pair)) { perror("socketpair"); return 1; } out[i] = pair[0]; in[i] = pair[1]; }
    } else {
        int listener = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in address = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t length = sizeof address;
        bind(listener, (struct sockaddr *)&address, sizeof address);
        listen(listener, 8192);
        getsockname(listener, (struct sockaddr *)&address, &length);
        for (int i = 0; i < n; i++) {
            out[i] = socket(AF_INET, SOCK_STREAM, 0);
            if (connect(out[i], (struct sockaddr *)&address, sizeof address)) { perror("connect"); return 1; }
            in[i] = accept(listener, 0, 0);
            int one = 1;
            setsockopt(out[i], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        }
    }
    char message[MessageBytes];
    memset(message, 'x', sizeof message);
    struct rusage r0, r1;
    double user, sys;
    if (fork() == 0) {
        pin(0);
        int poll = epoll_create1(0);
        for (int i = 0; i < n; i++) {
            fcntl(in[i], F_SETFL, O_NONBLOCK);
            struct epoll_event e = { .events = EPOLLIN, .data.fd = in[i] };
            epoll_ctl(poll, EPOLL_CTL_ADD, in[i], &e);
        }
        struct epoll_event ready[256];
        static char buffer[65536];
        long bytes = 0;
        double t0 = now();
        getrusage(RUSAGE_SELF, &r0);
        while (now() - t0 < Seconds) {
            int k = epoll_wait(poll, ready, 256, 100);
            for (int j = 0; j < k; j++) { ssize_t m = read(ready[j].data.fd, buffer, sizeof buffer); if (m > 0) bytes += m; }
        }
        getrusage(RUSAGE_SELF, &r1);
        cpu_seconds(&r0, &r1, &user, &sys);
        double messages = bytes / (double)MessageBytes;
        printf("receive %s, %d streams: %.0f messages/s, user %.2f us, system %.2f us per message\n", argv[3], n, messages / Seconds, user / messages * 1e6, sys / messages * 1e6);
        return 0;
    }
    pin(1);
    double t0 = now(), gap = 1.0 / rate, next = t0;
    long sent = 0;
    getrusage(RUSAGE_SELF, &r0);
    while (now() - t0 < Seconds) {
        for (double t = now(); next <= t; next += gap)
            if (write(out[sent % n], message, sizeof message) == sizeof message)
                sent++;
        struct timespec pause = { 0, 20000 };
        nanosleep(&pause, 0);
    }
    getrusage(RUSAGE_SELF, &r1);
    cpu_seconds(&r0, &r1, &user, &sys);
    printf("send    %s, %d streams: %.0f messages/s, user %.2f us, system %.2f us per message\n", argv[3], n, sent / Seconds, user / sent * 1e6, sys / sent * 1e6);
    wait(0);
    return 0;
}
