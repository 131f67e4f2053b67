//! The synthetic ledger set of `tierbook sample`.
