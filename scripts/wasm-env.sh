# Settings shared by every wasm32 build (the widget build and `wasm-pack test`),
# so both reuse one set of compiled dependencies in target/.
export CARGO_PROFILE_RELEASE_OPT_LEVEL=s
export CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16
# Keep the cargo-installed tools (wasm-bindgen, wasm-pack) and Debian's
# chromedriver on PATH; never Debian's wasm-opt (it breaks the module).
export PATH="$HOME/.cargo/bin:$PATH"
