"""imslint's rules, one module per rule; installed as ``linter.rules``."""
