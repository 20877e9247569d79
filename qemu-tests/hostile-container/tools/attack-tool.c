// attack-tool: the system calls the hostile-container attacks need and busybox sh cannot make.
// Each subcommand prints one short line for the attack script to read (an errno by its name,
// such as EPERM, so that the PASS/FAIL lines say exactly what the kernel answered) and exits 0;
// a usage error exits 2. Built by test.sh with `gcc -static -Os`: the image has no libc.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char* ErrnoName(int err) {
  const char* name = strerrorname_np(err);
  return name ? name : "E?";
}

// fds: the descriptors open in this process besides 0, 1, 2 and the one reading
// /proc/self/fd, as "N->TARGET" words; "none" when there are none.
static int Fds(void) {
  DIR* dir = opendir("/proc/self/fd");
  if (!dir) {
    printf("opendir(/proc/self/fd): %s\n", ErrnoName(errno));
    return 0;
  }
  int found = 0;
  for (struct dirent* e; (e = readdir(dir)) != NULL;) {
    int fd = atoi(e->d_name);
    if (e->d_name[0] == '.' || fd <= 2 || fd == dirfd(dir)) continue;
    char path[64], target[256];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(path, target, sizeof target - 1);
    target[n < 0 ? 0 : n] = '\0';
    printf("%s%d->%s", found++ ? " " : "", fd, target);
  }
  closedir(dir);
  printf("%s\n", found ? "" : "none");
  return 0;
}

// connect ADDRESS PORT [SECONDS]: a TCP connection (IPv4 or IPv6): "connected" or the errno;
// ETIMEDOUT when nothing answered within SECONDS (default 5).
static int Connect(const char* address, int port, int seconds) {
  struct sockaddr_storage addr = {0};
  socklen_t len;
  struct sockaddr_in* v4 = (struct sockaddr_in*)&addr;
  struct sockaddr_in6* v6 = (struct sockaddr_in6*)&addr;
  if (inet_pton(AF_INET, address, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    len = sizeof *v4;
  } else if (inet_pton(AF_INET6, address, &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    len = sizeof *v6;
  } else {
    fprintf(stderr, "attack-tool: bad address %s\n", address);
    return 2;
  }
  int fd = socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    printf("%s\n", ErrnoName(errno));
    return 0;
  }
  if (connect(fd, (struct sockaddr*)&addr, len) == 0) {
    printf("connected\n");
    return 0;
  }
  if (errno != EINPROGRESS) {
    printf("%s\n", ErrnoName(errno));
    return 0;
  }
  struct pollfd p = {fd, POLLOUT, 0};
  if (poll(&p, 1, seconds * 1000) != 1) {
    printf("ETIMEDOUT\n");
    return 0;
  }
  int err = 0;
  socklen_t err_len = sizeof err;
  getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &err_len);
  printf("%s\n", err ? ErrnoName(err) : "connected");
  return 0;
}

// setuid0: "uid 0" when setuid(0) worked, else the errno.
static int Setuid0(void) {
  if (setuid(0) == 0)
    printf("uid %d\n", (int)getuid());
  else
    printf("%s\n", ErrnoName(errno));
  return 0;
}

// bind PORT: a TCP listener on 0.0.0.0:PORT: "bound" or the errno.
static int Bind(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
  if (fd < 0 || bind(fd, (struct sockaddr*)&addr, sizeof addr) != 0 || listen(fd, 1) != 0)
    printf("%s\n", ErrnoName(errno));
  else
    printf("bound\n");
  return 0;
}

// fill FILE: writes FILE until a write fails: "ERRNO after N MiB".
static int Fill(const char* file) {
  int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) {
    printf("%s after 0 MiB\n", ErrnoName(errno));
    return 0;
  }
  static char block[1 << 16];
  memset(block, 'x', sizeof block);
  long long written = 0;
  for (;;) {
    ssize_t n = write(fd, block, sizeof block);
    if (n <= 0) break;
    written += n;
  }
  printf("%s after %lld MiB\n", ErrnoName(errno), written >> 20);
  close(fd);
  return 0;
}

// hold N ADDRESS PORT SECONDS: opens N TCP connections to ADDRESS:PORT (IPv4) and keeps those
// that connected for SECONDS: "held H, ERRNO C" (the errno of the connects that failed).
static int Hold(int count, const char* address, int port, int seconds) {
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
  if (inet_pton(AF_INET, address, &addr.sin_addr) != 1) {
    fprintf(stderr, "attack-tool: bad address %s\n", address);
    return 2;
  }
  int held = 0, refused = 0, err = 0;
  for (int i = 0; i < count; ++i) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd >= 0 && connect(fd, (struct sockaddr*)&addr, sizeof addr) == 0) {
      ++held;  // left open until exit
      continue;
    }
    err = errno;
    ++refused;
    if (fd >= 0) close(fd);
  }
  if (held > 0) sleep(seconds);
  printf("held %d, %s %d\n", held, refused ? ErrnoName(err) : "refused", refused);
  return 0;
}

// A DNS query (one A question) for NAME with the given id.
static size_t DnsQuery(unsigned char* out, size_t size, unsigned id, const char* name) {
  size_t n = 0;
  unsigned char head[12] = {id >> 8, id & 0xff, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0};
  memcpy(out, head, sizeof head);
  n = sizeof head;
  for (const char* label = name; *label && n + 70 < size;) {
    size_t len = strcspn(label, ".");
    out[n++] = (unsigned char)len;
    memcpy(out + n, label, len);
    n += len;
    label += len + (label[len] == '.');
  }
  unsigned char tail[5] = {0, 0, 1, 0, 1};
  memcpy(out + n, tail, sizeof tail);
  return n + sizeof tail;
}

// dns-flood N NAME: sends N queries for names nobody answers to the Pod's resolver
// (127.0.0.53:53) without waiting, then one for NAME: "sent N, then NAME answered" once its
// answer comes (asked each second, for 60 s: under a loaded TCG host the relay takes a while
// to work through the flood), else "sent N, then NAME: no answer".
static int DnsFlood(int count, const char* name) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in resolver = {.sin_family = AF_INET, .sin_port = htons(53)};
  inet_pton(AF_INET, "127.0.0.53", &resolver.sin_addr);
  if (fd < 0 || connect(fd, (struct sockaddr*)&resolver, sizeof resolver) != 0) {
    printf("%s\n", ErrnoName(errno));
    return 0;
  }
  unsigned char packet[512];
  int sent = 0;
  for (int i = 0; i < count; ++i) {
    char flood[64];
    snprintf(flood, sizeof flood, "f%d.flood.invalid", i);
    size_t n = DnsQuery(packet, sizeof packet, (unsigned)i & 0x7fff, flood);
    if (send(fd, packet, n, 0) == (ssize_t)n) ++sent;
  }
  const unsigned kId = 0xbeef;
  for (int waited = 0; waited < 600; ++waited) {
    if (waited % 10 == 0) {  // again each second: the flood may have filled the socket's buffer
      size_t n = DnsQuery(packet, sizeof packet, kId, name);
      send(fd, packet, n, 0);
    }
    struct pollfd p = {fd, POLLIN, 0};
    if (poll(&p, 1, 100) != 1) continue;
    ssize_t got = recv(fd, packet, sizeof packet, 0);
    if (got >= 2 && packet[0] == (kId >> 8) && packet[1] == (kId & 0xff)) {
      printf("sent %d, then %s answered\n", sent, name);
      return 0;
    }
  }
  printf("sent %d, then %s: no answer\n", sent, name);
  return 0;
}

// A listener on 127.0.0.1:PORT; exits 1 when there can be none.
static int Listen(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (fd < 0 || bind(fd, (struct sockaddr*)&addr, sizeof addr) != 0 || listen(fd, 8) != 0) {
    fprintf(stderr, "attack-tool: listen on 127.0.0.1:%d: %s\n", port, ErrnoName(errno));
    exit(1);
  }
  return fd;
}

// serve-count PORT: answers the Nth connection to 127.0.0.1:PORT with "N" (from 0), forever.
// The Pod's containers share the VM's network, so a container that restarts can learn from
// another one how often it started: state its own writable layer must not keep.
static _Noreturn void ServeCount(int port) {
  int listener = Listen(port);
  for (long n = 0;; ++n) {
    int fd = accept(listener, NULL, NULL);
    if (fd < 0) continue;
    dprintf(fd, "%ld\n", n);
    close(fd);
  }
}

// count PORT: the number serve-count answers on 127.0.0.1:PORT, or the errno.
static int Count(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  char text[32] = "";
  if (fd < 0 || connect(fd, (struct sockaddr*)&addr, sizeof addr) != 0) {
    printf("%s\n", ErrnoName(errno));
    return 0;
  }
  ssize_t n = read(fd, text, sizeof text - 1);
  text[n > 0 ? n : 0] = '\0';
  printf("%s", n > 0 ? text : "EOF\n");
  return 0;
}

int main(int argc, char** argv) {
  const char* cmd = argc > 1 ? argv[1] : "";
  if (!strcmp(cmd, "fds") && argc == 2) return Fds();
  if (!strcmp(cmd, "connect") && (argc == 4 || argc == 5))
    return Connect(argv[2], atoi(argv[3]), argc == 5 ? atoi(argv[4]) : 5);
  if (!strcmp(cmd, "setuid0") && argc == 2) return Setuid0();
  if (!strcmp(cmd, "bind") && argc == 3) return Bind(atoi(argv[2]));
  if (!strcmp(cmd, "fill") && argc == 3) return Fill(argv[2]);
  if (!strcmp(cmd, "hold") && argc == 6)
    return Hold(atoi(argv[2]), argv[3], atoi(argv[4]), atoi(argv[5]));
  if (!strcmp(cmd, "dns-flood") && argc == 4) return DnsFlood(atoi(argv[2]), argv[3]);
  if (!strcmp(cmd, "serve-count") && argc == 3) ServeCount(atoi(argv[2]));
  if (!strcmp(cmd, "count") && argc == 3) return Count(atoi(argv[2]));
  fprintf(stderr,
          "usage: attack-tool fds | connect ADDRESS PORT [SECONDS] | setuid0 | bind PORT | "
          "fill FILE | hold N ADDRESS PORT SECONDS | dns-flood N NAME | serve-count PORT | "
          "count PORT\n");
  return 2;
}
