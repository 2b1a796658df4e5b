// libFuzzer's driver entry point (compiler-rt FuzzerInterface.h, LLVM 11 and later), for an
// executable whose main is not libFuzzer's: SwiftPM links executable targets with their own
// entry point (TARGET_main), so waggle-fuzz's main hands control to the driver.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
