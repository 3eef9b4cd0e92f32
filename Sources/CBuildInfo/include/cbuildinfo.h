// What the build knows about its own source: the git commit it was built from.
#ifndef CBUILDINFO_H
#define CBUILDINFO_H

/// The commit of the checkout this binary was built from (40 hex digits, "-dirty" appended when the tree had
/// uncommitted changes), written by scripts/build-info.sh before `make build` and `make test`; "unknown"
/// for a build that did not run it (a plain `swift build`).
const char *cbuildinfo_git_commit(void);

#endif
