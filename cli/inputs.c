/* cli/inputs.c -- binding per-input files on the command line to a model's inputs (`dlvta
 * compile --calib`, `dlvta run --input`): NAME=FILE for the input named NAME, or plain FILEs in
 * the model's input order; the tensor names of --outputs. See cli.h. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* The index of the input whose name is the text of arg before its '=', or -1. */
static int named(const char *arg, const char *const *names, int n) {
  const char *eq = strchr(arg, '=');
  if (!eq) return -1;
  for (int i = 0; i < n; i++)
    if (strlen(names[i]) == (size_t)(eq - arg) && !strncmp(arg, names[i], (size_t)(eq - arg))) return i;
  return -1;
}

int cli_bind_inputs(const char *cmd, const char *opt, const char *const *args, int nargs, const char *const *names, int n,
                    const char **paths) {
  int nnamed = 0;
  for (int k = 0; k < nargs; k++) nnamed += named(args[k], names, n) >= 0;
  char list[512] = "";
  for (int i = 0; i < n; i++)
    snprintf(list + strlen(list), sizeof list - strlen(list), "%s'%s'", i ? ", " : "", names[i]);
  if (nnamed && nnamed != nargs) {
    cli_error(cmd, "%s: give every input as NAME=FILE or none (then in the model's order: %s)", opt, list);
    return -1;
  }
  if (nargs != n) {
    cli_error(cmd, "%s given %d time(s), the model has %d input(s): %s", opt, nargs, n, list);
    return -1;
  }
  for (int i = 0; i < n; i++) paths[i] = NULL;
  for (int k = 0; k < nargs; k++) {
    int i = nnamed ? named(args[k], names, n) : k;
    if (paths[i]) {
      cli_error(cmd, "%s: input '%s' given twice", opt, names[i]);
      return -1;
    }
    paths[i] = nnamed ? strchr(args[k], '=') + 1 : args[k];
  }
  return 0;
}

int cli_add_outputs(const char *cmd, char *list, const char **names, int *n, int max) {
  for (char *s = list, *comma;; s = comma + 1) {
    comma = strchr(s, ',');
    if (comma) *comma = 0;
    if (!*s) return cli_error(cmd, "--outputs: an empty tensor name (NAME[,NAME]...)"), -1;
    if (*n == max) return cli_error(cmd, "--outputs: more than %d tensors", max), -1;
    names[(*n)++] = s;
    if (!comma) return 0;
  }
}
