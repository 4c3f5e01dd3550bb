"""Pure helpers the residency rules share: IP ranges, AWS principals, OCI IAM statements."""
