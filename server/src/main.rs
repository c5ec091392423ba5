//! The `sangdam` binary: everything it does lives in `sangdam_server::app::cli`.

fn main() -> anyhow::Result<()> {
    sangdam_server::app::cli::main()
}
