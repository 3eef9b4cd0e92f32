"""The BLAS that the reference side runs, as threadpoolctl reports it, for every benchmark's JSON output.

Call after importing NumPy (and PyTorch): threadpoolctl lists the libraries loaded in the process.
Returns {"library", "version", "core", "threads", "path"} of the first BLAS found, or {"error": ...}.
"""


def blas_info():
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return {"error": "threadpoolctl is not installed (scripts/setup.sh installs it)"}
    for lib in threadpool_info():
        if lib.get("user_api") == "blas":
            return {"library": lib.get("internal_api"), "version": lib.get("version"),
                    "core": lib.get("architecture"), "threads": lib.get("num_threads"),
                    "path": lib.get("filepath")}
    return {"error": "no BLAS loaded"}
