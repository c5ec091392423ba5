//! The `sangdam` program under another name, so tests in this crate can start it as a
//! separate process (`CARGO_BIN_EXE_sangdam-node`) and kill it with SIGKILL.

fn main() -> anyhow::Result<()> {
    sangdam_server::app::cli::main()
}
