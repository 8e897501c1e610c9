# A tiny lit suite with one passing, one failing and one unsupported test,
import os
# used to check the summary line of test/run_all.py.
import lit.formats
config.name = "fake"
config.test_format = lit.formats.ShTest(True)
config.suffixes = [".txt"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = config.test_source_root
