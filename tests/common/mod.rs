//! Shared by the engine test files, which run twice: natively (`cargo test`)
//! and in headless Chromium (`wasm-pack test`).

/// One async test body, run natively with a blocking executor and in the
/// browser by wasm-bindgen-test.
#[macro_export]
macro_rules! engine_test {
    ($name:ident, $body:block) => {
        #[cfg(not(target_family = "wasm"))]
        #[test]
        fn $name() {
            pollster::block_on(async $body)
        }
        #[cfg(target_family = "wasm")]
        #[wasm_bindgen_test::wasm_bindgen_test]
        async fn $name() $body
    };
}
