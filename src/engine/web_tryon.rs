//! wasm-bindgen façade of the try-on engine. Pixels cross as RGBA bytes
//! (what a canvas's `getImageData` gives), already scaled to the model's size.

use wasm_bindgen::prelude::*;

use super::web::js_error;
use super::{BackendChoice, TryOnEngine};
use crate::data::pixels::Pixels;
use crate::error::VitrineError;

#[wasm_bindgen]
pub struct TryOn {
    inner: TryOnEngine,
}

fn rgba(bytes: Vec<u8>, width: usize, height: usize, what: &str) -> Result<Pixels, JsValue> {
    if bytes.len() != width * height * 4 {
        return Err(js_error(VitrineError::InvalidImage(format!(
            "{what}: {} bytes, expected {width}×{height} RGBA = {}",
            bytes.len(),
            width * height * 4
        ))));
    }
    Pixels::new(width, height, 4, bytes).map_err(js_error)
}

#[wasm_bindgen]
impl TryOn {
    /// Build from the card's JSON text and the weights' bytes; `backend` is "auto", "webgpu" or "cpu";
    /// `weights_sha256` as in `Engine.load`.
    pub async fn load(card_json: String, weights: Vec<u8>, backend: String, weights_sha256: Option<String>) -> Result<TryOn, JsValue> {
        let choice = BackendChoice::parse(&backend)
            .ok_or_else(|| js_error(VitrineError::InvalidRequest(format!("backend must be auto, webgpu or cpu, not {backend:?}"))))?;
        Ok(TryOn { inner: TryOnEngine::load_with_digest(&card_json, weights, weights_sha256.as_deref(), choice).await.map_err(js_error)? })
    }

    #[wasm_bindgen(getter)]
    pub fn backend(&self) -> String {
        self.inner.backend().name().into()
    }

    #[wasm_bindgen(getter, js_name = fallbackReason)]
    pub fn fallback_reason(&self) -> Option<String> {
        self.inner.fallback_reason()
    }

    /// Input and output width in pixels.
    #[wasm_bindgen(getter)]
    pub fn width(&self) -> usize {
        self.inner.input_size()[1]
    }

    #[wasm_bindgen(getter)]
    pub fn height(&self) -> usize {
        self.inner.input_size()[0]
    }

    /// Dress the person in the garment. `person`, `garment`: RGBA bytes at
    /// width×height. The garment mask comes from the garment's transparency, or
    /// from its plain background. Resolves to `{pixels: Uint8Array (RGBA),
    /// width, height, personConfidence, backend}`; rejects with `NoPerson`,
    /// `InvalidImage`, ... errors.
    pub async fn render(&self, person: Vec<u8>, garment: Vec<u8>) -> Result<JsValue, JsValue> {
        let (w, h) = (self.width(), self.height());
        let person = rgba(person, w, h, "the photo")?;
        let garment = rgba(garment, w, h, "the product image")?;
        let render = self.inner.render(&person, &garment, None).await.map_err(js_error)?;
        let out = js_sys::Object::new();
        let set = |k: &str, v: JsValue| js_sys::Reflect::set(&out, &k.into(), &v).map(|_| ());
        set("pixels", js_sys::Uint8Array::from(render.rgba.as_slice()).into())?;
        set("width", render.width.into())?;
        set("height", render.height.into())?;
        set("personConfidence", render.person_confidence.into())?;
        set("backend", render.backend.name().into())?;
        Ok(out.into())
    }
}
