/* util/progress.c -- the progress line (progress.h). */
#include "progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_DEPTH 4

static struct {
  int on;                       /* enabled and stderr a terminal */
  int depth;                    /* stages begun and not ended */
  char stage[MAX_DEPTH][48];
  double t_begin[MAX_DEPTH];    /* ms, monotonic */
  double t_shown;               /* last time the line was written */
  int shown;                    /* the line is on the terminal (needs clearing) */
} P;

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double delay_ms = UTIL_PROGRESS_DELAY_MS;

void util_progress_enable(int on) {
  P.on = on && isatty(STDERR_FILENO);
  const char *e = getenv("DLVTA_PROGRESS_DELAY_MS");
  if (e && *e) delay_ms = atof(e);
}
int util_progress_enabled(void) { return P.on; }

void util_progress_begin(const char *stage) {
  if (!P.on) return;
  int d = P.depth < MAX_DEPTH ? P.depth : MAX_DEPTH - 1;
  snprintf(P.stage[d], sizeof P.stage[d], "%s", stage ? stage : "");
  P.t_begin[d] = now_ms();
  P.depth++;
}

void util_progress(double fraction, const char *detail) {
  if (!P.on || !P.depth) return;
  int d = (P.depth < MAX_DEPTH ? P.depth : MAX_DEPTH) - 1;
  double t = now_ms();
  if (t - P.t_begin[0] < delay_ms || (P.shown && t - P.t_shown < 100)) return;
  if (fraction < 0) fraction = 0;
  if (fraction > 1) fraction = 1;
  char line[160];
  int n = snprintf(line, sizeof line, "dlvta: %s %3.0f %%%s%s", P.stage[d], 100 * fraction, detail ? "  " : "",
                   detail ? detail : "");
  if (n > 79) line[79] = 0;
  fprintf(stderr, "\r%-79s", line);
  fflush(stderr);
  P.shown = 1;
  P.t_shown = t;
}

void util_progress_end(void) {
  if (!P.on || !P.depth) return;
  if (--P.depth == 0 && P.shown) {
    fprintf(stderr, "\r%79s\r", "");
    fflush(stderr);
    P.shown = 0;
  }
}
