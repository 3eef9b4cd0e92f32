# The tests exercise this checkout's nc_recorder, not an older installed copy.
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
