"""imslint: find and rewrite calls to Huawei Cloud IMS's abandoned image APIs."""
__version__ = "0.1.0"
