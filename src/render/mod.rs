//! Sheets → xlsx and JSON. The only module that touches rust_xlsxwriter.
