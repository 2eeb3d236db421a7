//! Choosing the compute device, in one place: WebGPU when asked for (or on
//! auto) and an adapter exists, the pure-Rust CPU backend (flex) otherwise.

use burn::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    Webgpu,
    Cpu,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Webgpu => "webgpu",
            Backend::Cpu => "cpu",
        }
    }
}

/// What the page asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendChoice {
    Auto,
    Webgpu,
    Cpu,
}

impl BackendChoice {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "" | "auto" => Some(BackendChoice::Auto),
            "webgpu" | "gpu" => Some(BackendChoice::Webgpu),
            "cpu" => Some(BackendChoice::Cpu),
            _ => None,
        }
    }
}

/// The CPU device every build has.
pub fn cpu() -> (Device, Backend) {
    (Device::flex(), Backend::Cpu)
}

/// Run the module's static constructors (burn/cubecl register kernels and IR
/// types with `inventory`) exactly once. Because this crate calls the
/// linker's `__wasm_call_ctors` explicitly, wasm-ld no longer wraps *every*
/// export to re-run them first, which cost ~25 ms per engine call (measured
/// with the Chromium profiler). Natively the platform runs them at start-up.
pub fn run_static_constructors_once() {
    #[cfg(target_family = "wasm")]
    {
        unsafe extern "C" {
            fn __wasm_call_ctors();
        }
        static ONCE: std::sync::Once = std::sync::Once::new();
        // SAFETY: the linker-provided constructor runner, guarded to run once,
        // before any burn code (every entry point goes through here or `start`).
        ONCE.call_once(|| unsafe { __wasm_call_ctors() });
    }
}

/// Pick a device. Returns the device, its backend, and why WebGPU was not
/// used when it was wanted (no adapter, init failure, not compiled in).
pub async fn pick(choice: BackendChoice) -> (Device, Backend, Option<String>) {
    run_static_constructors_once();
    if choice == BackendChoice::Cpu {
        let (d, b) = cpu();
        return (d, b, None);
    }
    match webgpu().await {
        Ok(device) => (device, Backend::Webgpu, None),
        Err(why) => {
            let (d, b) = cpu();
            (d, b, Some(why))
        }
    }
}

#[cfg(feature = "webgpu")]
thread_local! {
    /// burn registers one runtime per WebGPU device and refuses a second
    /// registration, so every engine on the page shares the first device.
    static WEBGPU: std::cell::RefCell<Option<Device>> = const { std::cell::RefCell::new(None) };
}

#[cfg(feature = "webgpu")]
async fn webgpu() -> Result<Device, String> {
    if let Some(device) = WEBGPU.with(|d| d.borrow().clone()) {
        return Ok(device);
    }
    let device = Device::wgpu_options().init_async().await.map_err(|e| format!("WebGPU unavailable: {e}"))?;
    WEBGPU.with(|d| *d.borrow_mut() = Some(device.clone()));
    Ok(device)
}

#[cfg(not(feature = "webgpu"))]
async fn webgpu() -> Result<Device, String> {
    Err("this build has no WebGPU backend".into())
}
