fn main() -> std::process::ExitCode {
    cartera::app::main()
}
