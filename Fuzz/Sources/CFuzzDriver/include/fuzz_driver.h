#include <stddef.h>
#include <stdint.h>

/// Runs libFuzzer's driver (command-line flags, corpus, mutation loop) on `test_one_input`. SwiftPM links an
/// executable target's entry point as `<Module>_main`, so each target calls this from there instead of
/// relying on libFuzzer's own `main`.
int nc_fuzz_main(int argc, char **argv, int (*test_one_input)(const uint8_t *data, size_t size));
