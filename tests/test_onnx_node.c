/* tests/test_onnx_node.c -- walks ONNX's backend node tests (default
 * /usr/share/libonnx-testdata/data/node; any directory in that layout works, e.g.
 * .../data/pytorch-converted) with the checks of test_onnx_util.h: import, reference executor
 * before and after the pipeline, compared with the expected outputs. Prints PASS/FAIL/SKIP per
 * test, the skip reasons grouped, and "N passed, N failed". No python involved. */
#include "test_onnx_util.h"

int main(int argc, char **argv) {
  walk_tests(argc > 1 ? argv[1] : "/usr/share/libonnx-testdata/data/node");
  return TEST_END();
}
