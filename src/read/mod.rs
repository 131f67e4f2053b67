//! Inputs → typed records + issues. The only module that touches calamine and csv.
