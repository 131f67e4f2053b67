//! Facts + rules → grades with reasons (pure, no I/O).
