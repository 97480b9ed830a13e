/* tests/test_onnx_node.c -- walks ONNX's backend node tests (default
 * /usr/share/libonnx-testdata/data/node; any directory in that layout works, e.g.
 * .../data/pytorch-converted) with the checks of test_onnx_util.h: import, reference executor
 * before and after the pipeline, compared with the expected outputs. Prints PASS/FAIL/SKIP per
 * test, the skip reasons grouped, and "N passed, N failed". No python involved.
 *   test_onnx_node [DIR [MIN_PASS]]   MIN_PASS: fewer passing models is a failure (a floor that
 *                                     catches an importer that suddenly skips everything; 640
 *                                     for the default directory, 1 otherwise) */
#include <stdlib.h>

#include "test_onnx_util.h"

int main(int argc, char **argv) {
  const char *dir = argc > 1 ? argv[1] : "/usr/share/libonnx-testdata/data/node";
  int floor = argc > 2 ? atoi(argv[2]) : argc > 1 ? 1 : 640;
  int passed = walk_tests(dir);
  CHECK(passed >= floor, "%d models passed, expected at least %d", passed, floor);
  return TEST_END();
}
