#include "cbuildinfo.h"

// generated_commit.h (git-ignored) defines NC_GIT_COMMIT; scripts/build-info.sh rewrites it only when the
// commit changes, so the compiler's dependency tracking rebuilds this file exactly then.
#if __has_include("generated_commit.h")
#include "generated_commit.h"
#else
#define NC_GIT_COMMIT "unknown"
#endif

const char *cbuildinfo_git_commit(void) { return NC_GIT_COMMIT; }
