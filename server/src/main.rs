//! The `sangdam` binary: everything it does lives in `sangdam_server::cli`.

fn main() -> anyhow::Result<()> {
    sangdam_server::cli::main()
}
