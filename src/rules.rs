//! Rules files (SPEC 6): loaded with serde and validated.
