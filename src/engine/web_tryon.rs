//! wasm-bindgen façade of the try-on engine. Pixels cross as RGBA bytes
//! (what a canvas's `getImageData` gives), already scaled to the model's size.

use wasm_bindgen::prelude::*;

use super::web::js_error;
use super::{BackendChoice, Render, TryOnEngine};
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

    /// How many parser passes a render combines (the card's inference passes).
    #[wasm_bindgen(getter, js_name = parsePasses)]
    pub fn parse_passes(&self) -> usize {
        self.inner.parse_pass_count()
    }

    /// Dress the person in the garment. `person`, `garment`: RGBA bytes at
    /// width×height. The garment mask comes from the garment's transparency, or
    /// from its plain background. Resolves to `{pixels: Uint8Array (RGBA),
    /// width, height, personConfidence, backend}`; rejects with `NoPerson`,
    /// `InvalidImage`, ... errors.
    pub async fn render(&self, person: Vec<u8>, garment: Vec<u8>) -> Result<JsValue, JsValue> {
        let (person, garment) = self.images(person, garment)?;
        render_object(self.inner.render(&person, &garment, None).await.map_err(js_error)?)
    }

    /// The part logits of some of the parser's passes (numbers 0..parsePasses),
    /// concatenated, as a Float32Array: computed by a second engine in another
    /// worker while this one computes the rest (`renderWithPassLogits`).
    #[wasm_bindgen(js_name = passLogits)]
    pub async fn pass_logits(&self, person: Vec<u8>, passes: Vec<u32>) -> Result<Vec<f32>, JsValue> {
        let person = rgba(person, self.width(), self.height(), "the photo")?;
        let passes: Vec<usize> = passes.into_iter().map(|p| p as usize).collect();
        self.inner.pass_logits(&person, &passes).await.map_err(js_error)
    }

    /// `render` given every pass's logits (`passLogits` of passes 0, 1, ...
    /// concatenated in that order): the same render, bit for bit.
    #[wasm_bindgen(js_name = renderWithPassLogits)]
    pub async fn render_with_pass_logits(&self, person: Vec<u8>, garment: Vec<u8>, logits: Vec<f32>) -> Result<JsValue, JsValue> {
        let (person, garment) = self.images(person, garment)?;
        render_object(self.inner.render_with_pass_logits(&person, &garment, None, &logits).await.map_err(js_error)?)
    }
}

impl TryOn {
    fn images(&self, person: Vec<u8>, garment: Vec<u8>) -> Result<(Pixels, Pixels), JsValue> {
        let (w, h) = (self.width(), self.height());
        Ok((rgba(person, w, h, "the photo")?, rgba(garment, w, h, "the product image")?))
    }
}

fn render_object(render: Render) -> Result<JsValue, JsValue> {
    let out = js_sys::Object::new();
    let set = |k: &str, v: JsValue| js_sys::Reflect::set(&out, &k.into(), &v).map(|_| ());
    set("pixels", js_sys::Uint8Array::from(render.rgba.as_slice()).into())?;
    set("width", render.width.into())?;
    set("height", render.height.into())?;
    set("personConfidence", render.person_confidence.into())?;
    set("backend", render.backend.name().into())?;
    Ok(out.into())
}
