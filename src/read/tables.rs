//! Customer master and previous grades (small tables).
