// zlib's gzip stream reader (gzopen/gzread), for .gz IDX and CSV data files.
#include <zlib.h>
