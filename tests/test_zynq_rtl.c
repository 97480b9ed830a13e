/* tests/test_zynq_rtl.c -- the zynq backend (driver/backend_zynq.c, its board code path unchanged)
 * on the Verilated RTL (build/<config>/libtsim.so, tiny and pynq) through an emulated board: a
 * temporary directory holds the sysfs and /dev entries the driver looks up
 * (/sys/class/uio/uio0/name "dlvta" with its map0 size, /sys/class/u-dma-buf/udmabuf0/{phys_addr,
 * size,sync_*}, /dev/uio0, /dev/udmabuf0), given to it with its ordinary options
 * sysfs=<dir>/sys,devdir=<dir>/dev. Checks: a compiled
 * small model (tiny_cnn) gives outputs bit-identical to fsim's; random programs give fsim's
 * image and the verilator backend's counters exactly; an illegal instruction is reported with
 * fsim's kind and index, and the device runs again afterwards; a token deadlock times out with
 * each unit's waiting instruction (the ones fsim names) and its WAIT bits, the driver aborts the
 * run (CTRL.abort) and the same open device then runs a program to fsim's result (also on the
 * verilator backend); an abort in the middle of DRAM traffic keeps every AXI rule; runs wait on
 * the interrupt (and poll when there is none); a second user of the device is refused with its
 * holder named; a package larger than the u-dma-buf region is refused with how to size it;
 * `dlvta selftest`'s checks pass; a bitstream fingerprint of another config is refused at open.
 *
 * The emulated board:
 * - Memory: /dev/udmabuf0 is a regular file that the driver maps MAP_SHARED, as it maps the
 *   u-dma-buf device; this test maps the same file and hands that mapping to tsim's DRAM model
 *   at the region's physical address (tsim_set_regions), so the device reads and writes the very
 *   pages the driver sees.
 * - Registers: every load and store the driver makes on its /dev/uio0 mapping becomes one
 *   AXI4-Lite transaction on the RTL's port, at that moment, in program order. After drv_open
 *   the test finds the driver's mapping of the file in /proc/self/maps and makes it PROT_NONE;
 *   an access faults (SIGSEGV, the offset from si_addr, read or write from the x86 page-fault
 *   error code); for a read, the handler asks the clock thread for an AXI read and puts the
 *   value into the file; it opens the page and returns with the trap flag set, so the
 *   instruction runs once and SIGTRAP follows; for a write, that handler takes the stored value
 *   from the file and has the clock thread make the AXI write (returning after BRESP); then the
 *   page is closed again. A clock thread owns the tsim: it serves these requests and otherwise
 *   clocks the RTL freely while STATUS says busy, as the board's clock runs while the driver
 *   sleeps between polls. Before open, the window holds what the idle RTL answers at every
 *   offset (read over AXI), which is what the driver's fingerprint check reads.
 *   (A shared page that a thread mirrors and scans for writes is not sound: the driver's STATUS
 *   read right after its start write could see the previous run's DONE before the thread has
 *   forwarded the start, and equal values written twice cannot be told from no write.)
 * How it differs from a board:
 * - Timing: the RTL runs at Verilator speed (a few hundred kHz to a few MHz here, against
 *   100+ MHz in the fabric) and a register access takes tens of microseconds (two signals, two
 *   mprotects, a hand-off to the clock thread) instead of well under one; the driver's
 *   wall-clock timeout therefore covers far fewer device cycles. The clock stops while the
 *   device is idle (nothing in the RTL changes then; CYCLES counts only busy cycles). DRAM
 *   latency and bandwidth are tsim's model (the config's defaults), not the DDR controller and
 *   HP port.
 * - Ordering: each access completes on the RTL before the driver's next instruction runs (a
 *   signal is serializing; x86 stores are ordered anyway), stronger than an ARM core's device
 *   and normal memory: a missing barrier between DMA-buffer writes and the start, or between
 *   register accesses, would go unnoticed here. Stores are forwarded as whole 32-bit writes
 *   (WSTRB 0xF; the driver makes no narrower ones).
 * - Read side effects: every driver load is exactly one AXI read, so a register with read side
 *   effects would behave as on the board (this register map has none). Only the snapshot before
 *   open is read without the driver.
 * - Caches and DMA: the test's file mapping and the driver's share the page cache, so memory is
 *   coherent; cache=sync's writes to sync_* land in plain files and do nothing, so a missing
 *   flush or invalidate would go unnoticed (tests/test_zynq.c checks those writes). A DMA
 *   access outside the u-dma-buf region gets SLVERR here (DRAM access error), where a board's
 *   interconnect would reach other memory.
 * - Interrupt: the RTL's irq output (tsim_irq) is delivered through a pseudo-terminal that speaks
 *   UIO's protocol (the driver writes the 32-bit 1 to arm it, poll()s and read()s the 32-bit
 *   event count); the driver opens it by the irq= option, where on a board it uses /dev/uioN
 *   itself. The clock thread samples the line every few cycles, so the wake-up comes later (in
 *   device cycles) than a GIC's, and only the driver's own arming re-enables it, as with
 *   uio_pdrv_genirq.
 * - Host: needs x86-64 Linux (trap flag, page-fault error code in the signal context).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/ucontext.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "drv_impl.h"
#include "drv_regs_priv.h"
#include "e2e_util.h"
#include "progen.h"
#include "selftest.h"
#include "tsim.h"

#define EMU_DMA_PHYS 0x1f000000u    /* where a u-dma-buf region might sit in a PYNQ's DDR */
#define EMU_DMA_SIZE (16u << 20)
#define EMU_WIN 4096u               /* UIO map0: the AXI4-Lite slave's 12-bit address space */
#define EMU_SLICE 16                /* cycles clocked between looks for a register request */
#define EMU_STATUS_EVERY 1024       /* cycles between STATUS reads while the device is busy */

#if defined(__x86_64__) && defined(__linux__)
#define EMU_SUPPORTED 1
#else
#define EMU_SUPPORTED 0
#endif

/* ---- the emulated board ------------------------------------------------------------------- */

enum { OP_READ = 1, OP_WRITE, OP_QUIT };

typedef struct emu_range {
  uintptr_t lo, hi;  /* the driver's mapping of the register file */
  uint64_t file_off; /* file offset of lo */
} emu_range;

typedef struct emu {
  tsim_api api;
  tsim_port_api port;
  tsim *t;               /* owned by the clock thread once it runs */
  char root[64];         /* the temporary sysfs + /dev tree */
  char opts[256];        /* the zynq backend's options: sysfs=<root>/sys,devdir=<root>/dev */
  int reg_fd, dma_fd;    /* dev/uio0 (the window's backing, used with pread/pwrite only), udmabuf */
  uint8_t *dma;          /* the test's mapping of dev/udmabuf0, dma_size bytes */
  size_t dma_size;       /* the u-dma-buf region's size */
  int pty_m, pty_s;      /* the interrupt: a pseudo-terminal whose slave the driver opens (irq=) */
  char pty_name[64];
  int irq_armed;         /* the driver wrote 1 (UIO: enable); cleared when the interrupt fires */
  uint32_t irq_events;   /* UIO's event count, the value the driver reads */
  emu_range win[4];
  int n_win;
  pthread_t clock;
  int clock_on;
  int req[2], rep[2];    /* pipes: request byte to the clock thread, 4-byte reply back */
  int op, pending;       /* the request (op, off, val); pending while the clock thread has it */
  uint32_t off, val;
  int stepping, step_write; /* single-step state between SIGSEGV and SIGTRAP */
  uint32_t step_off;
  uint64_t reads, writes;   /* driver register accesses forwarded */
  uint64_t irqs;            /* interrupts delivered to the driver */
  uint64_t status_reads;    /* driver reads of STATUS */
} emu;

static emu *E;               /* the emulator whose window the signal handlers serve */
static const char *cfg_name; /* the config under test (the RTL's and the driver's) */

/* One register access on the RTL through the clock thread; returns the value read (0 for a
 * write). Async-signal-safe (atomics, read, write): the SIGSEGV/SIGTRAP handlers call it. */
static uint32_t emu_axi(emu *e, int op, uint32_t off, uint32_t val) {
  e->op = op;
  e->off = off;
  e->val = val;
  __atomic_store_n(&e->pending, 1, __ATOMIC_RELEASE);
  char c = 0;
  while (write(e->req[1], &c, 1) < 0 && errno == EINTR) {
  }
  uint32_t v = 0;
  size_t got = 0;
  while (got < 4) {
    ssize_t n = read(e->rep[0], (char *)&v + got, 4 - got);
    if (n > 0)
      got += (size_t)n;
    else if (!(n < 0 && errno == EINTR))
      break;
  }
  return v;
}

/* The UIO side of the interrupt: the driver's 4-byte writes on the pty arm (1) or disarm (0)
 * it; an armed interrupt whose RTL line is high fires once: the event count goes up and is sent,
 * and it is disarmed until the driver writes 1 again (uio_pdrv_genirq's behaviour). */
static void emu_irq(emu *e) {
  uint32_t v;
  struct pollfd p = {e->pty_m, POLLIN, 0};
  while (e->pty_m >= 0 && poll(&p, 1, 0) == 1 && (p.revents & POLLIN) &&
         read(e->pty_m, &v, 4) == 4)
    e->irq_armed = v != 0;
  if (e->irq_armed && e->port.irq(e->t)) {
    e->irq_armed = 0;
    e->irq_events++;
    e->irqs++;
    if (write(e->pty_m, &e->irq_events, 4) != 4)
      e->irq_armed = 0;
  }
}

/* The clock thread: serves register requests, and clocks the RTL while it is busy (looking for
 * requests every EMU_SLICE cycles and at STATUS every EMU_STATUS_EVERY); delivers the interrupt.
 * Idle, it sleeps in poll() until the next request or interrupt arming. */
static void *emu_clock(void *arg) {
  emu *e = arg;
  int running = 0;
  uint64_t since = 0;
  for (;;) {
    if (running && !__atomic_load_n(&e->pending, __ATOMIC_ACQUIRE)) {
      e->port.step(e->t, EMU_SLICE);
      if ((since += EMU_SLICE) >= EMU_STATUS_EVERY) {
        since = 0;
        running = (e->api.reg_read(e->t, DLVTA_REG_STATUS) & DLVTA_STATUS_BUSY) != 0;
        emu_irq(e);
      } else if (e->irq_armed && e->port.irq(e->t)) {
        emu_irq(e);
      }
      continue;
    }
    struct pollfd pf[2] = {{e->req[0], POLLIN, 0}, {e->pty_m, POLLIN, 0}};
    if (!__atomic_load_n(&e->pending, __ATOMIC_ACQUIRE) && poll(pf, e->pty_m >= 0 ? 2 : 1, -1) > 0 &&
        !(pf[0].revents & POLLIN)) {
      emu_irq(e);
      continue;
    }
    char c;
    ssize_t n = read(e->req[0], &c, 1);
    if (n < 0 && errno == EINTR)
      continue;
    if (n != 1)
      break;
    __atomic_load_n(&e->pending, __ATOMIC_ACQUIRE);
    int op = e->op;
    uint32_t v = 0;
    if (op == OP_READ) {
      v = e->api.reg_read(e->t, e->off);
    } else if (op == OP_WRITE) {
      e->port.reg_write(e->t, e->off, e->val);
      running = 1; /* a start, perhaps: clock until STATUS says idle */
      since = 0;
    }
    __atomic_store_n(&e->pending, 0, __ATOMIC_RELEASE);
    if (write(e->rep[1], &v, 4) != 4 || op == OP_QUIT)
      break;
    emu_irq(e);
  }
  return NULL;
}

/* File offset of window address a, if a lies in one of the driver's mappings. */
static int emu_find(const emu *e, uintptr_t a, uint64_t *file_off) {
  for (int i = 0; i < e->n_win; i++)
    if (a >= e->win[i].lo && a < e->win[i].hi) {
      *file_off = e->win[i].file_off + (a - e->win[i].lo);
      return 1;
    }
  return 0;
}

static void emu_protect(const emu *e, int prot) {
  for (int i = 0; i < e->n_win; i++)
    mprotect((void *)e->win[i].lo, e->win[i].hi - e->win[i].lo, prot);
}

#if EMU_SUPPORTED
#define EMU_EFLAGS_TF 0x100 /* trap after the next instruction */
#define EMU_PF_WRITE 0x2    /* page-fault error code: the access was a write */

/* A driver access to the closed window: fetch a read's value from the RTL, open the window and
 * single-step the access. Any other fault takes the default action (the process dies as usual). */
static void emu_on_segv(int sig, siginfo_t *si, void *ucv) {
  ucontext_t *uc = ucv;
  emu *e = E;
  uint64_t foff;
  if (!e || e->stepping || !emu_find(e, (uintptr_t)si->si_addr, &foff)) {
    signal(sig, SIG_DFL);
    return;
  }
  int saved = errno;
  e->step_off = (uint32_t)foff & ~3u;
  e->step_write = (uc->uc_mcontext.gregs[REG_ERR] & EMU_PF_WRITE) != 0;
  if (!e->step_write) {
    uint32_t v = emu_axi(e, OP_READ, e->step_off, 0);
    if (pwrite(e->reg_fd, &v, 4, e->step_off) != 4)
      v = 0;
    e->reads++;
    e->status_reads += e->step_off == DLVTA_REG_STATUS;
  }
  e->stepping = 1;
  emu_protect(e, PROT_READ | PROT_WRITE);
  uc->uc_mcontext.gregs[REG_EFL] |= EMU_EFLAGS_TF;
  errno = saved;
}

/* After the single step: close the window; a write's value goes to the RTL. */
static void emu_on_trap(int sig, siginfo_t *si, void *ucv) {
  ucontext_t *uc = ucv;
  emu *e = E;
  (void)si;
  if (!e || !e->stepping) {
    signal(sig, SIG_DFL);
    raise(sig);
    return;
  }
  int saved = errno;
  emu_protect(e, PROT_NONE);
  if (e->step_write) {
    uint32_t v = 0;
    if (pread(e->reg_fd, &v, 4, e->step_off) == 4)
      emu_axi(e, OP_WRITE, e->step_off, v);
    e->writes++;
  }
  e->stepping = 0;
  uc->uc_mcontext.gregs[REG_EFL] &= ~(greg_t)EMU_EFLAGS_TF;
  errno = saved;
}
#endif

/* Write text to root/rel, creating the directories on the way. */
static int emu_file(const emu *e, const char *rel, const char *text) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", e->root, rel);
  for (char *s = path + strlen(e->root) + 1; (s = strchr(s, '/')); s++) {
    *s = '\0';
    int rc = mkdir(path, 0755);
    *s = '/';
    if (rc && errno != EEXIST)
      return -1;
  }
  FILE *f = fopen(path, "w");
  if (!f)
    return -1;
  fputs(text, f);
  return fclose(f);
}

/* Open root/rel read-write with the given size. */
static int emu_sized(const emu *e, const char *rel, size_t size) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", e->root, rel);
  int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
  if (fd >= 0 && ftruncate(fd, (off_t)size) != 0) {
    close(fd);
    fd = -1;
  }
  return fd;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb, (void)flag, (void)ftw;
  return remove(path);
}

static void emu_stop(emu *e);

/* Build the board: the sysfs/dev tree, the RTL with the region as its DRAM, the register
 * window's snapshot, the clock thread, the signal handlers. 0, or -1 (failure printed). */
static int emu_start_sized(emu *e, const char *config, size_t dma_size) {
  memset(e, 0, sizeof *e);
  e->reg_fd = e->dma_fd = e->req[0] = e->req[1] = e->rep[0] = e->rep[1] = -1;
  e->pty_m = e->pty_s = -1;
  e->dma_size = dma_size;
  snprintf(e->root, sizeof e->root, "/tmp/dlvta_zynq_rtl_XXXXXX");
  if (!mkdtemp(e->root)) {
    CHECK(0, "mkdtemp: %s", strerror(errno));
    e->root[0] = '\0';
    return -1;
  }
  char text[64];
  int ok = !emu_file(e, "sys/uio/uio0/name", "dlvta\n") &&
           !emu_file(e, "sys/uio/uio0/maps/map0/size", "0x00001000\n") &&
           !emu_file(e, "sys/uio/uio1/name", "xadc\n");
  snprintf(text, sizeof text, "0x%08x\n", EMU_DMA_PHYS);
  ok = ok && !emu_file(e, "sys/u-dma-buf/udmabuf0/phys_addr", text);
  snprintf(text, sizeof text, "%zu\n", e->dma_size);
  ok = ok && !emu_file(e, "sys/u-dma-buf/udmabuf0/size", text);
  static const char *const sync[] = {"sync_offset", "sync_size", "sync_direction",
                                     "sync_for_device", "sync_for_cpu"};
  for (int i = 0; i < 5; i++) {
    char rel[128];
    snprintf(rel, sizeof rel, "sys/u-dma-buf/udmabuf0/%s", sync[i]);
    ok = ok && !emu_file(e, rel, "");
  }
  ok = ok && !emu_file(e, "dev/.keep", "");
  e->reg_fd = ok ? emu_sized(e, "dev/uio0", EMU_WIN) : -1;
  e->dma_fd = ok ? emu_sized(e, "dev/udmabuf0", e->dma_size) : -1;
  if (e->reg_fd < 0 || e->dma_fd < 0) {
    CHECK(0, "cannot build the emulated sysfs/dev tree in %s: %s", e->root, strerror(errno));
    emu_stop(e);
    return -1;
  }
  void *m = mmap(NULL, e->dma_size, PROT_READ | PROT_WRITE, MAP_SHARED, e->dma_fd, 0);
  e->dma = m == MAP_FAILED ? NULL : m;
  char err[1200];
  int rc = e->dma ? tsim_api_load(config, 0, &e->api, err, sizeof err) : -1;
  if (rc == 0)
    rc = tsim_port_load(&e->api, &e->port, err, sizeof err);
  if (rc == 0 && !(e->t = e->api.create(NULL, err, sizeof err)))
    rc = -1;
  if (rc) {
    CHECK(0, "emulated board: %s", e->dma ? err : "cannot map the DMA file");
    emu_stop(e);
    return -1;
  }
  drv_region dram = {EMU_DMA_PHYS, e->dma_size, e->dma};
  e->port.set_regions(e->t, &dram, 1);
  /* the window as the idle RTL answers it at every offset: what open's fingerprint check reads */
  for (uint32_t off = 0; off < EMU_WIN; off += 4) {
    uint32_t v = e->api.reg_read(e->t, off);
    if (pwrite(e->reg_fd, &v, 4, off) != 4)
      rc = -1;
  }
  /* the interrupt line: a raw pseudo-terminal (4-byte words pass unchanged, a read waits for
   * the whole word); the driver opens the slave by name, the test keeps it open too */
  e->pty_m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  const char *pts = e->pty_m >= 0 && !grantpt(e->pty_m) && !unlockpt(e->pty_m) ? ptsname(e->pty_m) : NULL;
  struct termios tio;
  if (pts) {
    snprintf(e->pty_name, sizeof e->pty_name, "%s", pts);
    e->pty_s = open(pts, O_RDWR | O_NOCTTY | O_CLOEXEC);
  }
  if (e->pty_s < 0 || tcgetattr(e->pty_s, &tio)) {
    CHECK(0, "emulated board: no pseudo-terminal for the interrupt: %s", strerror(errno));
    rc = -1;
  } else {
    cfmakeraw(&tio);
    tio.c_cc[VMIN] = 4;
    tio.c_cc[VTIME] = 0;
    if (tcsetattr(e->pty_s, TCSANOW, &tio))
      rc = -1;
  }
  if (rc || pipe(e->req) || pipe(e->rep) || pthread_create(&e->clock, NULL, emu_clock, e)) {
    CHECK(0, "emulated board: cannot start the clock thread: %s", strerror(errno));
    emu_stop(e);
    return -1;
  }
  e->clock_on = 1;
#if EMU_SUPPORTED
  static int installed;
  if (!installed) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sa.sa_sigaction = emu_on_segv;
    sigaction(SIGSEGV, &sa, NULL);
    sa.sa_sigaction = emu_on_trap;
    sigaction(SIGTRAP, &sa, NULL);
    installed = 1;
  }
#endif
  snprintf(e->opts, sizeof e->opts, "sysfs=%s/sys,devdir=%s/dev,irq=%s", e->root, e->root,
           e->pty_name);
  E = e;
  return 0;
}

static int emu_start(emu *e, const char *config) { return emu_start_sized(e, config, EMU_DMA_SIZE); }

/* After drv_open: find the driver's mapping of dev/uio0 (by device and inode, or by path: on
 * overlayfs the maps show the underlying inode) and close it, so that every access traps to the
 * RTL. Returns the number of mappings found; only one, of the whole window, is closed. */
static int emu_attach(emu *e) {
  struct stat sb;
  char rel[PATH_MAX], path[PATH_MAX];
  snprintf(rel, sizeof rel, "%s/dev/uio0", e->root);
  if (fstat(e->reg_fd, &sb) || !realpath(rel, path))
    return 0;
  FILE *f = fopen("/proc/self/maps", "r");
  char line[PATH_MAX + 256];
  e->n_win = 0;
  while (f && fgets(line, sizeof line, f)) {
    unsigned long lo, hi, off, ino;
    unsigned maj, mnr;
    int name = 0;
    if (sscanf(line, "%lx-%lx %*s %lx %x:%x %lu %n", &lo, &hi, &off, &maj, &mnr, &ino, &name) < 6)
      continue;
    line[strcspn(line, "\n")] = '\0';
    int same = (ino == sb.st_ino && maj == major(sb.st_dev) && mnr == minor(sb.st_dev)) ||
               (name > 0 && !strcmp(line + name, path));
    if (same && e->n_win < 4)
      e->win[e->n_win++] = (emu_range){lo, hi, off};
  }
  if (f)
    fclose(f);
  int n = e->n_win;
  if (n != 1 || e->win[0].hi - e->win[0].lo != EMU_WIN || e->win[0].file_off != 0)
    e->n_win = 0; /* not the one page the driver maps: trap nothing, the caller gives up */
  emu_protect(e, PROT_NONE);
  return n;
}

/* Register read on the RTL from the test itself (not through the driver). */
static uint32_t emu_reg(emu *e, uint32_t off) { return emu_axi(e, OP_READ, off, 0); }

/* Stop the clock thread, check the AXI master kept the protocol, free everything. The driver
 * must have closed its device first. */
static void emu_stop(emu *e) {
  if (e->clock_on) {
    emu_axi(e, OP_QUIT, 0, 0);
    pthread_join(e->clock, NULL);
  }
  if (E == e)
    E = NULL;
  if (e->t) {
    const char *v = e->port.violation(e->t);
    CHECK(!*v, "the RTL broke the AXI protocol on the emulated board: %s", v);
    e->api.destroy(e->t);
  }
  if (e->api.handle)
    tsim_api_unload(&e->api);
  if (e->dma)
    munmap(e->dma, e->dma_size);
  int fds[] = {e->reg_fd, e->dma_fd, e->req[0], e->req[1], e->rep[0], e->rep[1], e->pty_m, e->pty_s};
  for (int i = 0; i < 8; i++)
    if (fds[i] >= 0)
      close(fds[i]);
  if (e->root[0])
    nftw(e->root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
  memset(e, 0, sizeof *e);
}

/* Start the board and open the zynq backend on it (attached); NULL on failure (printed). */
static drv_dev *emu_open(emu *e) {
  if (emu_start(e, cfg_name))
    return NULL;
  drv_dev *dev = NULL;
  int rc = drv_open("zynq", cfg_name, e->opts, &dev);
  CHECK(rc == DRV_OK, "drv_open zynq on the emulated board: %s", drv_open_error());
  if (rc != DRV_OK) {
    emu_stop(e);
    return NULL;
  }
  int n = emu_attach(e);
  CHECK(n == 1 && e->n_win == 1, "expected one mapping of the %u-byte register window in "
        "/proc/self/maps, found %d", EMU_WIN, n);
  if (e->n_win != 1) {
    drv_close(dev);
    emu_stop(e);
    return NULL;
  }
  return dev;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- tests -------------------------------------------------------------------------------- */

/* The bitstream (the RTL's FP registers) is cfg_name's: opening another config is refused. */
static void test_fingerprint(void) {
  emu e;
  if (emu_start(&e, cfg_name))
    return;
  const char *other = strcmp(cfg_name, "pynq") ? "pynq" : "tiny";
  char want[64];
  snprintf(want, sizeof want, "config '%s'", cfg_name);
  drv_dev *dev = NULL;
  int rc = drv_open("zynq", other, e.opts, &dev);
  CHECK(rc == DRV_E_CONFIG && strstr(drv_open_error(), want), "%s on the %s RTL: got %s: %s",
        other, cfg_name, drv_strerror(rc), drv_open_error());
  drv_close(dev);
  emu_stop(&e);
}

/* Random programs: fsim's final image, and exactly the counters of the verilator backend (the
 * same RTL through tsim_run: the emulation does not disturb the device). */
static void test_progen(void) {
  emu e;
  drv_dev *dz = emu_open(&e), *df = NULL, *dv = NULL;
  int rc = drv_open("fsim", cfg_name, NULL, &df);
  CHECK(rc == DRV_OK, "drv_open fsim: %s", drv_open_error());
  rc = drv_open("verilator", cfg_name, NULL, &dv);
  CHECK(rc == DRV_OK, "drv_open verilator: %s", drv_open_error());
  for (uint64_t seed = 1; dz && df && dv && seed <= 8; seed++) {
    isa_prog p;
    if (progen_make(drv_config(df), seed * 104729, NULL, &p)) {
      CHECK(0, "progen_make seed %" PRIu64, seed * 104729);
      continue;
    }
    uint8_t *imf = calloc(1, p.image_bytes + 1), *imz = calloc(1, p.image_bytes + 1);
    drv_counters cf, cv, cz;
    int rf = drv_run_prog(df, &p, imf, 60000);
    drv_counters_read(df, &cf);
    int rv = drv_run_prog(dv, &p, NULL, 60000);
    drv_counters_read(dv, &cv);
    int rz = drv_run_prog(dz, &p, imz, 60000);
    drv_counters_read(dz, &cz);
    CHECK(rf == DRV_OK && rv == DRV_OK && rz == DRV_OK, "seed %" PRIu64 ": fsim %s, verilator %s, "
          "zynq %s: %s", seed * 104729, drv_strerror(rf), drv_strerror(rv), drv_strerror(rz),
          drv_last_error(dz)->message);
    char msg[2048] = "";
    CHECK(!progen_diff(&p, imf, imz, msg, sizeof msg), "seed %" PRIu64 ": zynq image differs "
          "from fsim's: %s", seed * 104729, msg);
    CHECK(!memcmp(&cv, &cz, sizeof cv), "seed %" PRIu64 ": zynq counters differ from verilator's "
          "(cycles %" PRIu64 " vs %" PRIu64 ", bytes read %" PRIu64 " vs %" PRIu64 ")",
          seed * 104729, cz.cycles, cv.cycles, cz.bytes_read, cv.bytes_read);
    if (seed == 1)
      printf("progen seed %" PRIu64 ": %u instructions, %" PRIu64 " cycles on zynq/RTL "
             "(verilator %" PRIu64 ", fsim's estimate %" PRIu64 ")\n", seed * 104729, p.n_insns,
             cz.cycles, cv.cycles, cf.cycles);
    free(imf);
    free(imz);
    isa_prog_free(&p);
  }
  printf("progen: %" PRIu64 " register reads and %" PRIu64 " writes forwarded to the RTL\n",
         e.reads, e.writes);
  if (dz) {
    /* the trap path alone: loads from the driver's window, each one AXI read of the RTL */
    volatile uint32_t *win = (volatile uint32_t *)e.win[0].lo;
    uint32_t want = (uint32_t)drv_config(dz)->fingerprint;
    uint64_t r0 = e.reads;
    int same = 1;
    double t0 = now_s();
    for (int i = 0; i < 1000; i++)
      same &= win[DLVTA_REG_FP_LO / 4] == want;
    double us = (now_s() - t0) * 1e3;
    CHECK(same && e.reads - r0 == 1000, "1000 loads of FP_LO: %s, %" PRIu64 " AXI reads",
          same ? "right value" : "wrong value", e.reads - r0);
    printf("a register read through the trapped window takes %.1f us\n", us);
  }
  drv_close(df);
  drv_close(dv);
  drv_close(dz);
  if (dz)
    emu_stop(&e);
}

/* An illegal instruction (a bad opcode in the middle of a random program): fsim's kind and
 * index, the disassembly in the message, and the device starts again afterwards. */
static void test_illegal(void) {
  emu e;
  drv_dev *dz = emu_open(&e), *df = NULL;
  int rc = drv_open("fsim", cfg_name, NULL, &df);
  CHECK(rc == DRV_OK, "drv_open fsim: %s", drv_open_error());
  isa_prog p;
  if (!dz || !df || progen_make(drv_config(df), 4711, NULL, &p)) {
    CHECK(!dz || !df, "progen_make");
    drv_close(df);
    drv_close(dz);
    if (dz)
      emu_stop(&e);
    return;
  }
  isa_word good = p.insns[p.n_insns / 2];
  uint32_t k = p.n_insns / 2;
  p.insns[k] = (isa_word){{6, 0}}; /* opcode 6 does not exist */
  uint8_t *imf = calloc(1, p.image_bytes + 1), *imz = calloc(1, p.image_bytes + 1);
  int rf = drv_run_prog(df, &p, imf, 60000);
  drv_error ef = *drv_last_error(df);
  int rz = drv_run_prog(dz, &p, imz, 60000);
  const drv_error *ez = drv_last_error(dz);
  printf("illegal instruction %u: fsim says \"%s\"\nzynq says \"%s\"\n", k, ef.message,
         ez->message);
  CHECK(rf == DRV_E_EXEC && ef.kind == DRV_ERR_ILLEGAL && ef.insn_index == k,
        "fsim: %s kind %d index %" PRId64, drv_strerror(rf), ef.kind, ef.insn_index);
  CHECK(rz == DRV_E_EXEC && ez->kind == ef.kind && ez->insn_index == ef.insn_index,
        "zynq: %s kind %d index %" PRId64 ", fsim kind %d index %" PRId64, drv_strerror(rz),
        ez->kind, ez->insn_index, ef.kind, ef.insn_index);
  char want[64], dis[512];
  snprintf(want, sizeof want, "illegal instruction at instruction %u: ", k);
  isa_disasm(drv_config(dz), &p.insns[k], dis, sizeof dis);
  CHECK(strstr(ez->message, want) && strstr(ez->message, dis), "zynq message should name '%s%s': "
        "%s", want, dis, ez->message);
  /* (the images are not compared here: which instructions complete before the device stops
   * depends on timing, isa/ISA.md "Errors") */
  char msg[2048] = "";
  /* the next start resets the units: the repaired program runs to the end */
  p.insns[k] = good;
  rf = drv_run_prog(df, &p, imf, 60000);
  rz = drv_run_prog(dz, &p, imz, 60000);
  CHECK(rf == DRV_OK && rz == DRV_OK, "after the error: fsim %s, zynq %s: %s", drv_strerror(rf),
        drv_strerror(rz), drv_last_error(dz)->message);
  CHECK(!progen_diff(&p, imf, imz, msg, sizeof msg), "after the error: %s", msg);
  free(imf);
  free(imz);
  isa_prog_free(&p);
  drv_close(df);
  drv_close(dz);
  emu_stop(&e);
}

/* The instruction index fsim's deadlock message gives unit u ("  compute: insn 1 (...)"), or
 * the zynq driver's ("  compute unit: instruction 1: ..."); -1 if idle or absent. */
static long unit_insn(const char *msg, const char *unit, const char *fmt) {
  char key[64];
  snprintf(key, sizeof key, fmt, unit);
  const char *s = strstr(msg, key);
  return s ? strtol(s + strlen(key), NULL, 10) : -1;
}

/* A random program on dev gives fsim's (df) image: the device works after what went before. */
static void test_good_after(drv_dev *dev, drv_dev *df, const char *what) {
  isa_prog g;
  if (progen_make(drv_config(df), 31337, NULL, &g)) {
    CHECK(0, "progen_make 31337");
    return;
  }
  uint8_t *imf = calloc(1, g.image_bytes + 1), *imd = calloc(1, g.image_bytes + 1);
  int rf = drv_run_prog(df, &g, imf, 60000), rd = drv_run_prog(dev, &g, imd, 60000);
  char msg[2048] = "";
  CHECK(rf == DRV_OK && rd == DRV_OK, "%s: fsim %s, device %s: %s", what, drv_strerror(rf),
        drv_strerror(rd), drv_last_error(dev)->message);
  CHECK(rd != DRV_OK || !progen_diff(&g, imf, imd, msg, sizeof msg), "%s: image differs from "
        "fsim's: %s", what, msg);
  free(imf);
  free(imd);
  isa_prog_free(&g);
}

/* A token deadlock: every unit waits for a token that nobody pushes. fsim reports the deadlock;
 * the board keeps busy, the driver times out and names each unit's waiting instruction (fsim's
 * ones) with its WAIT bits, then aborts the run (CTRL.abort): the device is idle again and the
 * next program on the same open device gives fsim's result. The verilator backend detects the
 * deadlock itself and aborts the same way. */
static void test_deadlock(void) {
  static const char text[] =
      ".image 4096\n"
      "load inp sram=0 dram=0 y_size=1 x_size=1 x_stride=1 pop_next\n"           /* 0 */
      "alu add use_imm imm=1 uop_begin=0 uop_end=1 loop_out=1 loop_in=1 pop_prev\n" /* 1 */
      "store out sram=0 dram=0 y_size=1 x_size=1 x_stride=1 pop_prev\n"          /* 2 */
      "finish\n";                                                                /* 3 */
  isa_prog p;
  char err[512];
  if (isa_assemble(text, "deadlock.s", cfg_name, &p, err, sizeof err)) {
    CHECK(0, "%s", err);
    return;
  }
  emu e;
  drv_dev *dz = emu_open(&e), *df = NULL;
  int rc = drv_open("fsim", cfg_name, NULL, &df);
  CHECK(rc == DRV_OK, "drv_open fsim: %s", drv_open_error());
  if (dz && df) {
    int rf = drv_run_prog(df, &p, NULL, 60000);
    drv_error ef = *drv_last_error(df);
    double t0 = now_s();
    uint64_t r0 = e.reads;
    int rz = drv_run_prog(dz, &p, NULL, 300);
    double ms = (now_s() - t0) * 1e3;
    drv_error ez = *drv_last_error(dz);
    printf("deadlock: fsim says \"%s\"\nzynq says (%" PRIu64 " register reads in %.0f ms) "
           "\"%s\"\n", ef.message, e.reads - r0, ms, ez.message);
    CHECK(rf == DRV_E_EXEC && ef.kind == DRV_ERR_DEADLOCK, "fsim: %s kind %d", drv_strerror(rf),
          ef.kind);
    CHECK(rz == DRV_E_TIMEOUT && ez.kind == DRV_ERR_TIMEOUT && ez.insn_index == ef.insn_index,
          "zynq: %s kind %d index %" PRId64 " (fsim's first waiting instruction %" PRId64 ")",
          drv_strerror(rz), ez.kind, ez.insn_index, ef.insn_index);
    CHECK(ms >= 300 && ms < 5000, "timeout after %.0f ms, expected 300..5000", ms);
    static const char *const units[3] = {"load", "compute", "store"};
    static const char *const waits[3] = {"load waits C2L token", "compute waits L2C token",
                                         "store waits C2S token"};
    for (int u = 0; u < 3; u++) {
      long f = unit_insn(ef.message, units[u], "\n  %s: insn ");
      long z = unit_insn(ez.message, units[u], "\n  %s unit: instruction ");
      CHECK(f == u && z == f, "%s unit: zynq names instruction %ld, fsim %ld (expected %d)",
            units[u], z, f, u);
      char dis[512], want[600], *dram;
      isa_disasm(drv_config(dz), &p.insns[u], dis, sizeof dis);
      if ((dram = strstr(dis, " dram="))) /* the driver shows relocated device addresses */
        dram[6] = '\0';
      snprintf(want, sizeof want, "%s unit: instruction %d: %s", units[u], u, dis);
      CHECK(strstr(ez.message, want) && strstr(ez.message, waits[u]),
            "zynq message should say '%s' and '%s': %s", want, waits[u], ez.message);
    }
    /* the driver aborted the run (CTRL.abort): the RTL is idle with ERR_KIND ABORTED, and the
     * same open device runs a good program to fsim's result, without a reload */
    uint32_t st = emu_reg(&e, DLVTA_REG_STATUS), kind = emu_reg(&e, DLVTA_REG_ERR_KIND);
    CHECK(!(st & DLVTA_STATUS_BUSY) && (st & DLVTA_STATUS_ERROR) && kind == DLVTA_ERR_ABORTED,
          "after the timeout: STATUS 0x%x ERR_KIND %u, expected idle, error, aborted", st, kind);
    CHECK(strstr(ez.message, "aborted (CTRL.abort)") != NULL, "the timeout message should say the "
          "device was aborted: %s", ez.message);
    test_good_after(dz, df, "zynq after the deadlock's abort");
    /* twice in a row: the abort leaves nothing behind */
    rz = drv_run_prog(dz, &p, NULL, 200);
    CHECK(rz == DRV_E_TIMEOUT && strstr(drv_last_error(dz)->message, "aborted (CTRL.abort)"),
          "second deadlock: %s: %s", drv_strerror(rz), drv_last_error(dz)->message);
    test_good_after(dz, df, "zynq after the second abort");
    /* a run nobody waits for (its process died): INSN_ADDR/INSN_COUNT still point at the last
     * program run (test_good_after's); started behind the driver's back, the device is busy
     * with it when the driver's next run comes, which aborts it first, then runs. The clock
     * thread may finish that short program before the STATUS read when this thread is
     * descheduled (a loaded machine): DONE is then the start's other valid trace */
    emu_axi(&e, OP_WRITE, DLVTA_REG_CTRL, DLVTA_CTRL_START);
    st = emu_reg(&e, DLVTA_REG_STATUS);
    CHECK((st & (DLVTA_STATUS_BUSY | DLVTA_STATUS_DONE)) && !(st & DLVTA_STATUS_ERROR),
          "STATUS 0x%x after a start behind the driver: busy (or done) expected", st);
    test_good_after(dz, df, "zynq on a device left busy by another run");
  }
  /* the verilator backend (tsim_run): the deadlock is detected, the run aborted the same way */
  drv_dev *dv = NULL;
  rc = drv_open("verilator", cfg_name, NULL, &dv);
  CHECK(rc == DRV_OK, "drv_open verilator: %s", drv_open_error());
  if (dv && df) {
    int rv = drv_run_prog(dv, &p, NULL, 60000);
    const drv_error *ev = drv_last_error(dv);
    CHECK(rv == DRV_E_EXEC && ev->kind == DRV_ERR_DEADLOCK && strstr(ev->message, "aborted (CTRL.abort)"),
          "verilator deadlock: %s kind %d: %s", drv_strerror(rv), ev->kind, ev->message);
    test_good_after(dv, df, "verilator after the deadlock's abort");
  }
  drv_close(dv);
  isa_prog_free(&p);
  drv_close(df);
  drv_close(dz);
  if (dz)
    emu_stop(&e);
}

/* An abort in the middle of DRAM traffic: a long random program (many loads and stores in flight)
 * is cut by a timeout far shorter than its run; the abort drains the bursts on the bus (the
 * DRAM model checks every AXI rule: no burst left half-issued, no write without its beats) and
 * the next program gives fsim's result. */
static void test_abort_traffic(void) {
  emu e;
  drv_dev *dz = emu_open(&e), *df = NULL;
  int rc = drv_open("fsim", cfg_name, NULL, &df);
  CHECK(rc == DRV_OK, "drv_open fsim: %s", drv_open_error());
  progen_opts o;
  progen_opts_default(&o);
  o.max_insns = 2000;
  o.max_loop = 8;
  isa_prog p;
  if (dz && df && progen_make(drv_config(df), 777, &o, &p) == 0) {
    int aborted = 0;
    for (uint32_t ms = 20; ms <= 80 && !aborted; ms *= 2) {
      int rz = drv_run_prog(dz, &p, NULL, ms);
      if (rz == DRV_OK)
        continue;
      aborted = 1;
      CHECK(rz == DRV_E_TIMEOUT && strstr(drv_last_error(dz)->message, "aborted (CTRL.abort)"),
            "cut after %u ms: %s: %s", ms, drv_strerror(rz), drv_last_error(dz)->message);
      drv_counters c;
      drv_counters_read(dz, &c);
      printf("abort mid-traffic after %u ms: %" PRIu64 " cycles, %" PRIu64 " bytes read, %" PRIu64
             " written before it\n", ms, c.cycles, c.bytes_read, c.bytes_written);
      CHECK(!*e.port.violation(e.t), "AXI protocol after the abort: %s", e.port.violation(e.t));
    }
    CHECK(aborted, "the %u-instruction program finished within 80 ms: no abort tested", p.n_insns);
    test_good_after(dz, df, "after the abort mid-traffic");
    isa_prog_free(&p);
  } else {
    CHECK(!dz || !df, "progen_make 777");
  }
  drv_close(df);
  drv_close(dz);
  if (dz)
    emu_stop(&e);
}

/* The interrupt: with irq= the emulated UIO line (the RTL's irq output through a pty that speaks
 * UIO's protocol), runs wait on it and read STATUS a few times per run instead of polling it
 * thousands of times; without a usable interrupt (irq=none, a file that is not a character
 * device, a character device whose read fails) runs poll, with the same results. */
static void test_irq(void) {
  static const struct { const char *irq, *mode; } cases[] = {
      {NULL, "waits on the interrupt"},       /* the pty */
      {"none", "polls STATUS (irq=none"},
      {"uio0", "polls STATUS ("},             /* the register file: a regular file */
      {"/dev/null", "polls STATUS (the interrupt on /dev/null failed"},
  };
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    emu e;
    if (emu_start(&e, cfg_name))
      return;
    char opts[600];
    if (!cases[c].irq)
      snprintf(opts, sizeof opts, "%s", e.opts);
    else if (!strcmp(cases[c].irq, "uio0"))
      snprintf(opts, sizeof opts, "%s,irq=%s/dev/uio0", e.opts, e.root);
    else
      snprintf(opts, sizeof opts, "%s,irq=%s", e.opts, cases[c].irq);
    drv_dev *dz = NULL, *df = NULL;
    int rc = drv_open("zynq", cfg_name, opts, &dz);
    CHECK(rc == DRV_OK, "drv_open zynq %s: %s", opts, drv_open_error());
    if (rc == DRV_OK && emu_attach(&e) != 1)
      CHECK(0, "no register window");
    drv_open("fsim", cfg_name, NULL, &df);
    if (dz && df && e.n_win == 1) {
      isa_prog g;
      if (progen_make(drv_config(df), 31337, NULL, &g)) {
        CHECK(0, "progen_make");
        break;
      }
      uint8_t *im = calloc(1, g.image_bytes + 1), *imf = calloc(1, g.image_bytes + 1);
      drv_run_prog(df, &g, imf, 60000);
      /* A run may end before the driver's first STATUS read after the start (the clock thread
       * runs the RTL while the driver's thread waits to be scheduled): it then ends without a
       * wait (two STATUS reads: before the start, after it), rightly, and neither waits on the
       * interrupt nor finds that it fails. Up to RUNS runs, until one reached the wait. */
      enum { RUNS = 8 };
      int waited = 0, early = 0;
      for (int run = 0; run < RUNS && !waited; run++) {
        uint64_t r0 = e.reads, s0 = e.status_reads, i0 = e.irqs;
        memset(im, 0, g.image_bytes);
        int rz = drv_run_prog(dz, &g, im, 60000);
        uint64_t reads = e.reads - r0, sreads = e.status_reads - s0, irqs = e.irqs - i0;
        char msg[2048] = "";
        CHECK(rz == DRV_OK && !progen_diff(&g, imf, im, msg, sizeof msg), "irq=%s, run %d: %s %s %s",
              cases[c].irq ? cases[c].irq : e.pty_name, run, drv_strerror(rz), drv_last_error(dz)->message, msg);
        printf("irq=%s: %" PRIu64 " interrupts, %" PRIu64 " STATUS reads (%" PRIu64 " register "
               "reads) for run %d; %s\n", cases[c].irq ? cases[c].irq : e.pty_name, irqs, sreads, reads, run,
               drv_describe(dz));
        if (sreads == 2) {
          CHECK(irqs == 0, "irq=%s, run %d ended before the wait: %" PRIu64 " interrupts",
                cases[c].irq ? cases[c].irq : e.pty_name, run, irqs);
          early++;
          continue;
        }
        waited = 1;
        if (cases[c].irq) /* polling */
          CHECK(irqs == 0, "irq=%s: %" PRIu64 " interrupts delivered while polling", cases[c].irq, irqs);
        else /* STATUS before the start, after the start, after the wake-up (and one spare) */
          CHECK(irqs == 1 && sreads <= 4, "interrupt wait: %" PRIu64 " interrupts, %" PRIu64 " STATUS reads", irqs,
                sreads);
      }
      CHECK(waited, "irq=%s: no run reached the wait (%d ended before it)", cases[c].irq ? cases[c].irq : e.pty_name,
            early);
      free(im);
      free(imf);
      isa_prog_free(&g);
      const char *desc = drv_describe(dz);
      CHECK(strstr(desc, cases[c].mode) != NULL, "irq=%s: the device should say '%s': %s",
            cases[c].irq ? cases[c].irq : e.pty_name, cases[c].mode, desc);
    }
    drv_close(df);
    drv_close(dz);
    emu_stop(&e);
  }
}

/* Two users of one device: a second process's open fails with DRV_E_BUSY naming the first
 * (pid and name from /proc/locks); so does a second open in the same process; after the first
 * closes, the device opens again. */
static void test_lock(void) {
  emu e;
  if (emu_start(&e, cfg_name))
    return;
  int to_child[2], to_parent[2];
  if (pipe(to_child) || pipe(to_parent)) {
    CHECK(0, "pipe: %s", strerror(errno));
    emu_stop(&e);
    return;
  }
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    /* the first user: opens (the register window holds the idle RTL's snapshot, so the
     * fingerprint check needs no emulation), says so, waits to be told to close */
    drv_dev *d = NULL;
    char c = drv_open("zynq", cfg_name, e.opts, &d) == DRV_OK ? 'o' : 'x';
    if (write(to_parent[1], &c, 1) != 1 || read(to_child[0], &c, 1) != 1)
      c = 0;
    drv_close(d);
    c = 'c';
    if (write(to_parent[1], &c, 1) != 1)
      c = 0;
    _exit(0);
  }
  char c = 0;
  if (pid < 0 || read(to_parent[0], &c, 1) != 1 || c != 'o') {
    CHECK(0, "the first process could not open the device (fork %d, reply '%c')", (int)pid, c);
  } else {
    drv_dev *d = NULL;
    int rc = drv_open("zynq", cfg_name, e.opts, &d);
    char want[64];
    snprintf(want, sizeof want, "pid %d", (int)pid);
    printf("second process: %s\n", drv_open_error());
    CHECK(rc == DRV_E_BUSY && strstr(drv_open_error(), "in use") && strstr(drv_open_error(), want),
          "second user: %s: %s (expected DRV_E_BUSY naming %s)", drv_strerror(rc), drv_open_error(),
          want);
    drv_close(d);
    c = 'q';
    if (write(to_child[1], &c, 1) != 1 || read(to_parent[0], &c, 1) != 1 || c != 'c')
      CHECK(0, "the first process did not close");
    waitpid(pid, NULL, 0);
    d = NULL;
    rc = drv_open("zynq", cfg_name, e.opts, &d);
    CHECK(rc == DRV_OK, "open after the first user closed: %s", drv_open_error());
    drv_dev *d2 = NULL;
    int rc2 = drv_open("zynq", cfg_name, e.opts, &d2);
    CHECK(rc2 == DRV_E_BUSY && strstr(drv_open_error(), "this process"), "second open in the same "
          "process: %s: %s", drv_strerror(rc2), drv_open_error());
    drv_close(d2);
    drv_close(d);
  }
  if (pid > 0)
    waitpid(pid, NULL, WNOHANG);
  for (int i = 0; i < 2; i++)
    close(to_child[i]), close(to_parent[i]);
  emu_stop(&e);
}

/* A package larger than the u-dma-buf region: rt_open refuses before placing anything, with the
 * sizes and how to make the region larger (module parameter, device-tree size, CMA). */
static void test_region(void) {
  char pkg[256], err[4096];
  snprintf(pkg, sizeof pkg, E2E_OUT "/tiny_cnn_%s_zynq.dlvta", cfg_name);
  if (e2e_compile("tiny_cnn", cfg_name, pkg, NULL))
    return;
  emu e;
  rt_model *r = NULL;
  if (emu_start_sized(&e, cfg_name, 8192))
    return;
  int rc = rt_load(pkg, &r, err, sizeof err);
  CHECK(rc == RT_OK, "load %s: %s", pkg, err);
  if (rc == RT_OK) {
    rc = rt_open(r, "zynq", e.opts, err, sizeof err);
    printf("8 KiB region: %s\n", err);
    CHECK(rc == RT_E_DEVICE && strstr(err, "contiguous DMA memory") && strstr(err, "udmabuf0=") &&
          strstr(err, "cma=") && strstr(err, "size = <0x"), "rt_open on an 8 KiB region: %d: %s",
          rc, err);
  }
  rt_free(r);
  emu_stop(&e);
}

/* `dlvta selftest`'s checks on the emulated board: every one passes, the deadlock among them as
 * a timeout that the driver recovers from with CTRL.abort (on the same open device). */
static void test_selftest(void) {
  emu e;
  drv_dev *dz = emu_open(&e);
  if (!dz)
    return;
  selftest_opts o = {60000, 0, 0};
  int r = selftest_run(dz, &o, stdout);
  CHECK(r >= 24, "selftest on the emulated board: %d (passed if positive, else failed)", r);
  drv_close(dz);
  emu_stop(&e);
}

/* tiny_cnn compiled for tiny, every input of input.npy: the zynq backend on the RTL gives
 * outputs bit-identical to fsim's, in as many cycles as the verilator backend counts. */
static void test_model(void) {
  char pkg[256], p[512], err[4096];
  snprintf(pkg, sizeof pkg, E2E_OUT "/tiny_cnn_%s_zynq.dlvta", cfg_name);
  if (e2e_compile("tiny_cnn", cfg_name, pkg, NULL))
    return;
  npy_array xa;
  float *x;
  if (e2e_load_f32(e2e_path(p, sizeof p, "tiny_cnn", "input.npy"), &xa, &x))
    return;
  int64_t n = xa.shape[0], on = 0;
  double fcyc, fsecs, vcyc = -1, vsecs;
  float *yf = e2e_run(pkg, "fsim", x, n, &on, &fcyc, &fsecs);
  free(e2e_run(pkg, "verilator", x, n, NULL, &vcyc, &vsecs));
  emu e;
  rt_model *r = NULL;
  if (yf && emu_start(&e, cfg_name) == 0) {
    int rc = rt_load(pkg, &r, err, sizeof err);
    CHECK(rc == RT_OK, "load %s: %s", pkg, err);
    if (rc == RT_OK) {
      rc = rt_open(r, "zynq", e.opts, err, sizeof err);
      CHECK(rc == RT_OK, "open %s on the emulated board: %s", pkg, err);
    }
    if (rc == RT_OK) {
      int nw = emu_attach(&e);
      CHECK(nw == 1 && e.n_win == 1, "expected one mapping of the register window, found %d", nw);
      if (e.n_win != 1)
        rc = RT_E_DEVICE;
    }
    if (rc == RT_OK) {
      float *yz = calloc((size_t)(n * on), sizeof(float));
      int in_n = (int)rt_input_numel(r, 0);
      double t0 = now_s();
      for (int64_t k = 0; k < n && rc == RT_OK; k++) {
        const float *ins[1] = {x + k * in_n};
        float *outs[1] = {yz + k * on};
        rc = rt_run(r, ins, outs, err, sizeof err);
        CHECK(rc == RT_OK, "run input %lld on zynq: %s", (long long)k, err);
      }
      double secs = now_s() - t0;
      int64_t diff = -1;
      for (int64_t i = 0; i < n * on && diff < 0; i++)
        if (memcmp(&yz[i], &yf[i], sizeof(float)))
          diff = i;
      CHECK(rc == RT_OK && diff < 0, "tiny_cnn on zynq/RTL: output %lld is %.9g, fsim %.9g",
            (long long)diff, diff >= 0 ? yz[diff] : 0.0, diff >= 0 ? yf[diff] : 0.0);
      double zcyc = n ? (double)rt_total_cycles(r) / (double)n : 0.0;
      CHECK(zcyc == vcyc, "tiny_cnn: %.1f cycles per inference on zynq/RTL, %.1f on verilator",
            zcyc, vcyc);
      printf("tiny_cnn %s on zynq/RTL: %lld inputs x %lld outputs %s fsim's; %.0f cycles per "
             "inference (verilator %.0f, fsim's estimate %.0f), %.2f s (verilator %.2f s), %"
             PRIu64 " register reads and %" PRIu64 " writes forwarded\n", cfg_name, (long long)n,
             (long long)on, diff < 0 ? "bit-identical to" : "DIFFER from", zcyc, vcyc, fcyc,
             secs, vsecs, e.reads, e.writes);
      free(yz);
    }
    rt_free(r);
    emu_stop(&e);
  }
  free(yf);
  npy_free(&xa);
  free(x);
}

/* Usage: test_zynq_rtl [config...] (default: tiny pynq). */
int main(int argc, char **argv) {
  if (!EMU_SUPPORTED) {
    CHECK(0, "the emulated register window needs x86-64 Linux (trap flag, page-fault error code)");
    return TEST_END();
  }
  static const char *const defaults[] = {"tiny", "pynq"};
  int n_cfg = argc > 1 ? argc - 1 : 2;
  struct { const char *name; void (*fn)(void); } tests[] = {
      {"fingerprint", test_fingerprint}, {"progen", test_progen}, {"illegal", test_illegal},
      {"deadlock", test_deadlock},       {"abort_traffic", test_abort_traffic},
      {"irq", test_irq},                 {"lock", test_lock},
      {"region", test_region},           {"selftest", test_selftest},
      {"model", test_model},
  };
  for (int c = 0; c < n_cfg; c++) {
    cfg_name = argc > 1 ? argv[c + 1] : defaults[c];
    if (!isa_config_find(cfg_name)) {
      CHECK(0, "unknown config '%s' (known: %s)", cfg_name, isa_config_names());
      continue;
    }
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {
      double t0 = now_s();
      tests[i].fn();
      printf("[%s %s: %.2f s]\n", cfg_name, tests[i].name, now_s() - t0);
      fflush(stdout);
    }
  }
  return TEST_END();
}
