//! One module per subcommand, wiring the pipeline.
