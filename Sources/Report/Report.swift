// Report: see README.md, section Design. Populated by its issue.
