/* util/progress.h -- one updating progress line on stderr for work that can take more than a
 * couple of seconds (calibration, the back end's tile search, a Verilator run): "dlvta: STAGE
 * 42 %" rewritten in place, at most ten times a second, shown only once a stage has run for
 * UTIL_PROGRESS_DELAY_MS, and only when enabled (the command line enables it unless --quiet)
 * and stderr is a terminal. Libraries call it freely: disabled (the default), every call
 * returns at once. Not thread-safe: call from the thread that drives the work. The environment's
 * DLVTA_PROGRESS_DELAY_MS replaces the delay (tests set 0 to see the line at once). */
#ifndef DLVTA_UTIL_PROGRESS_H
#define DLVTA_UTIL_PROGRESS_H

#define UTIL_PROGRESS_DELAY_MS 500

/* Enable (on = 1, if stderr is a terminal) or disable the line for the rest of the process. */
void util_progress_enable(int on);
int util_progress_enabled(void);
/* Start a stage (a short name, e.g. "calibrate"); restarts the delay. Nested begins are allowed:
 * the innermost stage is shown, its fraction as given. */
void util_progress_begin(const char *stage);
/* The current stage is this fraction (0..1) done; detail (NULL: none) is shown after it. */
void util_progress(double fraction, const char *detail);
/* End the current stage (and the line, when it was the outermost). */
void util_progress_end(void);

#endif
